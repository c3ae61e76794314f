/**
 * Key performance indicators of a run, per home and for the community, per variant: bills and
 * savings against grid-only, self-sufficiency, self-consumption, local trade, grid exchange,
 * peak import at the transformer, CO2, battery use, and fairness (Gini coefficient of savings,
 * homes worse off). Units: kWh, kW, kg CO2, and money in the tariff's currency (decimal).
 */

import { sum } from "../core/stats.js";
import { fromMicro, roundTo } from "../core/units.js";
import type { HomeFlows } from "./physics.js";
import type { HomeAccount, SimulationRun, VariantAccount } from "./run.js";

const kwh = (wh: number) => Math.round(wh) / 1000;
const r3 = (x: number) => roundTo(x, 3);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const ratio = (num: number, den: number) => (den > 0 ? r6(num / den) : null);

export interface HomeKpis {
  id: string;
  name: string;
  consumption_kwh: number;
  pv_generation_kwh: number;
  wind_generation_kwh: number;
  ev_charging_kwh: number;
  grid_import_kwh: number;
  grid_export_kwh: number;
  local_bought_kwh: number;
  local_sold_kwh: number;
  local_traded_kwh: number;
  community_battery_kwh: number;
  self_sufficiency: number | null;
  self_consumption: number | null;
  total_bill: number;
  saving: number;
  saving_pct: number | null;
  co2_kg: number;
  peak_import_kw: number;
  battery_throughput_kwh: number;
  battery_equivalent_full_cycles: number | null;
  ev_unmet_kwh: number;
}

export interface VariantKpis {
  mechanism: string | null;
  consumption_kwh: number;
  pv_generation_kwh: number;
  wind_generation_kwh: number;
  grid_import_kwh: number;
  grid_export_kwh: number;
  local_traded_kwh: number;
  community_battery_kwh: number;
  self_sufficiency: number | null;
  self_consumption: number | null;
  total_bill: number;
  saving: number;
  saving_pct: number | null;
  co2_kg: number;
  peak_import_kw: number;
  transformer_import_kwh: number;
  transformer_export_kwh: number;
  transformer_co2_kg: number;
  battery_throughput_kwh: number;
  battery_equivalent_full_cycles: number | null;
  gini_savings: number | null;
  homes_worse_off: number;
  trades: number;
  /** Local trade's value at the homes' tariffs over the most the books allowed (null: grid only). */
  market_efficiency: number | null;
  /** Standard deviation of the interval prices where something traded, currency per kWh. */
  price_volatility: number | null;
  /** Share of orders that found no local match at all. */
  unmatched_order_share: number | null;
  welfare: number;
  network_fees: number;
  budget_surplus: number;
  community_battery: {
    charged_kwh: number;
    discharged_kwh: number;
    revenue: number;
    equivalent_full_cycles: number;
  } | null;
  homes: HomeKpis[];
}

/** The standard deviation of the prices of intervals that traded, currency per kWh. */
function priceVolatility(priceMicro: Float64Array): number | null {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const p of priceMicro) {
    if (Number.isNaN(p)) continue;
    n++;
    sum += p;
    sq += p * p;
  }
  if (n < 2) return null;
  const mean = sum / n;
  return Math.round(Math.sqrt(Math.max(0, sq / n - mean * mean))) / 1_000_000;
}

/** A home's bill in micro-units: what it pays minus what it receives minus its battery share. */
export function billMicro(h: HomeAccount): number {
  return h.paysMicro - h.receivesMicro - h.communityBatteryShareMicro;
}

/**
 * Gini coefficient of `values` (mean absolute difference over twice the mean), or null when the
 * mean is not positive (the coefficient is not meaningful then). Negative values are allowed and
 * can push it above 1.
 */
export function gini(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (!(mean > 0)) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Sum of |xi - xj| over all pairs via the sorted form: sum_i (2i - n + 1) x_i.
  let acc = 0;
  for (let i = 0; i < n; i++) acc += (2 * i - n + 1) * (sorted[i] as number);
  return (2 * acc) / (2 * n * n * mean);
}

/** Points of the Lorenz curve: cumulative share of homes (x) and of the total (y), from the lowest value. */
export function lorenz(values: readonly number[]): { x: number; y: number }[] {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  const pts = [{ x: 0, y: 0 }];
  let acc = 0;
  sorted.forEach((v, i) => {
    acc += v;
    pts.push({ x: (i + 1) / sorted.length, y: total === 0 ? 0 : acc / total });
  });
  return pts;
}

function homeKpis(
  run: SimulationRun,
  acc: VariantAccount,
  i: number,
  baselineBill: number,
): HomeKpis {
  const member = run.input.members[i] as (typeof run.input.members)[number];
  const f = run.flows[i] as HomeFlows;
  const h = acc.homes[i] as HomeAccount;
  const consumption = sum(f.consumption);
  const generation = sum(f.generation);
  const pv = member.pvKwh ? sum(member.pvKwh) : 0;
  const wind = member.windKwh ? sum(member.windKwh) : 0;
  const bill = billMicro(h);
  const saving = baselineBill - bill;
  const throughput = sum(f.batteryOut);
  return {
    id: member.id,
    name: member.name,
    consumption_kwh: r3(consumption),
    pv_generation_kwh: r3(pv),
    wind_generation_kwh: r3(wind),
    ev_charging_kwh: r3(sum(f.evCharge)),
    grid_import_kwh: kwh(h.importWh),
    grid_export_kwh: kwh(h.exportWh),
    local_bought_kwh: kwh(h.boughtWh),
    local_sold_kwh: kwh(h.soldWh),
    local_traded_kwh: kwh(h.boughtWh + h.soldWh),
    community_battery_kwh: kwh(h.fromCommunityBatteryWh + h.toCommunityBatteryWh),
    self_sufficiency: ratio(consumption - h.importWh / 1000, consumption),
    self_consumption: ratio(generation - h.exportWh / 1000, generation),
    total_bill: fromMicro(bill),
    saving: fromMicro(saving),
    saving_pct: baselineBill > 0 ? r6((100 * saving) / baselineBill) : null,
    co2_kg: r3(h.co2Kg),
    peak_import_kw: r3(h.peakImportWh / 1000 / (run.input.stepMinutes / 60)),
    battery_throughput_kwh: r3(throughput),
    battery_equivalent_full_cycles:
      f.batteryCapacityKwh > 0 ? r3(throughput / f.batteryCapacityKwh) : null,
    ev_unmet_kwh: r3(f.evUnmetKwh),
  };
}

