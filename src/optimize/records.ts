/**
 * Optimisation results as the files carry them: snake_case, decimal units, rounded to what a
 * reader can use (6 decimals for kW and kWh). Only these builders round; the schedules stay
 * floats in kW and kWh.
 */
import { roundTo as round } from "../core/units.js";
import type { HouseholdProblem, Schedule } from "./household.js";

export const TRAJECTORY_COLUMNS = [
  "time",
  "load_kw",
  "pv_kw",
  "import_price",
  "import_kw",
  "export_kw",
  "curtail_kw",
  "charge_kw",
  "discharge_kw",
  "soc_kwh",
  "ev_charge_kw",
  "ev_discharge_kw",
  "ev_soc_kwh",
  "flexible_kw",
  "unserved_kw",
] as const;

/** Every step of a household's schedule, one record per step (`trajectory.csv`). */
export function trajectoryRecords(problem: HouseholdProblem, s: Schedule) {
  const r = (x: number) => (Number.isNaN(x) ? null : round(x, 6));
  return problem.labels.map((time, t) => {
    let flex = 0;
    for (const f of s.flexKw) flex += f[t] as number;
    return {
      time,
      load_kw: r(problem.loadKw[t] as number),
      pv_kw: r(problem.pvKw[t] as number),
      import_price: problem.importPrice[t] as number,
      import_kw: r(s.importKw[t] as number),
      export_kw: r(s.exportKw[t] as number),
      curtail_kw: r(s.curtailKw[t] as number),
      charge_kw: r(s.chargeKw[t] as number),
      discharge_kw: r(s.dischargeKw[t] as number),
      soc_kwh: problem.battery ? r(s.socKwh[t] as number) : null,
      ev_charge_kw: r(s.evChargeKw[t] as number),
      ev_discharge_kw: r(s.evDischargeKw[t] as number),
      ev_soc_kwh: r(s.evSocKwh[t] as number),
      flexible_kw: r(flex),
      unserved_kw: r(s.unservedKw[t] as number),
    };
  });
}

export { round };
