/** Numeric command-line flags, read with one message style: the flag, what it expects, what came. */
import { InputError } from "../core/errors.js";

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
