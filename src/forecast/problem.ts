/**
 * A forecasting problem: an hourly target series, the clock it lives on, and weather forecasts
 * (NWP) where the data set has them; and the view a model gets at a forecast origin, which hands
 * out only what was known then. Reading a target value at or after the origin, or a weather
 * forecast issued after it, throws: leakage is an error, not a discipline.
 */

import { GridshareError } from "../core/errors.js";
import { MS_PER_DAY } from "../core/time.js";

export type TargetKind = "pv" | "load" | "price" | "wind";

export interface Nwp {
  readonly names: readonly string[];
  /** One array per feature: the value forecast for each hour of the target series. */
  readonly values: readonly Float64Array[];
  /** For each hour, the first target index of the forecast run that produced it (its issue). */
  readonly runStart: Int32Array;
}

export interface ForecastData {
  readonly name: string;
  readonly kind: TargetKind;
  /** Hourly values; NaN where not measured. */
  readonly target: Float64Array;
  /** Start of hour 0, ms UTC. */
  readonly startMs: number;
  /** Offset of the data set's clock from UTC, hours (origins are at 00:00 of this clock). */
  readonly clockOffsetH: number;
  readonly nwp: Nwp | null;
  /** Forecasts are clipped to [lower, upper]. */
  readonly lower: number;
  readonly upper: number;
  /** How the data set labels hour i (for the report's period). */
  label(i: number): string;
}

/** A model read what it could not know at its origin: a bug in the model, never the user's fault. */
export class LeakageError extends GridshareError {
  constructor(message: string) {
    super("E_FORECAST_LEAKAGE", message);
  }
}

/** What a model may see at a forecast origin: target hours before it, weather issued by it. */
export class OriginView {
  constructor(
    readonly data: ForecastData,
    /** The first target hour: everything before it is history. */
    readonly origin: number,
  ) {}

  value(i: number): number {
    if (i >= this.origin) throw new LeakageError(`target hour ${i} read at origin ${this.origin}`);
    return i < 0 ? Number.NaN : (this.data.target[i] as number);
  }

  nwp(feature: number, i: number): number {
    const n = this.data.nwp;
    if (n === null) return Number.NaN;
    if ((n.runStart[i] ?? Number.POSITIVE_INFINITY) > this.origin)
      throw new LeakageError(`weather for hour ${i} issued after origin ${this.origin}`);
    return (n.values[feature] as Float64Array)[i] as number;
  }

  /** Whether the weather forecast for hour i was issued by the origin. */
  hasNwp(i: number): boolean {
    const n = this.data.nwp;
    return (
      n !== null &&
      (n.runStart[i] ?? Number.POSITIVE_INFINITY) <= this.origin &&
      i < n.runStart.length
    );
  }
}

const HOUR_MS = 3_600_000;

export interface CalendarHour {
  readonly hour: number;
  readonly dayOfWeek: number;
  readonly weekend: boolean;
  readonly dayOfYear: number;
}

const dayOfYearCache = new Map<number, number>();

/** Local calendar of hour i on the data set's clock (arithmetic on hours; the day of year cached per day). */
export function calendar(data: ForecastData, i: number): CalendarHour {
  const localHours = Math.floor(data.startMs / HOUR_MS) + i + data.clockOffsetH;
  const day = Math.floor(localHours / 24);
  const hour = localHours - day * 24;
  const dayOfWeek = (((day + 4) % 7) + 7) % 7; // 1 January 1970 was a Thursday
  let dayOfYear = dayOfYearCache.get(day);
  if (dayOfYear === undefined) {
    const d = new Date(day * MS_PER_DAY);
    dayOfYear = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1;
    dayOfYearCache.set(day, dayOfYear);
  }
  return { hour, dayOfWeek, weekend: dayOfWeek === 0 || dayOfWeek === 6, dayOfYear };
}

/** The hours at which forecasts are issued: every local midnight. */
export function dailyOrigins(data: ForecastData): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.target.length; i++) if (calendar(data, i).hour === 0) out.push(i);
  return out;
}