/** The KPIs of every variant, keyed by variant (grid_only first). */
export function computeKpis(run: SimulationRun): Record<string, VariantKpis> {
  const baseline = run.variants.find((v) => v.plan.key === "grid_only") as VariantAccount;
  const baselineBills = baseline.homes.map(billMicro);
  const stepHours = run.input.stepMinutes / 60;
  const out: Record<string, VariantKpis> = {};
  for (const acc of run.variants) {
    const homes = run.input.members.map((_, i) =>
      homeKpis(run, acc, i, baselineBills[i] as number),
    );
    const savingsMicro = acc.homes.map((h, i) => (baselineBills[i] as number) - billMicro(h));
    const totalBill = acc.homes.reduce((a, h) => a + billMicro(h), 0);
    const baselineTotal = baselineBills.reduce((a, b) => a + b, 0);
    const consumption = sum(run.flows.map((f) => sum(f.consumption)));
    const generation = sum(run.flows.map((f) => sum(f.generation)));
    const importWh = acc.homes.reduce((a, h) => a + h.importWh, 0);
    const exportWh = acc.homes.reduce((a, h) => a + h.exportWh, 0);
    let peak = 0;
    let transformerImport = 0;
    let transformerExport = 0;
    let transformerCo2 = 0;
    acc.transformerKwh.forEach((x, t) => {
      if (x > peak) peak = x;
      if (x > 0) {
        transformerImport += x;
        transformerCo2 += x * (run.input.carbonKgPerKwh[t] as number);
      } else transformerExport -= x;
    });
    const throughput = sum(run.flows.map((f) => sum(f.batteryOut)));
    const capacity = sum(run.flows.map((f) => f.batteryCapacityKwh));
    const cbSpec = run.input.communityBattery;
    const cb = acc.plan.mechanism !== null && cbSpec !== null ? acc.communityBattery : null;
    out[acc.plan.key] = {
      mechanism: acc.plan.mechanism?.name ?? null,
      consumption_kwh: r3(consumption),
      pv_generation_kwh: r3(homes.reduce((a, h) => a + h.pv_generation_kwh, 0)),
      wind_generation_kwh: r3(homes.reduce((a, h) => a + h.wind_generation_kwh, 0)),
      grid_import_kwh: kwh(importWh),
      grid_export_kwh: kwh(exportWh),
      local_traded_kwh: kwh(sum(acc.localTradedWh)),
      community_battery_kwh: kwh(
        acc.homes.reduce((a, h) => a + h.fromCommunityBatteryWh + h.toCommunityBatteryWh, 0),
      ),
      self_sufficiency: ratio(consumption - importWh / 1000, consumption),
      self_consumption: ratio(generation - exportWh / 1000, generation),
      total_bill: fromMicro(totalBill),
      saving: fromMicro(baselineTotal - totalBill),
      saving_pct:
        baselineTotal > 0 ? r6((100 * (baselineTotal - totalBill)) / baselineTotal) : null,
      co2_kg: r3(acc.homes.reduce((a, h) => a + h.co2Kg, 0)),
      peak_import_kw: r3(peak / stepHours),
      transformer_import_kwh: r3(transformerImport),
      transformer_export_kwh: r3(transformerExport),
      transformer_co2_kg: r3(transformerCo2),
      battery_throughput_kwh: r3(throughput),
      battery_equivalent_full_cycles: capacity > 0 ? r3(throughput / capacity) : null,
      gini_savings: acc.plan.mechanism === null ? null : roundOrNull(gini(savingsMicro)),
      homes_worse_off: acc.plan.mechanism === null ? 0 : savingsMicro.filter((s) => s < 0).length,
      trades: acc.tradeCount,
      market_efficiency:
        acc.plan.mechanism === null || acc.maxLocalValueMicro === 0
          ? null
          : r6(acc.localValueMicro / acc.maxLocalValueMicro),
      price_volatility: acc.plan.mechanism === null ? null : priceVolatility(acc.priceMicro),
      unmatched_order_share:
        acc.plan.mechanism === null || acc.ordersTotal === 0
          ? null
          : r6(acc.ordersUnmatched / acc.ordersTotal),
      welfare: fromMicro(acc.welfareMicro),
      network_fees: fromMicro(acc.networkFeesMicro),
      budget_surplus: fromMicro(acc.budgetSurplusMicro),
      community_battery:
        cb === null || cbSpec === null
          ? null
          : {
              charged_kwh: r3(cb.chargedKwh),
              discharged_kwh: r3(cb.dischargedKwh),
              revenue: fromMicro(cb.receivesMicro - cb.paysMicro),
              equivalent_full_cycles: r3(cb.dischargedKwh / cbSpec.capacityKwh),
            },
      homes,
    };
  }
  return out;
}

function roundOrNull(x: number | null): number | null {
  return x === null ? null : r6(x);
}
