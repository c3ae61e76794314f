/**
 * Baseline forecasts that use only the past: persistence (the same time one season earlier,
 * e.g. yesterday) and the mean profile of the same time over recent seasons. Both read a series
 * that includes the history before the forecast origin, and never look at or after the origin.
 */
import { invariant } from "../core/errors.js";

/** Forecasts `horizon` values of a series starting at index `origin`, from indices < origin. */
export interface SeriesForecaster {
  readonly name: string;
  forecast(origin: number, horizon: number): Float64Array;
}

function checkPeriod(period: number): void {
  invariant(
    Number.isInteger(period) && period >= 1,
    `the seasonal period must be a whole number of steps, got ${period}`,
  );
}

/** The value one `period` earlier (or whole periods earlier, for leads beyond one period). */
export function persistence(series: ArrayLike<number>, period: number): SeriesForecaster {
  checkPeriod(period);
  return {
    name: "persistence",
    forecast(origin, horizon) {
      const out = new Float64Array(horizon);
      for (let j = 0; j < horizon; j++) {
        let idx = origin + j - period * (Math.floor(j / period) + 1);
        while (idx < 0) idx += period; // too little history: the nearest earlier season we have
        out[j] = idx < origin ? (series[idx] as number) : 0;
      }
      return out;
    },
  };
}

/**
 * The mean of the same time of season over the `seasons` seasons before the origin (rolling), or
 * over the `seasons` before a fixed index when `fixedBefore` is given (a profile computed once,
 * e.g. from the month before a test period).
 */
export function meanProfile(
  series: ArrayLike<number>,
  period: number,
  seasons: number,
  fixedBefore?: number,
): SeriesForecaster {
  checkPeriod(period);
  const slotMean = (end: number, slot: number): number => {
    // `slot` is a series index; average the values at slot - m·period that fall before `end`.
    let sum = 0;
    let count = 0;
    let idx = slot - period * Math.ceil((slot - end + 1) / period);
    for (let m = 0; m < seasons && idx >= 0; m++, idx -= period) {
      sum += series[idx] as number;
      count++;
    }
    return count > 0 ? sum / count : 0;
  };
  return {
    name: fixedBefore === undefined ? `mean of last ${seasons}` : `fixed mean of ${seasons}`,
    forecast(origin, horizon) {
      const out = new Float64Array(horizon);
      const end = fixedBefore === undefined ? origin : Math.min(origin, fixedBefore);
      for (let j = 0; j < horizon; j++) out[j] = slotMean(end, origin + j);
      return out;
    },
  };
}
