/**
 * Grid results as files and JSON carry them: snake_case, volts, kW, percent, rounded to what a
 * reader can use. Only these builders round; the power flow and the day stay floats.
 */
import { clockText } from "../core/clock.js";
import { roundTo as round } from "../core/units.js";
import type { DaySummary, StepReport } from "./day.js";
import type { Feeder } from "./feeder.js";
import type { PowerFlowResult } from "./powerflow.js";
import type { DailyCycle } from "./transformerAgeing.js";

export const PHASES = ["A", "B", "C"] as const;

/** Bus and phase of index 3·bus + phase. */
export function busPhase(feeder: Feeder, k: number) {
  return { bus: feeder.buses[Math.floor(k / 3)], phase: PHASES[k % 3] };
}

export const VOLTAGE_COLUMNS = ["bus", "phase", "volts", "angle_deg", "pu"] as const;

/** Every bus and phase: volts, angle (degrees), pu of the secondary's line-to-neutral base. */
export function voltageRecords(f: Feeder, r: PowerFlowResult) {
  const out: { bus: string; phase: string; volts: number; angle_deg: number; pu: number }[] = [];
  const record = (bus: string, p: number, re: number, im: number, base: number) => {
    const v = Math.hypot(re, im);
    out.push({
      bus,
      phase: PHASES[p] as string,
      volts: round(v, 4),
      angle_deg: round((Math.atan2(im, re) * 180) / Math.PI, 4),
      pu: round(v / base, 6),
    });
  };
  for (let p = 0; p < 3; p++)
    record(
      f.spec.transformer.primaryBus,
      p,
      r.primaryRe[p] as number,
      r.primaryIm[p] as number,
      f.primaryBaseVolts,
    );
  f.buses.forEach((bus, b) => {
    for (let p = 0; p < 3; p++)
      record(bus, p, r.vRe[3 * b + p] as number, r.vIm[3 * b + p] as number, f.baseVolts);
  });
  return out;
}

/** The snapshot summary: loads, substation power, losses, lowest and highest LV voltage. */
export function snapshotRecord(f: Feeder, pKw: Float64Array, r: PowerFlowResult) {
  let load = 0;
  for (const p of pKw) load += p;
  let lo = 0;
  let hi = 0;
  const mag = (k: number) => Math.hypot(r.vRe[k] as number, r.vIm[k] as number);
  for (let k = 1; k < r.vRe.length; k++) {
    if (mag(k) < mag(lo)) lo = k;
    if (mag(k) > mag(hi)) hi = k;
  }
  const at = (k: number) => ({
    ...busPhase(f, k),
    volts: round(mag(k), 4),
    pu: round(mag(k) / f.baseVolts, 6),
  });
  return {
    total_load_kw: round(load, 6),
    substation_p_kw: round(r.substationKw, 6),
    substation_q_kvar: round(r.substationKvar, 6),
    losses_kw: round(r.substationKw - load, 6),
    v_min: at(lo),
    v_max: at(hi),
    iterations: r.iterations,
    converged: r.converged,
    base_volts: round(f.baseVolts, 4),
    base: `pu of the secondary's line-to-neutral voltage, ${f.spec.transformer.kvSecondary * 1000} V / sqrt(3) = ${round(f.baseVolts, 2)} V; v_min and v_max over the low-voltage buses`,
  };
}

/** One assessed step in a few numbers (the trade check's base, with trades, after remedy). */
export function stepRecord(f: Feeder, s: StepReport) {
  return {
    v_min_volts: round(s.vMinV, 3),
    v_max_volts: round(s.vMaxV, 3),
    v_max_at: `${f.buses[Math.floor(s.vMaxAt / 3)]} ${PHASES[s.vMaxAt % 3]}`,
    violations: s.violations,
    line_max_loading_pct: round(s.lineLoadingPct, 2),
    transformer_loading_pct: round(s.transformerLoadingPct, 2),
    losses_kw: round(s.lossesKw, 4),
  };
}

/** The transformer's hot spot and ageing if every day were this one (IEC 60076-7). */
export function transformerDayRecord(c: DailyCycle, ambientC: number, kva: number) {
  return {
    model: "IEC 60076-7 ONAN distribution transformer, this day repeated to a steady cycle",
    rating_kva: kva,
    ambient_c: ambientC,
    peak_hot_spot_c: round(c.peakHotSpotC, 2),
    equivalent_ageing: round(c.equivalentAgeing, 4),
    loss_of_life_hours_per_day: round(c.lossOfLifeHoursPerDay, 4),
    warning:
      c.equivalentAgeing > 1
        ? `ages ${round(c.equivalentAgeing, 2)} times faster than nominal (hot spot up to ${round(c.peakHotSpotC, 1)} °C)`
        : null,
  };
}

/** The extremes of a day of minutes, as `powerflow --day` reports them. */
export function dayExtremesRecord(f: Feeder, steps: readonly StepReport[], d: DaySummary) {
  const L = steps[d.lowest] as StepReport;
  const H = steps[d.highest] as StepReport;
  const LL = steps[d.mostLoadedLine] as StepReport;
  return {
    v_min: { time: clockText(d.lowest), ...busPhase(f, L.vMinAt), volts: round(L.vMinV, 3) },
    v_max: { time: clockText(d.highest), ...busPhase(f, H.vMaxAt), volts: round(H.vMaxV, 3) },
    voltage_limits: "EN 50160: 207-253 V (230 V +-10 %)",
    violations_bus_phase_minutes: d.violations,
    minutes_with_violations: d.stepsWithViolations,
    transformer_max_loading_pct: round(
      (steps[d.mostLoadedTransformer] as StepReport).transformerLoadingPct,
      2,
    ),
    line_max_loading_pct: round(LL.lineLoadingPct, 2),
    line_max_loaded: {
      time: clockText(d.mostLoadedLine),
      line: f.lineOf[LL.lineBus]?.name ?? null,
    },
  };
}

export const MINUTE_COLUMNS = [
  "minute",
  "time",
  "load_kw",
  "pv_kw",
  "substation_kw",
  "losses_kw",
  "v_min_v",
  "v_max_v",
  "violations",
  "transformer_loading_pct",
  "line_loading_pct",
  "iterations",
] as const;

/** Every minute of a day; `pvKw[m]` is the PV on the whole feeder at minute m. */
export function minuteRecords(steps: readonly StepReport[], pvKw: (m: number) => number) {
  return steps.map((s, m) => ({
    minute: m + 1,
    time: clockText(m),
    load_kw: round(s.loadKw + pvKw(m), 4),
    pv_kw: round(pvKw(m), 4),
    substation_kw: round(s.substationKw, 4),
    losses_kw: round(s.lossesKw, 4),
    v_min_v: round(s.vMinV, 3),
    v_max_v: round(s.vMaxV, 3),
    violations: s.violations,
    transformer_loading_pct: round(s.transformerLoadingPct, 3),
    line_loading_pct: round(s.lineLoadingPct, 3),
    iterations: s.iterations,
  }));
}

export { round };
