/**
 * Walk-forward backtest: forecasts issued every day at 00:00 of the data set's clock for the next
 * `horizon` hours, each from an OriginView (history before the origin, weather issued by it),
 * models refitted every `refitDays` on what was known at the time. Point forecasts are scored
 * by MAE, RMSE, normalised MAE and skill against persistence over the same hours; probabilistic
 * forecasts are the point plus the empirical quantiles of the model's own past errors (from the
 * last 60 days of its forecasts whose hours had passed, at the same hour of the day +-1 h, the
 * third nearest in forecast value and at least 40), scored by the pinball loss over the 99
 * percentiles and the share of hours inside P10-P90.
 */
import { select } from "./learners.js";
import { createModel, type ModelName } from "./models.js";
import { calendar, dailyOrigins, type ForecastData, OriginView } from "./problem.js";

export const PERCENTILES = Array.from({ length: 99 }, (_, k) => (k + 1) / 100);

export interface BacktestOptions {
  readonly models: readonly ModelName[];
  readonly horizon: number;
  /** The first target hour evaluated (an origin); earlier hours are history and warm-up. */
  readonly evalStart: number;
  /** Refit learned models every this many days (default 28). */
  readonly refitDays?: number;
}

export interface ModelScore {
  readonly name: string;
  readonly mae: number;
  readonly rmse: number;
  readonly nmae: number;
  readonly skill: number;
  readonly pinball: number;
  readonly coverage_p10_p90: number;
}

export interface BacktestResult {
  readonly firstRow: number;
  readonly lastRow: number;
  readonly models: ModelScore[];
}

const WARMUP_DAYS = 30;

const RESIDUAL_DAYS = 60;

