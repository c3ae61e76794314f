/**
 * Network-aware trading: an interval's trades checked against the feeder, and curtailed where
 * they would break a limit.
 *
 * Each trade is a seller injecting and a buyer drawing the traded energy, spread evenly over the
 * interval, on top of the base case (the homes' other load). If the result breaks a limit, the
 * remedy curtails trades one at a time, the one contributing most to the worst violation first:
 * its contribution is its power times its sensitivity, the change of the violating quantity per
 * kW of the trade, measured on the power flow. Each trade is cut by just what the linearised
 * violation needs (plus a small margin), then the feeder is solved again, until no limit is
 * broken or no trade contributes. Every cut is reported with the limit that caused it.
 */
import { assess, EN50160, type Limits, type Snapshot, type StepReport } from "./day.js";
import type { Feeder } from "./feeder.js";
import { PowerFlow } from "./powerflow.js";

export interface TradeFlow {
  readonly id: string;
  /** Seller and buyer as index 3·bus + phase. */
  readonly seller: number;
  readonly buyer: number;
  readonly kw: number;
}

export interface Curtailment {
  readonly id: string;
  readonly kwBefore: number;
  readonly kwAfter: number;
  readonly reason: string;
}

export interface TradeCheck {
  readonly base: StepReport;
  readonly withTrades: StepReport;
  readonly afterRemedy: StepReport;
  /** Power of each trade after the remedy, kW (same order as the input). */
  readonly kw: Float64Array;
  readonly curtailed: Curtailment[];
  readonly solves: number;
}

interface Violation {
  /** How far past the limit (V, or % of a rating). */
  readonly excess: number;
  /** The quantity to lower: a voltage magnitude (sign +1) or its negative (under-voltage). */
  readonly measure: (r: ReturnType<PowerFlow["solve"]>) => number;
  readonly describe: string;
  /** Unit of the violating quantity, for the sensitivity in messages. */
  readonly unit: string;
}

const PHASES = "ABC";

function worstViolation(feeder: Feeder, s: StepReport, limits: Limits): Violation | undefined {
  const mag = (x: ReturnType<PowerFlow["solve"]>, k: number) =>
    Math.hypot(x.vRe[k] as number, x.vIm[k] as number);
  const over = s.vMaxV - limits.maxV;
  const under = limits.minV - s.vMinV;
  const name = (k: number) => `bus ${feeder.buses[Math.floor(k / 3)]} phase ${PHASES[k % 3]}`;
  if (over > 0 && over >= under) {
    const k = s.vMaxAt;
    return {
      excess: over,
      measure: (x) => mag(x, k),
      describe: `${name(k)} at ${s.vMaxV.toFixed(1)} V, above ${limits.maxV} V`,
      unit: "V",
    };
  }
  if (under > 0) {
    const k = s.vMinAt;
    return {
      excess: under,
      measure: (x) => -mag(x, k),
      describe: `${name(k)} at ${s.vMinV.toFixed(1)} V, below ${limits.minV} V`,
      unit: "V",
    };
  }
  if (s.lineLoadingPct > 100) {
    const b = s.lineBus;
    const rating = feeder.ampacity[b] as number;
    const current = (x: ReturnType<PowerFlow["solve"]>) => {
      let i = 0;
      for (let p = 0; p < 3; p++)
        i = Math.max(i, Math.hypot(x.iRe[3 * b + p] as number, x.iIm[3 * b + p] as number));
      return (100 * i) / rating;
    };
    return {
      excess: s.lineLoadingPct - 100,
      measure: current,
      describe: `line ${feeder.lineOf[b]?.name} at ${s.lineLoadingPct.toFixed(0)} % of its ${rating} A rating`,
      unit: "% of the rating",
    };
  }
  if (s.transformerLoadingPct > 100)
    return {
      excess: s.transformerLoadingPct - 100,
      measure: (x) =>
        assess(
          feeder,
          { pKw: new Float64Array(x.vRe.length), qKvar: new Float64Array(x.vRe.length) },
          x,
          limits,
        ).transformerLoadingPct,
      describe: `the transformer at ${s.transformerLoadingPct.toFixed(0)} % of its rating`,
      unit: "% of the rating",
    };
  return undefined;
}

export function checkTrades(
  feeder: Feeder,
  base: Snapshot,
  trades: readonly TradeFlow[],
  options: { limits?: Limits; remedy?: boolean; maxRounds?: number } = {},
): TradeCheck {
  const limits = options.limits ?? EN50160;
  const pf = new PowerFlow(feeder);
  let solves = 0;
  const kw = Float64Array.from(trades, (t) => t.kw);
  const apply = (powers: Float64Array): Snapshot => {
    const p = Float64Array.from(base.pKw);
    trades.forEach((t, i) => {
      p[t.seller] = (p[t.seller] as number) - (powers[i] as number);
      p[t.buyer] = (p[t.buyer] as number) + (powers[i] as number);
    });
    return { pKw: p, qKvar: base.qKvar };
  };
  const solve = (snap: Snapshot) => {
    solves++;
    return pf.solve(snap.pKw, snap.qKvar);
  };
  const baseReport = assess(feeder, base, solve(base), limits);
  let snap = apply(kw);
  let r = solve(snap);
  let report = assess(feeder, snap, r, limits);
  const withTrades = report;
  const reasons = new Map<number, string>();
  const rounds = options.maxRounds ?? 4 * trades.length + 10;
  for (let round = 0; options.remedy !== false && round < rounds; round++) {
    const v = worstViolation(feeder, report, limits);
    if (!v) break;
    const now = v.measure(r);
    // Sensitivity of the violating quantity to each trade still flowing, per kW.
    let best = -1;
    let bestContribution = 0;
    let bestSens = 0;
    for (let i = 0; i < trades.length; i++) {
      const k = kw[i] as number;
      if (k <= 1e-9) continue;
      const step = Math.min(k, 0.5);
      const trial = Float64Array.from(kw);
      trial[i] = k - step;
      const sens = (now - v.measure(solve(apply(trial)))) / step;
      const contribution = sens * k;
      if (contribution > bestContribution) {
        best = i;
        bestContribution = contribution;
        bestSens = sens;
      }
    }
    if (best < 0) break; // nothing the trades can do: the base case itself is the problem
    const cut = Math.min(kw[best] as number, (v.excess / bestSens) * 1.02 + 1e-6);
    kw[best] = (kw[best] as number) - cut;
    if (!reasons.has(best))
      reasons.set(
        best,
        `${v.describe}; this trade moves it ${bestSens.toFixed(3)} ${v.unit} per kW`,
      );
    snap = apply(kw);
    r = solve(snap);
    report = assess(feeder, snap, r, limits);
  }
  const curtailed: Curtailment[] = [];
  trades.forEach((t, i) => {
    if ((kw[i] as number) < t.kw - 1e-9)
      curtailed.push({
        id: t.id,
        kwBefore: t.kw,
        kwAfter: kw[i] as number,
        reason: reasons.get(i) ?? "",
      });
  });
  return { base: baseReport, withTrades, afterRemedy: report, kw, curtailed, solves };
}
