/**
 * Units and money. The market and the ledger count energy in integer watt-hours (Wh), money in
 * integer micro-units of the community's currency, and prices in integer micro-units per kWh.
 * Physics and forecasting use floats and cross into the market only through these functions.
 *
 * There is one rounding rule, round half to even ("banker's rounding"), applied in one place:
 * {@link scaleToInt} for decimal values and {@link mulDivHalfEven} for products of integers.
 * A buyer therefore pays exactly what sellers, fees and the grid receive.
 */
import { InvariantError } from "./errors.js";

/** Micro-units per unit of currency. */
export const MICRO = 1_000_000;
/** Wh per kWh. */
export const WH_PER_KWH = 1000;

/**
 * Rounds a decimal number to an integer number of `10^-decimals` units, half to even.
 * Ties are decided on the number's shortest decimal representation (what a user wrote in a
 * file), not on its binary approximation: `scaleToInt(1.0005, 3)` is 1000 and
 * `scaleToInt(1.0015, 3)` is 1002.
 *
 * @returns an integer, or `undefined` when `x` is not finite or the result is not a safe integer.
 */
export function scaleToInt(x: number, decimals: number): number | undefined {
  if (!Number.isFinite(x)) return undefined;
  const scale = 10 ** decimals;
  const y = x * scale;
  if (!Number.isFinite(y) || Math.abs(y) > Number.MAX_SAFE_INTEGER) return undefined;
  const floor = Math.floor(y);
  const frac = y - floor;
  // Float error of y is below |y| * 2.3e-16; only values this close to a tie need the exact path.
  const tolerance = Math.abs(y) * 4e-16 + 1e-12;
  if (Math.abs(frac - 0.5) > tolerance) {
    const r = frac < 0.5 ? floor : floor + 1;
    return r === 0 ? 0 : r; // no -0
  }
  return scaleDecimalString(String(x), decimals);
}

/** Exact half-even scaling of a JavaScript number's decimal representation. */
function scaleDecimalString(repr: string, decimals: number): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(repr);
  if (!m) return undefined;
  const negative = m[1] === "-";
  const intDigits = m[2] ?? "0";
  const fracDigits = m[3] ?? "";
  const exponent = Number(m[4] ?? "0") + decimals;
  // digits * 10^(exponent - fracDigits.length)
  const digits = (intDigits + fracDigits).replace(/^0+(?=\d)/, "");
  const shift = exponent - fracDigits.length;
  let result: bigint;
  if (shift >= 0) {
    result = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = -shift;
    const padded = digits.padStart(cut + 1, "0");
    const kept = BigInt(padded.slice(0, padded.length - cut));
    const dropped = padded.slice(padded.length - cut);
    const first = dropped.charCodeAt(0) - 48;
    const restNonZero = /[1-9]/.test(dropped.slice(1));
    let roundUp = false;
    if (first > 5 || (first === 5 && restNonZero)) roundUp = true;
    else if (first === 5 && !restNonZero) roundUp = kept % 2n === 1n;
    result = roundUp ? kept + 1n : kept;
  }
  if (negative) result = -result;
  const n = Number(result);
  if (!Number.isSafeInteger(n)) return undefined;
  return n === 0 ? 0 : n;
}

function scaleOrThrow(x: number, decimals: number, what: string): number {
  const r = scaleToInt(x, decimals);
  if (r === undefined) {
    throw new InvariantError(`${what}: ${x} cannot be represented (not finite or too large)`);
  }
  return r;
}

/** Decimal kWh (as in files and exports) to integer Wh, half-even. */
export function kwhToWh(kwh: number): number {
  return scaleOrThrow(kwh, 3, "energy in kWh");
}

/** Integer Wh to decimal kWh for files and exports. */
export function whToKwh(wh: number): number {
  return wh / WH_PER_KWH;
}

/** Decimal money or price (currency, or currency per kWh) to integer micro-units, half-even. */
export function toMicro(amount: number): number {
  return scaleOrThrow(amount, 6, "money amount");
}

/** Integer micro-units to decimal currency (or currency per kWh) for files and exports. */
export function fromMicro(micro: number): number {
  return micro / MICRO;
}

/**
 * `round_half_even(a * b / den)` for integers, exact for any safe-integer inputs.
 * `den` must be positive.
 */
export function mulDivHalfEven(a: number, b: number, den: number): number {
  const p = a * b;
  if (Number.isSafeInteger(p)) return divHalfEven(p, den);
  const big = BigInt(a) * BigInt(b);
  return Number(bigDivHalfEven(big, BigInt(den)));
}

/** `round_half_even(num / den)` for safe integers, `den > 0`. */
export function divHalfEven(num: number, den: number): number {
  const q = Math.floor(num / den);
  const r = num - q * den;
  const twice = 2 * r;
  let out: number;
  if (twice > den) out = q + 1;
  else if (twice < den) out = q;
  else out = q % 2 === 0 ? q : q + 1;
  return out === 0 ? 0 : out;
}

/** `round_half_even(num / den)` for big integers, `den > 0`. */
export function bigDivHalfEven(num: bigint, den: bigint): bigint {
  let q = num / den;
  let r = num % den;
  if (r < 0n) {
    q -= 1n;
    r += den;
  }
  const twice = 2n * r;
  if (twice > den) return q + 1n;
  if (twice < den) return q;
  return q % 2n === 0n ? q : q + 1n;
}

/** Cost in micro-units of `energyWh` at `pricePerKwhMicro`, half-even. */
export function energyCostMicro(energyWh: number, pricePerKwhMicro: number): number {
  return mulDivHalfEven(energyWh, pricePerKwhMicro, WH_PER_KWH);
}

/**
 * `x` rounded to `digits` decimals (halves away from zero as Math.round does), for records and
 * reports only: the market never rounds floats, it counts integers.
 */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** k of k-pricing (0 to 1) to parts per million, as the market keeps it. */
export function kToPpm(k: number): number {
  return Math.round(k * 1_000_000);
}

/** k of k-pricing in parts per million to the decimal 0 to 1 of files and heads. */
export function ppmToK(kPpm: number): number {
  return kPpm / 1_000_000;
}
