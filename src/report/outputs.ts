/**
 * The files a simulation writes (see docs/outputs.md): results.json, homes.csv, intervals.csv
 * and the trades table, built from the run and its KPIs.
 */

import { formatInstant, MS_PER_MINUTE } from "../core/time.js";
import { fromMicro, roundTo } from "../core/units.js";
import type { BatterySpec } from "../home/battery.js";
import type { VariantKpis } from "../sim/kpis.js";
import { maintenanceOf } from "../sim/maintenance.js";
import type { SimulationRun, VariantAccount } from "../sim/run.js";
import { communityTotals } from "./series.js";

const r3 = (x: number) => roundTo(x, 3);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export interface ScenarioEcho {
  readonly name: string;
  readonly description?: string | undefined;
  readonly period: { start: string; end: string; intervals: number; interval_minutes: number };
  readonly time_zone: string;
  readonly currency: string;
  readonly seed: number;
  readonly homes: number;
  readonly mechanism: string;
  readonly k: number | null;
  readonly strategy: string;
  readonly battery_policy: string;
  readonly compare: readonly string[];
  readonly ledger: boolean;
  readonly sign_orders: boolean;
  readonly export_price_per_kwh: number;
  readonly network_fee_per_kwh: number;
  readonly community_battery: unknown;
}

export function scenarioEcho(run: SimulationRun, description?: string): ScenarioEcho {
  const i = run.input;
  const endMs = i.startMs + i.count * i.stepMinutes * MS_PER_MINUTE;
  return {
    name: i.name,
    ...(description === undefined ? {} : { description }),
    period: {
      start: formatInstant(i.startMs),
      end: formatInstant(endMs),
      intervals: i.count,
      interval_minutes: i.stepMinutes,
    },
    time_zone: i.timeZone,
    currency: i.currency,
    seed: i.seed,
    homes: i.members.length,
    mechanism: i.market.mechanism,
    k: i.market.kPpm === null ? null : i.market.kPpm / 1e6,
    strategy: i.market.strategy,
    battery_policy: i.batteryPolicy ?? "rule",
    compare: [...i.compare],
    ledger: i.ledger,
    sign_orders: i.signOrders,
    export_price_per_kwh: fromMicro(i.exportPriceMicro),
    network_fee_per_kwh: fromMicro(i.networkFeeMicro),
    community_battery: i.communityBattery ? batteryRecord(i.communityBattery) : null,
  };
}

/** A battery as its scenario rated it (or, given in detail, by its capacity, power and losses). */
function batteryRecord(b: BatterySpec) {
  return {
    capacity_kwh: b.capacityKwh,
    power_kw: b.rating?.powerKw ?? b.maxChargeKw,
    round_trip_efficiency:
      b.rating?.roundTripEfficiency ?? b.chargeEfficiency * b.dischargeEfficiency,
  };
}

export function resultsDocument(
  run: SimulationRun,
  kpis: Record<string, VariantKpis>,
  description?: string,
) {
  return {
    scenario: scenarioEcho(run, description),
    variants: kpis,
    maintenance: maintenanceOf(run),
  };
}

export const HOME_COLUMNS = [
  "variant",
  "id",
  "consumption_kwh",
  "pv_generation_kwh",
  "wind_generation_kwh",
  "ev_charging_kwh",
  "grid_import_kwh",
  "grid_export_kwh",
  "local_bought_kwh",
  "local_sold_kwh",
  "local_traded_kwh",
  "community_battery_kwh",
  "self_sufficiency",
  "self_consumption",
  "total_bill",
  "saving",
  "saving_pct",
  "co2_kg",
  "peak_import_kw",
  "battery_throughput_kwh",
  "battery_equivalent_full_cycles",
  "ev_unmet_kwh",
] as const;

export function homeRows(kpis: Record<string, VariantKpis>): Record<string, unknown>[] {
  return Object.entries(kpis).flatMap(([variant, v]) => v.homes.map((h) => ({ variant, ...h })));
}

export const INTERVAL_COLUMNS = [
  "timestamp",
  "consumption_kwh",
  "generation_kwh",
  "battery_charge_kwh",
  "battery_discharge_kwh",
  "import_price_per_kwh",
  "export_price_per_kwh",
  "carbon_kg_per_kwh",
  "p2p_price_per_kwh",
  "p2p_local_traded_kwh",
  "p2p_grid_import_kwh",
  "p2p_grid_export_kwh",
  "p2p_transformer_kw",
  "grid_only_grid_import_kwh",
  "grid_only_grid_export_kwh",
] as const;

/** Community totals per interval, for the scenario's own variant and grid-only. */
export function intervalRows(run: SimulationRun): Record<string, unknown>[] {
  const { consumption, generation } = communityTotals(run);
  const n = run.input.count;
  const charge = new Float64Array(n);
  const discharge = new Float64Array(n);
  for (const f of run.flows) {
    for (let t = 0; t < n; t++) {
      charge[t] = (charge[t] as number) + (f.batteryIn[t] as number);
      discharge[t] = (discharge[t] as number) + (f.batteryOut[t] as number);
    }
  }
  const p2p = run.variants.find((v) => v.plan.key === "p2p") as VariantAccount;
  const grid = run.variants.find((v) => v.plan.key === "grid_only") as VariantAccount;
  const stepMs = run.input.stepMinutes * MS_PER_MINUTE;
  const stepHours = run.input.stepMinutes / 60;
  const rows: Record<string, unknown>[] = new Array(n);
  for (let t = 0; t < n; t++) {
    const price = p2p.priceMicro[t] as number;
    rows[t] = {
      timestamp: formatInstant(run.input.startMs + t * stepMs),
      consumption_kwh: r3(consumption[t] as number),
      generation_kwh: r3(generation[t] as number),
      battery_charge_kwh: r3(charge[t] as number),
      battery_discharge_kwh: r3(discharge[t] as number),
      import_price_per_kwh: fromMicro(run.input.importPriceMicro[t] as number),
      export_price_per_kwh: fromMicro(run.input.exportPriceMicro),
      carbon_kg_per_kwh: r6(run.input.carbonKgPerKwh[t] as number),
      p2p_price_per_kwh: Number.isNaN(price) ? null : r6(price / 1e6),
      p2p_local_traded_kwh: (p2p.localTradedWh[t] as number) / 1000,
      p2p_grid_import_kwh: (p2p.gridImportWh[t] as number) / 1000,
      p2p_grid_export_kwh: (p2p.gridExportWh[t] as number) / 1000,
      p2p_transformer_kw: r3((p2p.transformerKwh[t] as number) / stepHours),
      grid_only_grid_import_kwh: (grid.gridImportWh[t] as number) / 1000,
      grid_only_grid_export_kwh: (grid.gridExportWh[t] as number) / 1000,
    };
  }
  return rows;
}
