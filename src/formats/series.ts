/**
 * Time series on a regular time axis: `values[i]` covers `[start + i·step, start + (i+1)·step)`.
 * For energy it is the kWh delivered in the interval, and resampling integrates
 * piecewise-constant power, so the energy of any span is conserved (up to float rounding); for
 * rates (prices, intensities, speeds) it is the interval's average, resampled as a time-weighted
 * mean.
 */
import { InputError } from "../core/errors.js";
import { formatInstant, MS_PER_MINUTE } from "../core/time.js";

export interface EnergySeries {
  /** Start of the first interval, epoch ms (UTC). */
  readonly startMs: number;
  readonly stepMinutes: number;
  /** kWh per interval. */
  readonly values: Float64Array;
  /** Where it came from, for messages. */
  readonly source: string;
  /** 1 for each interval whose value is an estimate (from a cleaned file's flag column). */
  readonly estimated?: Uint8Array | undefined;
}

export function seriesEndMs(s: EnergySeries): number {
  return s.startMs + s.values.length * s.stepMinutes * MS_PER_MINUTE;
}

/**
 * Energy per interval on a new step, by overlap: each target interval receives from each source
 * interval the share of the source's energy that falls inside it.
 */
export function resample(
  s: EnergySeries,
  stepMinutes: number,
  mode: "sum" | "mean" = "sum",
): EnergySeries {
  if (stepMinutes === s.stepMinutes) return s;
  if (mode === "mean") {
    // A rate (price, intensity, speed): resample its integral, then divide by the new step.
    const asEnergy = { ...s, values: s.values.map((v) => v * s.stepMinutes) };
    const r = resample(asEnergy, stepMinutes, "sum");
    return { ...r, values: r.values.map((v) => v / stepMinutes) };
  }
  const from = s.stepMinutes;
  const total = s.values.length * from;
  const n = Math.floor(total / stepMinutes);
  const out = new Float64Array(n);
  if (stepMinutes % from === 0) {
    const k = stepMinutes / from;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += s.values[i * k + j] as number;
      out[i] = sum;
    }
  } else if (from % stepMinutes === 0) {
    const k = from / stepMinutes;
    for (let i = 0; i < n; i++) out[i] = (s.values[Math.floor(i / k)] as number) / k;
  } else {
    // General case: integrate piecewise-constant power over minute boundaries.
    for (let i = 0; i < n; i++) {
      const a = i * stepMinutes;
      const b = a + stepMinutes;
      let sum = 0;
      for (let j = Math.floor(a / from); j * from < b && j < s.values.length; j++) {
        const lo = Math.max(a, j * from);
        const hi = Math.min(b, (j + 1) * from);
        if (hi > lo) sum += ((s.values[j] as number) * (hi - lo)) / from;
      }
      out[i] = sum;
    }
  }
  return { startMs: s.startMs, stepMinutes, values: out, source: s.source };
}

/**
 * The series on the time axis `[startMs, startMs + count·step)` with `stepMinutes`: resampled, then
 * cut. Throws naming the source when the grid is not inside the data.
 */
export function alignSeries(
  s: EnergySeries,
  startMs: number,
  stepMinutes: number,
  count: number,
  field: string,
  mode: "sum" | "mean" = "sum",
): Float64Array {
  const r = resample(s, stepMinutes, mode);
  const offsetMs = startMs - r.startMs;
  const stepMs = stepMinutes * MS_PER_MINUTE;
  const first = offsetMs / stepMs;
  if (!Number.isInteger(first)) {
    throw new InputError(
      "E_SCENARIO_INVALID",
      `${field}: the period start ${formatInstant(startMs)} does not fall on an interval boundary of ${s.source} (which starts ${formatInstant(s.startMs)}, every ${s.stepMinutes} min)`,
    );
  }
  if (first < 0 || first + count > r.values.length) {
    throw new InputError(
      "E_SCENARIO_INVALID",
      `${field}: the period ${formatInstant(startMs)} to ${formatInstant(startMs + count * stepMs)} is outside the data of ${s.source} (${formatInstant(r.startMs)} to ${formatInstant(seriesEndMs(r))})`,
    );
  }
  return r.values.slice(first, first + count);
}

/** A daily profile repeated over `days`, shifted so that it starts at local midnight. */
export function repeatDaily(day: EnergySeries, days: number): EnergySeries {
  const perDay = day.values.length;
  const values = new Float64Array(perDay * days);
  for (let d = 0; d < days; d++) values.set(day.values, d * perDay);
  return { ...day, values, source: `${day.source} (repeated daily)` };
}

/**
 * Which intervals of the time axis `[startMs, startMs + count·step)` hold an estimate: those that
 * overlap any estimated interval of `s` (null when `s` has no estimates).
 */
export function alignEstimated(
  s: EnergySeries,
  startMs: number,
  stepMinutes: number,
  count: number,
  field: string,
): Uint8Array | null {
  if (s.estimated === undefined || !s.estimated.includes(1)) return null;
  const asEnergy = { ...s, values: Float64Array.from(s.estimated), estimated: undefined };
  const overlap = alignSeries(asEnergy, startMs, stepMinutes, count, field);
  return overlap.map((v) => (v > 0 ? 1 : 0)) as unknown as Uint8Array;
}
