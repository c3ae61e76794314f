/** What `gridshare optimize household` prints without --json: the run, and its events. */
import type { HouseholdOutcome, householdRecord } from "../app/optimizeHousehold.js";
import { round } from "../optimize/records.js";
import { keyValues, toTable } from "./output.js";

/** The run's figures per day, then the demand-response events (when there are any). */
export function householdText(
  o: HouseholdOutcome,
  doc: ReturnType<typeof householdRecord>,
): string {
  const s = o.run.summary;
  const cur = o.household.config.currency ? ` (${o.household.config.currency})` : "";
  const summary = keyValues([
    ["policy", o.policy === "mpc" ? `mpc, ${o.horizonHours} h, ${o.forecastLabel}` : o.policy],
    ["days", round(s.days, 3)],
    [`cost per day${cur}`, s.costPerDay.toFixed(4)],
    ["grid import kWh/day", s.gridKwhPerDay.toFixed(3)],
    ["curtailed kWh/day", s.curtailedKwhPerDay.toFixed(3)],
    ["export kWh/day", s.exportKwhPerDay.toFixed(3)],
    ["peak import kW", s.peakImportKw.toFixed(3)],
    ["unserved kWh", s.unservedKwh.toFixed(3)],
    ["final SoC kWh", o.household.problem.battery ? s.finalSocKwh.toFixed(3) : null],
    ["LP solves", o.solves],
    ["seconds", o.run.seconds.toFixed(2)],
  ]);
  if (doc.demand_response.length === 0) return summary;
  const events = toTable(
    ["event", "peak without kW", "peak kW", "reduced kW"],
    doc.demand_response.map((e) => ({
      event: e.name,
      "peak without kW": e.peak_without_event_kw,
      "peak kW": e.peak_kw,
      "reduced kW": e.peak_reduced_kw,
    })),
  );
  const cost = (doc.demand_response_cost ?? 0).toFixed(4);
  return `${summary}\n${events}cost of responding to the events${cur}: ${cost}\n`;
}
