/**
 * Battery state of health and remaining useful life from the capacity measured each cycle.
 *
 * Model: linear capacity fade, C(k) = C_now + s·(k − k_now), with the slope s estimated by
 * Theil–Sen (the median of the slopes between every pair of training cycles; Sen 1968) and the
 * level C_now anchored at the median of the last cycles of the training window. Capacity is
 * noisy and jumps up after rests (the cell "regenerates", then fades back within a few cycles):
 * a median of pairwise slopes ignores those jumps instead of chasing them as least squares
 * would, and anchoring at the recent median keeps the prediction starting from where the cell
 * is, not where a line through the whole history says it should be.
 *
 * Interval: Sen's distribution-free confidence interval of the slope (from the variance of
 * Kendall's S) combined with the spread of the recent level (median absolute deviation); the
 * end-of-life cycle's interval is where the slowest and fastest lines cross the threshold.
 */

import { invariant } from "../core/errors.js";
import { median } from "../core/stats.js";

export interface FadeFit {
  readonly model: string;
  /** Fade per cycle (negative when fading), Ah per cycle, with its confidence interval. */
  readonly slope: number;
  readonly slopeLow: number;
  readonly slopeHigh: number;
  /** The anchor: cycle and capacity the prediction starts from. */
  readonly anchorCycle: number;
  readonly anchorAh: number;
  /** Spread of the recent capacity around the anchor (1.4826 × MAD), Ah. */
  readonly levelSpreadAh: number;
}

export interface EolPrediction {
  readonly fit: FadeFit;
  readonly thresholdAh: number;
  /** First cycle predicted below the threshold; null when the fit does not fade. */
  readonly predictedEolCycle: number | null;
  /** 90 % interval of the end-of-life cycle; the upper end is null when the slow line never crosses. */
  readonly interval: readonly [number, number | null] | null;
  /** The first measured cycle below the threshold, if the data reaches it. */
  readonly actualEolCycle: number | null;
  readonly stateOfHealth: number;
}

/** Standard normal quantile at 0.95 (a two-sided 90 % interval). */
const Z_90 = 1.6448536269514722;

export function fitFade(
  cycles: readonly number[],
  capacity: readonly number[],
  recent = 10,
): FadeFit {
  const n = cycles.length;
  invariant(n >= 3, "at least 3 cycles are needed to fit a fade");
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const dx = (cycles[j] as number) - (cycles[i] as number);
      if (dx !== 0) slopes.push(((capacity[j] as number) - (capacity[i] as number)) / dx);
    }
  slopes.sort((a, b) => a - b);
  const N = slopes.length;
  const slope = median(slopes);
  // Sen's interval: ranks (N ∓ C)/2 with C = z·sqrt(Var S), Var S = n(n−1)(2n+5)/18.
  const C = Z_90 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lo = Math.max(0, Math.floor((N - C) / 2));
  const hi = Math.min(N - 1, Math.ceil((N + C) / 2));
  const w = Math.min(recent, n);
  const lastCycles = cycles.slice(n - w) as number[];
  const lastCap = capacity.slice(n - w) as number[];
  const anchorAh = median(lastCap);
  const mad = median(lastCap.map((c) => Math.abs(c - anchorAh)));
  return {
    model: `linear fade, Theil-Sen slope, anchored at the median of the last ${w} training cycles`,
    slope,
    slopeLow: slopes[lo] as number,
    slopeHigh: slopes[hi] as number,
    anchorCycle: median(lastCycles),
    anchorAh,
    levelSpreadAh: 1.4826 * mad,
  };
}

/** The cycle where a line from (k0, c0) with slope s crosses the threshold (null if it never does). */
function crossing(k0: number, c0: number, s: number, threshold: number): number | null {
  if (c0 < threshold) return Math.ceil(k0);
  if (!(s < 0)) return null;
  return Math.ceil(k0 + (threshold - c0) / s);
}

export function predictEol(
  cycles: readonly number[],
  capacity: readonly number[],
  options: { trainCycles: number; thresholdAh: number; ratedAh: number },
): EolPrediction {
  const train = cycles.findIndex((k) => k > options.trainCycles);
  const end = train < 0 ? cycles.length : train;
  const fit = fitFade(cycles.slice(0, end), capacity.slice(0, end));
  const t = options.thresholdAh;
  const predicted = crossing(fit.anchorCycle, fit.anchorAh, fit.slope, t);
  // Slow line from the high level, fast line from the low level.
  const late = crossing(fit.anchorCycle, fit.anchorAh + fit.levelSpreadAh, fit.slopeHigh, t);
  const early = crossing(fit.anchorCycle, fit.anchorAh - fit.levelSpreadAh, fit.slopeLow, t);
  const actualIdx = capacity.findIndex((c) => c < t);
  return {
    fit,
    thresholdAh: t,
    predictedEolCycle: predicted,
    interval: predicted === null || early === null ? null : [early, late],
    actualEolCycle: actualIdx < 0 ? null : (cycles[actualIdx] as number),
    stateOfHealth: fit.anchorAh / options.ratedAh,
  };
}
