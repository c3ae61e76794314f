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

export function backtest(data: ForecastData, options: BacktestOptions): BacktestResult {
  const { horizon } = options;
  const refitHours = (options.refitDays ?? 28) * 24;
  const n = data.target.length;
  const origins = dailyOrigins(data).filter(
    (o) => o >= options.evalStart - WARMUP_DAYS * 24 && o >= 168 && o + horizon <= n,
  );
  const clip = (v: number) => Math.min(data.upper, Math.max(data.lower, v));
  const results: ModelScore[] = [];
  const scored = (o: number) => o >= options.evalStart;
  let firstRow = Number.POSITIVE_INFINITY;
  let lastRow = -1;
  /** Persistence's MAE over the scored hours (it runs first). */
  let persistenceMae = Number.NaN;
  const names: ModelName[] = options.models.includes("persistence")
    ? [...options.models]
    : ["persistence", ...options.models];
  for (const name of names) {
    const model = createModel(name);
    let lastFit = Number.NEGATIVE_INFINITY;
    // Past errors by hour of day: [target row, residual].
    const errors: [number, number, number][][] = Array.from({ length: 24 }, () => []);
    const distance = new Float64Array(3 * (RESIDUAL_DAYS + 2) * Math.ceil(horizon / 24) + 16);
    const residualOf = new Float64Array(distance.length);
    let absSum = 0;
    let sqSum = 0;
    let count = 0;
    let actualSum = 0;
    let pinballSum = 0;
    let covered = 0;
    let coverageHours = 0;
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
        if (scored(o) && !Number.isNaN(y)) {
          // The errors of past forecasts nearest in value to this one (errors grow with the
          // forecast: a sunny-day forecast misses by more than a dull one), at least 40.
          let pooled = 0;
          for (const h of [hour - 1, hour, hour + 1])
            for (const [row, r, f] of errors[(h + 24) % 24] as [number, number, number][])
              if (row < o && row >= o - RESIDUAL_DAYS * 24) {
                distance[pooled] = Math.abs(f - (point[j] as number));
                residualOf[pooled++] = r;
              }
          const keep = Math.min(pooled, Math.max(40, Math.ceil(pooled / 3)));
          const cut = keep > 0 ? select(distance.slice(0, pooled), pooled, keep - 1) : 0;
          const pool: number[] = [];
          for (let k = 0; k < pooled && pool.length < keep; k++)
            if ((distance[k] as number) < cut) pool.push(residualOf[k] as number);
          for (let k = 0; k < pooled && pool.length < keep; k++)
            if (distance[k] === cut) pool.push(residualOf[k] as number);
          const q = quantilesOf(pool).map((r) => clip((point[j] as number) + r));
          q.sort();
          // The point forecast: the model's own, or its median for models that forecast one.
          const pt = model.medianAdjusted ? (q[49] as number) : (point[j] as number);
          const e = y - pt;
          absSum += Math.abs(e);
          sqSum += e * e;
          actualSum += Math.abs(y);
          count++;
          let pin = 0;
          PERCENTILES.forEach((p, k) => {
            const d = y - (q[k] as number);
            pin += d >= 0 ? p * d : (p - 1) * d;
          });
          pinballSum += pin / PERCENTILES.length;
          const p10 = q[9] as number;
          const p90 = q[89] as number;
          // PV at night (nothing measured, nothing forecast) says nothing about the band.
          if (!(data.kind === "pv" && y <= 0 && p90 <= 0)) {
            coverageHours++;
            if (y >= p10 && y <= p90) covered++;
          }
          firstRow = Math.min(firstRow, t);
          lastRow = Math.max(lastRow, t);
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
    const mae = absSum / Math.max(1, count);
    if (name === "persistence") persistenceMae = mae;
    if (!options.models.includes(name)) continue;
    results.push({
      name,
      mae,
      rmse: Math.sqrt(sqSum / Math.max(1, count)),
      nmae: mae / Math.max(1e-12, actualSum / Math.max(1, count)),
      skill: 1 - mae / persistenceMae,
      pinball: pinballSum / Math.max(1, count),
      coverage_p10_p90: covered / Math.max(1, coverageHours),
    });
  }
  return { firstRow, lastRow, models: results };
}
