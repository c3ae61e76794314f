/** The KPIs of a study's variants side by side, as the terminal shows them. */
import type { VariantKpis } from "../sim/kpis.js";
import { toTable } from "./output.js";

export function summaryTable(kpis: Record<string, VariantKpis>, currency: string): string {
  const keys = Object.keys(kpis);
  const label = (k: string) => (k === "p2p" ? `p2p (${kpis[k]?.mechanism})` : k);
  const rows: [string, (v: VariantKpis) => string | number | null][] = [
    [`total bill (${currency})`, (v) => v.total_bill.toFixed(2)],
    [`saving (${currency})`, (v) => v.saving.toFixed(2)],
    ["saving %", (v) => (v.saving_pct === null ? null : v.saving_pct.toFixed(2))],
    [
      "self-sufficiency %",
      (v) => (v.self_sufficiency === null ? null : (100 * v.self_sufficiency).toFixed(1)),
    ],
    [
      "self-consumption %",
      (v) => (v.self_consumption === null ? null : (100 * v.self_consumption).toFixed(1)),
    ],
    ["local traded kWh", (v) => v.local_traded_kwh.toFixed(0)],
    ["grid import kWh", (v) => v.grid_import_kwh.toFixed(0)],
    ["grid export kWh", (v) => v.grid_export_kwh.toFixed(0)],
    ["peak import kW", (v) => v.peak_import_kw.toFixed(1)],
    ["CO2 kg", (v) => v.co2_kg.toFixed(0)],
    ["Gini of savings", (v) => (v.gini_savings === null ? null : v.gini_savings.toFixed(3))],
    ["homes worse off", (v) => (v.mechanism === null ? null : v.homes_worse_off)],
  ];
  const columns = ["kpi", ...keys.map(label)];
  return toTable(
    columns,
    rows.map(([name, f]) =>
      Object.fromEntries([
        ["kpi", name],
        ...keys.map((k) => [label(k), f(kpis[k] as VariantKpis)]),
      ]),
    ),
  );
}
