/**
 * A feeder through a day, snapshot by snapshot (each starting from the last solution): voltages
 * against EN 50160's ±10 % of 230 V (207–253 V), the loading of every line against its rating
 * and of the transformer against its own, and the losses.
 */
import type { Feeder } from "./feeder.js";
import { PowerFlow, type PowerFlowResult } from "./powerflow.js";

/** EN 50160 supply voltage limits for 230 V systems, V. */
export const EN50160_MIN_V = 207;
export const EN50160_MAX_V = 253;

export interface Snapshot {
  readonly pKw: Float64Array;
  readonly qKvar: Float64Array;
}

export interface StepReport {
  readonly loadKw: number;
  readonly substationKw: number;
  readonly lossesKw: number;
  readonly vMinV: number;
  readonly vMaxV: number;
  /** Bus-phases outside the limits. */
  readonly violations: number;
  /** Transformer: the most loaded phase against a third of the rating, %. */
  readonly transformerLoadingPct: number;
  /** The most loaded line against its rating, %, and which line feeds which bus. */
  readonly lineLoadingPct: number;
  readonly lineBus: number;
  readonly iterations: number;
  /** Where the lowest and highest voltages are (index 3·bus + phase). */
  readonly vMinAt: number;
  readonly vMaxAt: number;
}

export interface Limits {
  readonly minV: number;
  readonly maxV: number;
}

export const EN50160: Limits = { minV: EN50160_MIN_V, maxV: EN50160_MAX_V };

/** What one solved snapshot means for the limits. */
export function assess(
  feeder: Feeder,
  snap: Snapshot,
  r: PowerFlowResult,
  limits: Limits = EN50160,
): StepReport {
  let load = 0;
  for (const p of snap.pKw) load += p;
  let vMin = Number.POSITIVE_INFINITY;
  let vMax = 0;
  let vMinAt = 0;
  let vMaxAt = 0;
  let violations = 0;
  for (let k = 0; k < r.vRe.length; k++) {
    const v = Math.hypot(r.vRe[k] as number, r.vIm[k] as number);
    if (v < vMin) {
      vMin = v;
      vMinAt = k;
    }
    if (v > vMax) {
      vMax = v;
      vMaxAt = k;
    }
    if (v < limits.minV || v > limits.maxV) violations++;
  }
  let line = 0;
  let lineBus = 0;
  for (let b = 1; b < feeder.buses.length; b++) {
    const rating = feeder.ampacity[b] as number;
    for (let p = 0; p < 3; p++) {
      const i = Math.hypot(r.iRe[3 * b + p] as number, r.iIm[3 * b + p] as number);
      if (i / rating > line) {
        line = i / rating;
        lineBus = b;
      }
    }
  }
  let tr = 0;
  const phaseVa = (feeder.spec.transformer.kva * 1000) / 3;
  for (let p = 0; p < 3; p++) {
    const s =
      Math.hypot(r.vRe[p] as number, r.vIm[p] as number) *
      Math.hypot(r.iRe[p] as number, r.iIm[p] as number);
    tr = Math.max(tr, s / phaseVa);
  }
  return {
    loadKw: load,
    substationKw: r.substationKw,
    lossesKw: r.substationKw - load,
    vMinV: vMin,
    vMaxV: vMax,
    violations,
    transformerLoadingPct: 100 * tr,
    lineLoadingPct: 100 * line,
    lineBus,
    iterations: r.iterations,
    vMinAt,
    vMaxAt,
  };
}

/** Solves `steps` snapshots in order, each starting from the last solution unless `warm` is false. */
export function runSeries(
  feeder: Feeder,
  steps: number,
  snapshotAt: (step: number) => Snapshot,
  limits: Limits = EN50160,
  warm = true,
): StepReport[] {
  const pf = new PowerFlow(feeder);
  const out: StepReport[] = [];
  for (let s = 0; s < steps; s++) {
    const snap = snapshotAt(s);
    const r = pf.solve(snap.pKw, snap.qKvar, { warm: warm && s > 0 });
    out.push(assess(feeder, snap, r, limits));
  }
  return out;
}

/** A day (or any run of steps) in a few numbers: where its extremes are, and its totals. */
export interface DaySummary {
  /** The step with the lowest voltage, the highest, the most loaded line and transformer. */
  readonly lowest: number;
  readonly highest: number;
  readonly mostLoadedLine: number;
  readonly mostLoadedTransformer: number;
  /** Net load and losses over the steps, kWh. */
  readonly netLoadKwh: number;
  readonly lossesKwh: number;
  /** Bus-phase-steps outside the limits, and steps with any. */
  readonly violations: number;
  readonly stepsWithViolations: number;
  readonly iterations: number;
}

/** Sums up steps, `stepsPerHour` to the hour (60 for minutes); the first step wins ties. */
export function summarizeDay(steps: readonly StepReport[], stepsPerHour: number): DaySummary {
  let lowest = 0;
  let highest = 0;
  let line = 0;
  let tr = 0;
  let energy = 0;
  let losses = 0;
  let violations = 0;
  let violated = 0;
  let iterations = 0;
  steps.forEach((s, m) => {
    if (s.vMinV < (steps[lowest] as StepReport).vMinV) lowest = m;
    if (s.vMaxV > (steps[highest] as StepReport).vMaxV) highest = m;
    if (s.lineLoadingPct > (steps[line] as StepReport).lineLoadingPct) line = m;
    if (s.transformerLoadingPct > (steps[tr] as StepReport).transformerLoadingPct) tr = m;
    energy += s.loadKw / stepsPerHour;
    losses += s.lossesKw / stepsPerHour;
    violations += s.violations;
    if (s.violations > 0) violated++;
    iterations += s.iterations;
  });
  return {
    lowest,
    highest,
    mostLoadedLine: line,
    mostLoadedTransformer: tr,
    netLoadKwh: energy,
    lossesKwh: losses,
    violations,
    stepsWithViolations: violated,
    iterations,
  };
}
