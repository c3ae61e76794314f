/**
 * Time of use: an import price that depends on the local time of day, as periods [from, to) of
 * local clock time. A period that ends at "00:00" ends at midnight, so "00:00" to "00:00" is the
 * whole day; a period whose end is before its start wraps past midnight.
 */
import { clockMinutes, inClockWindow, minuteOfDay } from "../core/clock.js";

export interface TimeOfUsePeriod {
  /** Local minutes after midnight, [fromMinute, toMinute); toMinute is 1440 for midnight. */
  readonly fromMinute: number;
  readonly toMinute: number;
  readonly price: number;
}

/** A period from its "HH:MM" ends. */
export function timeOfUsePeriod(from: string, to: string, price: number): TimeOfUsePeriod {
  const end = clockMinutes(to);
  return { fromMinute: clockMinutes(from), toMinute: end === 0 ? 1440 : end, price };
}

/** The period that covers local minute-of-day `minute`, if any. */
export function periodAt(
  periods: readonly TimeOfUsePeriod[],
  minute: number,
): TimeOfUsePeriod | undefined {
  return periods.find((p) => inClockWindow(minute, p.fromMinute, p.toMinute));
}

/**
 * The price at each of `count` steps from `startMs`, `stepMs` apart, in time zone `zone`;
 * `fallback` where no period covers the step (a price, or a function of the local minute that
 * may refuse it).
 */
export function timeOfUsePrices(
  periods: readonly TimeOfUsePeriod[],
  steps: { readonly startMs: number; readonly stepMs: number; readonly count: number },
  zone: string,
  fallback: number | ((minute: number) => number),
): Float64Array {
  const out = new Float64Array(steps.count);
  for (let t = 0; t < steps.count; t++) {
    const m = minuteOfDay(steps.startMs + t * steps.stepMs, zone);
    const p = periodAt(periods, m);
    out[t] = p ? p.price : typeof fallback === "number" ? fallback : fallback(m);
  }
  return out;
}
