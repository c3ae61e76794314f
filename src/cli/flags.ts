/**
 * Command-line flags, read with one message style: the flag, what it expects, what came.
 *
 * A reader checks one flag's text and turns it into its value; `flagOption` attaches it to the
 * option, so commander runs it while it parses the command line and a command receives checked
 * values (undefined for an absent flag, as commander leaves it). A reader throws our `E_USAGE`
 * InputError, which commander passes through untouched, so the message and the exit code are
 * the ones every other usage error has. Checks that relate two flags stay in the commands.
 */

import { Option } from "commander";
import { InputError } from "../core/errors.js";
import { parseInstant } from "../core/time.js";
import { kToPpm } from "../core/units.js";
import { findMechanism } from "../market/mechanisms.js";
import { MECHANISM_NAMES, type Mechanism, type MechanismName } from "../market/types.js";
import { BATTERY_POLICIES, type BatteryPolicy, batteryPolicyOf } from "../sim/types.js";
import { resolvePublicKey } from "../store/keyFile.js";

/** The usage error for a flag's value: `--flag: expected ..., received "..."`. */
export function usageError(flag: string, expected: string, received: string | undefined) {
  return new InputError(
    "E_USAGE",
    `${flag}: expected ${expected}, received ${JSON.stringify(received)}`,
  );
}

/** Reads a flag's text into its value, or throws the usage error naming `flag`. */
export type FlagReader<T> = (text: string, flag: string) => T;

/** An option whose value `read` checks and converts while the command line is parsed. */
export function flagOption<T>(flags: string, description: string, read: FlagReader<T>): Option {
  const option = new Option(flags, description);
  const flag = option.long ?? option.name();
  return option.argParser((text: string) => read(text, flag));
}

/**
 * `read` on a flag that only some of a command's modes read, so is checked only there: an absent
 * flag stays undefined.
 */
export function readGiven<T>(
  text: string | undefined,
  flag: string,
  read: FlagReader<T>,
): T | undefined {
  return text === undefined ? undefined : read(text, flag);
}

/** A reader of numbers: the number when `accept` holds, else the error saying `expected`. */
export function numberReader(expected: string, accept: (n: number) => boolean): FlagReader<number> {
  return (text, flag) => {
    const n = Number(text);
    if (!accept(n)) throw usageError(flag, expected, text);
    return n;
  };
}

/** A number above 0. */
export const positiveNumber = numberReader("a number above 0", (n) => Number.isFinite(n) && n > 0);

/** A number of 0 or more. */
export const nonNegativeNumber = numberReader(
  "a number of 0 or more",
  (n) => Number.isFinite(n) && n >= 0,
);

/** A whole number above 0. */
export const positiveInt = numberReader(
  "a positive whole number",
  (n) => Number.isSafeInteger(n) && n > 0,
);

/** A block height (0 or more). */
export const blockHeight = numberReader(
  "a block height (0 or more)",
  (n) => Number.isSafeInteger(n) && n >= 0,
);

const MAX_EXPIRY_MINUTES = 525_600;

/**
 * `--expires-minutes`: an order is for an interval soon, so a year ahead is far more than any
 * market needs.
 */
export const expiryMinutes = numberReader(
  `a positive number of minutes, at most ${MAX_EXPIRY_MINUTES} (a year)`,
  (m) => Number.isFinite(m) && m > 0 && m <= MAX_EXPIRY_MINUTES,
);

/** `--k`: a number from 0 to 1 (not blank), returned in ppm. */
export const kInPpm: FlagReader<number> = (text, flag) => {
  const k = Number(text);
  if (text.trim() === "" || !Number.isFinite(k) || k < 0 || k > 1)
    throw usageError(flag, "a number from 0 to 1", text);
  return kToPpm(k);
};

/** A reader of instants (ISO 8601 with offset, or epoch ms), in epoch ms. */
export function instantReader(
  expected = "an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z",
): FlagReader<number> {
  return (text, flag) => {
    const t = parseInstant(text);
    if (t === undefined) throw usageError(flag, expected, text);
    return t;
  };
}

/** An ISO 8601 instant with offset, or epoch ms. */
export const instant = instantReader();

/** A reader of one of `choices`, the error saying `expected`. */
export function choiceReader<T extends string>(
  choices: readonly T[],
  expected = `one of ${choices.join(", ")}`,
): FlagReader<T> {
  return (text, flag) => {
    if ((choices as readonly string[]).includes(text)) return text as T;
    throw usageError(flag, expected, text);
  };
}

/** `--mechanism`: one of the market mechanisms, by name. */
export const marketMechanism: FlagReader<Mechanism> = (text, flag) => {
  const found = findMechanism(text);
  if (found === undefined) throw usageError(flag, `one of ${MECHANISM_NAMES.join(", ")}`, text);
  return found;
};

const comparedMechanism = choiceReader(
  MECHANISM_NAMES,
  `mechanisms from ${MECHANISM_NAMES.join(", ")}`,
);

/** `--compare`: comma-separated mechanism names (blank: none). */
export const mechanismList: FlagReader<MechanismName[]> = (text, flag) =>
  text.trim() === "" ? [] : text.split(",").map((raw) => comparedMechanism(raw.trim(), flag));

const onOff = choiceReader(["on", "off"] as const, "on or off");

/** `--ledger on|off`. */
export const ledgerSwitch: FlagReader<boolean> = (text, flag) => onOff(text, flag) === "on";

const policyName = choiceReader(
  [...BATTERY_POLICIES, "optimal"] as const,
  "rule, perfect or mpc (optimal is accepted for perfect)",
);

/** `--battery-policy`, its old name `optimal` read as `perfect`. */
export const batteryPolicy: FlagReader<BatteryPolicy> = (text, flag) =>
  batteryPolicyOf(policyName(text, flag));

/** `--operator`: a public key as hex or a key file, or undefined when the flag is absent. */
export async function operatorKey(value: string | undefined): Promise<string | undefined> {
  return value === undefined ? undefined : resolvePublicKey(value);
}
