/** Command-line flags, read with one message style: the flag, what it expects, what came. */

import { InputError } from "../core/errors.js";
import { parseInstant } from "../core/time.js";
import { kToPpm } from "../core/units.js";
import { findMechanism } from "../market/mechanisms.js";
import { MECHANISM_NAMES, type Mechanism } from "../market/types.js";
import { resolvePublicKey } from "../store/keyFile.js";

/** A number above 0, or undefined when the flag is absent. */
export function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a number above 0, received ${JSON.stringify(text)}`,
    );
  return n;
}

/** A number of 0 or more, or undefined when the flag is absent. */
export function nonNegativeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a number of 0 or more, received ${JSON.stringify(text)}`,
    );
  return n;
}

/** A whole number above 0, or undefined when the flag is absent. */
export function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a positive whole number, received ${JSON.stringify(text)}`,
    );
  return n;
}

/** Parses `--k`: a number from 0 to 1, returned in ppm. */
export function parseK(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const k = Number(text);
  if (text.trim() === "" || !Number.isFinite(k) || k < 0 || k > 1) {
    throw new InputError(
      "E_USAGE",
      `--k: expected a number from 0 to 1, received ${JSON.stringify(text)}`,
    );
  }
  return kToPpm(k);
}

/** `--mechanism`: one of the market mechanisms, by name. */
export function mechanismOrThrow(name: string): Mechanism {
  const mechanism = findMechanism(name);
  if (mechanism === undefined) {
    throw new InputError(
      "E_USAGE",
      `--mechanism: expected one of ${MECHANISM_NAMES.join(", ")}, received ${JSON.stringify(name)}`,
    );
  }
  return mechanism;
}

/** A block height (0 or more), or undefined when the flag is absent. */
export function parseHeight(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a block height (0 or more), received ${JSON.stringify(text)}`,
    );
  return n;
}

/** An ISO 8601 instant with offset, epoch ms, or undefined when the flag is absent. */
export function parseTime(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const t = parseInstant(text);
  if (t === undefined)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z, received ${JSON.stringify(text)}`,
    );
  return t;
}

/** `--operator`: a public key as hex or a key file, or undefined when the flag is absent. */
export async function operatorKey(value: string | undefined): Promise<string | undefined> {
  return value === undefined ? undefined : resolvePublicKey(value);
}

/** One of `choices`, or undefined when the flag is absent. */
export function oneOf<T extends string>(
  text: string | undefined,
  choices: readonly T[],
  flag: string,
  expected = `one of ${choices.join(", ")}`,
): T | undefined {
  if (text === undefined) return undefined;
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new InputError(
    "E_USAGE",
    `${flag}: expected ${expected}, received ${JSON.stringify(text)}`,
  );
}