/** The empirical quantiles of `pool` (sorted copy) at the 99 percentiles. */
function quantilesOf(pool: number[]): Float64Array {
  const s = Float64Array.from(pool).sort();
  const out = new Float64Array(PERCENTILES.length);
  if (s.length === 0) return out;
  PERCENTILES.forEach((q, k) => {
    const x = q * (s.length - 1);
    const lo = Math.floor(x);
    const hi = Math.min(s.length - 1, lo + 1);
    out[k] = (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (x - lo);
  });
  return out;
}

/** Past errors by hour of day: [target row, residual, forecast]. */
type ErrorPools = [number, number, number][][];

/** Scratch space for the error pool of one forecast hour. */
interface PoolScratch {
  readonly distance: Float64Array;
  readonly residualOf: Float64Array;
}

/**
 * A forecast hour's quantiles, sorted: the point plus the errors of past forecasts nearest in
 * value to this one (errors grow with the forecast: a sunny-day forecast misses by more than a
 * dull one), at least 40, from the hours around the same time of day.
 */
function forecastQuantiles(
  errors: ErrorPools,
  o: number,
  hour: number,
  forecast: number,
  scratch: PoolScratch,
  clip: (v: number) => number,
): Float64Array {
  const { distance, residualOf } = scratch;
  let pooled = 0;
  for (const h of [hour - 1, hour, hour + 1])
    for (const [row, r, f] of errors[(h + 24) % 24] as [number, number, number][])
      if (row < o && row >= o - RESIDUAL_DAYS * 24) {
        distance[pooled] = Math.abs(f - forecast);
        residualOf[pooled++] = r;
      }
  const keep = Math.min(pooled, Math.max(40, Math.ceil(pooled / 3)));
  const cut = keep > 0 ? select(distance.slice(0, pooled), pooled, keep - 1) : 0;
  const pool: number[] = [];
  for (let k = 0; k < pooled && pool.length < keep; k++)
    if ((distance[k] as number) < cut) pool.push(residualOf[k] as number);
  for (let k = 0; k < pooled && pool.length < keep; k++)
    if (distance[k] === cut) pool.push(residualOf[k] as number);
  const q = quantilesOf(pool).map((r) => clip(forecast + r));
  q.sort();
  return q;
}

/** One model's running scores over the scored hours. */
interface Tally {
  absSum: number;
  sqSum: number;
  count: number;
  actualSum: number;
  pinballSum: number;
  covered: number;
  coverageHours: number;
  firstRow: number;
  lastRow: number;
}

/** Scores one hour: the point `pt` and the quantiles `q` against the actual `y` at row `t`. */
function tallyHour(
  s: Tally,
  data: ForecastData,
  t: number,
  y: number,
  pt: number,
  q: Float64Array,
) {
  const e = y - pt;
  s.absSum += Math.abs(e);
  s.sqSum += e * e;
  s.actualSum += Math.abs(y);
  s.count++;
  let pin = 0;
  PERCENTILES.forEach((p, k) => {
    const d = y - (q[k] as number);
    pin += d >= 0 ? p * d : (p - 1) * d;
  });
  s.pinballSum += pin / PERCENTILES.length;
  const p10 = q[9] as number;
  const p90 = q[89] as number;
  // PV at night (nothing measured, nothing forecast) says nothing about the band.
  if (!(data.kind === "pv" && y <= 0 && p90 <= 0)) {
    s.coverageHours++;
    if (y >= p10 && y <= p90) s.covered++;
  }
  s.firstRow = Math.min(s.firstRow, t);
  s.lastRow = Math.max(s.lastRow, t);
}

/** One model walked forward over the origins, refitted every `refitHours`. */
function walkForward(
  data: ForecastData,
  name: ModelName,
  origins: readonly number[],
  options: BacktestOptions,
  clip: (v: number) => number,
): Tally {
  const { horizon } = options;
  const refitHours = (options.refitDays ?? 28) * 24;
  const model = createModel(name);
  let lastFit = Number.NEGATIVE_INFINITY;
  const errors: ErrorPools = Array.from({ length: 24 }, () => []);
  const distance = new Float64Array(3 * (RESIDUAL_DAYS + 2) * Math.ceil(horizon / 24) + 16);
  const scratch: PoolScratch = { distance, residualOf: new Float64Array(distance.length) };
  const s: Tally = {
    absSum: 0,
    sqSum: 0,
    count: 0,
    actualSum: 0,
    pinballSum: 0,
    covered: 0,
    coverageHours: 0,
    firstRow: Number.POSITIVE_INFINITY,
    lastRow: -1,
  };
  for (const o of origins) {
    const view = new OriginView(data, o);
    if (o - lastFit >= refitHours) {
      model.fit(view, horizon);
      lastFit = o;
    }
    const point = model.predict(view, horizon).map(clip);
    for (let j = 0; j < horizon; j++) {
      const t = o + j;
      const y = data.target[t] as number;
      const hour = calendar(data, t).hour;
      if (o >= options.evalStart && !Number.isNaN(y)) {
        const q = forecastQuantiles(errors, o, hour, point[j] as number, scratch, clip);
        // The point forecast: the model's own, or its median for models that forecast one.
        const pt = model.medianAdjusted ? (q[49] as number) : (point[j] as number);
        tallyHour(s, data, t, y, pt, q);
      }
      if (!Number.isNaN(y))
        (errors[hour] as [number, number, number][]).push([
          t,
          y - (point[j] as number),
          point[j] as number,
        ]);
    }
    // Keep the error pools short.
    for (const pool of errors)
      while (
        pool.length > 0 &&
        (pool[0] as [number, number, number])[0] < o - RESIDUAL_DAYS * 24 - 24
      )
        pool.shift();
  }
  return s;
}

export function backtest(data: ForecastData, options: BacktestOptions): BacktestResult {
  const { horizon } = options;
  const n = data.target.length;
  const origins = dailyOrigins(data).filter(
    (o) => o >= options.evalStart - WARMUP_DAYS * 24 && o >= 168 && o + horizon <= n,
  );
  const clip = (v: number) => Math.min(data.upper, Math.max(data.lower, v));
  const results: ModelScore[] = [];
  let firstRow = Number.POSITIVE_INFINITY;
  let lastRow = -1;
  /** Persistence's MAE over the scored hours (it runs first). */
  let persistenceMae = Number.NaN;
  const names: ModelName[] = options.models.includes("persistence")
    ? [...options.models]
    : ["persistence", ...options.models];
  for (const name of names) {
    const s = walkForward(data, name, origins, options, clip);
    firstRow = Math.min(firstRow, s.firstRow);
    lastRow = Math.max(lastRow, s.lastRow);
    const mae = s.absSum / Math.max(1, s.count);
    if (name === "persistence") persistenceMae = mae;
    if (!options.models.includes(name)) continue;
    results.push({
      name,
      mae,
      rmse: Math.sqrt(s.sqSum / Math.max(1, s.count)),
      nmae: mae / Math.max(1e-12, s.actualSum / Math.max(1, s.count)),
      skill: 1 - mae / persistenceMae,
      pinball: s.pinballSum / Math.max(1, s.count),
      coverage_p10_p90: s.covered / Math.max(1, s.coverageHours),
    });
  }
  return { firstRow, lastRow, models: results };
}
