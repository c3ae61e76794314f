/**
 * What a schedule costs and does, computed from its flows with the problem's prices (never
 * taken from a solver's objective), so every policy is scored the same way.
 */
import { eventsAt, type HouseholdProblem, type Schedule } from "./household.js";

export interface ScheduleSummary {
  readonly days: number;
  /** Total cost over the period: energy, peak-demand charge, wear, unserved energy. */
  readonly cost: number;
  readonly costPerDay: number;
  /** Import energy bought, per day, kWh. */
  readonly gridKwhPerDay: number;
  readonly exportKwhPerDay: number;
  readonly curtailedKwhPerDay: number;
  readonly unservedKwh: number;
  readonly peakImportKw: number;
  /** Energy charged plus discharged by the home battery, kWh. */
  readonly throughputKwh: number;
  readonly finalSocKwh: number;
}

export function summarize(problem: HouseholdProblem, s: Schedule): ScheduleSummary {
  const T = problem.loadKw.length;
  const dt = problem.dtHours;
  const days = (T * dt) / 24;
  let energyCost = 0;
  let imp = 0;
  let exp = 0;
  let cur = 0;
  let unserved = 0;
  let peak = 0;
  let through = 0;
  for (let t = 0; t < T; t++) {
    const i = s.importKw[t] as number;
    const price = (problem.importPrice[t] as number) + eventsAt(problem, t).adder;
    energyCost += (price * i - (problem.exportPrice[t] as number) * (s.exportKw[t] as number)) * dt;
    imp += i * dt;
    exp += (s.exportKw[t] as number) * dt;
    cur += (s.curtailKw[t] as number) * dt;
    unserved += (s.unservedKw[t] as number) * dt;
    through += ((s.chargeKw[t] as number) + (s.dischargeKw[t] as number)) * dt;
    if (i > peak) peak = i;
  }
  const wear = (problem.battery?.degradationCostPerKwh ?? 0) * through;
  const lostLoad = (problem.valueOfLostLoadPerKwh ?? 0) * unserved;
  const cost = energyCost + wear + problem.peakChargePerKw * peak + lostLoad;
  return {
    days,
    cost,
    costPerDay: cost / days,
    gridKwhPerDay: imp / days,
    exportKwhPerDay: exp / days,
    curtailedKwhPerDay: cur / days,
    unservedKwh: unserved,
    peakImportKw: peak,
    throughputKwh: through,
    finalSocKwh: T > 0 ? (s.socKwh[T - 1] as number) : 0,
  };
}

/**
 * The largest power imbalance over the steps, kW: supply (PV used, import, discharge, unserved)
 * minus demand (load, charging, export, flexible loads). Zero up to rounding for a valid schedule.
 */
export function worstImbalance(problem: HouseholdProblem, s: Schedule): number {
  let worst = 0;
  for (let t = 0; t < problem.loadKw.length; t++) {
    let flex = 0;
    for (const f of s.flexKw) flex += f[t] as number;
    const supply =
      Math.max(0, problem.pvKw[t] as number) -
      (s.curtailKw[t] as number) +
      (s.importKw[t] as number) +
      (s.dischargeKw[t] as number) +
      (s.evDischargeKw[t] as number) +
      (s.unservedKw[t] as number);
    const demand =
      (problem.loadKw[t] as number) +
      (s.chargeKw[t] as number) +
      (s.evChargeKw[t] as number) +
      (s.exportKw[t] as number) +
      flex;
    worst = Math.max(worst, Math.abs(supply - demand));
  }
  return worst;
}
