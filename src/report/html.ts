/**
 * The simulation report: one self-contained HTML file (inline CSS and SVG, no scripts, no
 * network requests) that opens offline. Sections: the headline comparison, monthly energy flows,
 * prices over a sample week, per-home savings, self-sufficiency by month, fairness (Lorenz curve
 * of savings), battery state of charge over the sample week, and the assumptions.
 */

import { formatInstant, MS_PER_MINUTE } from "../core/time.js";
import { localParts } from "../core/timeZone.js";
import { fromMicro } from "../core/units.js";
import { lorenz, type VariantKpis } from "../sim/kpis.js";
import type { MaintenanceReport } from "../sim/maintenance.js";
import type { SimulationRun, VariantAccount } from "../sim/run.js";
import type { BatteryPolicy } from "../sim/types.js";
import { barChart, lineChart, lorenzChart, PALETTE } from "./charts.js";
import type { ScenarioEcho } from "./outputs.js";
import { type MonthRow, monthKeys, monthly, sampleWeekStart } from "./series.js";

/** Colours for market variants: red and blue stay for the grid's import and feed-in prices. */
const VARIANT_COLORS = [
  "#475569",
  "#16a34a",
  "#f59e0b",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#ea580c",
  "#0f766e",
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? "–"
    : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? "–" : `${fmt(x * 100, digits)} %`;

export interface ReportInput {
  readonly run: SimulationRun;
  readonly kpis: Record<string, VariantKpis>;
  readonly scenario: ScenarioEcho;
  readonly assumptions: readonly string[];
  readonly ledger?: { blocks: number; trades: number; headHash: string } | undefined;
  readonly maintenance: MaintenanceReport;
}

/** The maintenance findings with their evidence, cost and action; PV health; the transformer. */
function maintenanceFindings(m: MaintenanceReport, cur: string): string {
  const rows = m.findings
    .map(
      (f) =>
        `<tr><td>${esc(f.subject)}</td><td>${esc(f.cause.replace(/_/g, " "))}</td><td>${esc(f.detail)}</td><td class="num">${f.lost_kwh === null ? "–" : fmt(f.lost_kwh)}</td><td class="num">${f.cost === null ? "–" : fmt(f.cost, 2)}</td><td>${esc(f.action)}</td></tr>`,
    )
    .join("");
  const table = m.findings.length
    ? `<table class="kpi findings"><tr><th>what</th><th>finding</th><th>evidence</th><th class="num">kWh lost</th><th class="num">cost (${esc(cur)})</th><th>recommended action</th></tr>${rows}</table><p class="note">Total cost of the findings over the period: <b>${fmt(m.total_cost, 2)} ${esc(cur)}</b> (${esc(m.cost_basis)}).</p>`
    : "<p>No findings: every PV system performs like its peers, and no reading was estimated.</p>";
  const pv = m.pv.assessed
    ? `<p class="note">PV: each system's daily yield per kWp against the median of its five closest peers (docs/maintenance.md); ${m.pv.systems.filter((s) => s.flagged).length} of ${m.pv.systems.length} systems flagged.</p>`
    : `<p class="note">PV health not assessed: ${esc(m.pv.reason)}.</p>`;
  const tr = m.transformer
    ? `<p class="note">Transformer (${fmt(m.transformer.rating_kva)} kVA, ${esc(m.transformer.model)}): ${Object.entries(
        m.transformer.variants as Record<
          string,
          { equivalent_ageing: number; peak_hot_spot_c: number; peak_load_pu: number }
        >,
      )
        .map(
          ([k, v]) =>
            `${esc(k)}: ageing ${fmt(v.equivalent_ageing, 3)} × nominal, hot spot up to ${fmt(v.peak_hot_spot_c, 1)} °C at ${fmt(v.peak_load_pu, 2)} pu`,
        )
        .join("; ")}.</p>`
    : `<p class="note">Transformer ageing not assessed: the scenario names no transformer (add <code>"transformer": { "rating_kva": 100 }</code>).</p>`;
  return `${table}${pv}${tr}`;
}

/** A variant's name for people: "grid only", "p2p (mechanism)", or its key. */
function variantLabel(key: string, v: VariantKpis): string {
  if (key === "grid_only") return "grid only";
  if (key === "p2p") return `p2p (${v.mechanism})`;
  return key;
}

/** The KPI table: one row per figure, one column per market variant. */
function headline(input: ReportInput): string {
  const { kpis, scenario } = input;
  const cur = scenario.currency;
  const rows: [string, (v: VariantKpis) => string][] = [
    [`total bill (${cur})`, (v) => fmt(v.total_bill, 0)],
    [`saving vs grid only (${cur})`, (v) => fmt(v.saving, 0)],
    ["saving vs grid only", (v) => (v.saving_pct === null ? "–" : `${fmt(v.saving_pct, 1)} %`)],
    ["self-sufficiency", (v) => pct(v.self_sufficiency)],
    ["self-consumption", (v) => pct(v.self_consumption)],
    ["locally traded (kWh)", (v) => fmt(v.local_traded_kwh)],
    ["grid import (kWh)", (v) => fmt(v.grid_import_kwh)],
    ["grid export (kWh)", (v) => fmt(v.grid_export_kwh)],
    ["peak import at the transformer (kW)", (v) => fmt(v.peak_import_kw, 1)],
    ["CO₂ from grid imports (kg)", (v) => fmt(v.co2_kg)],
    ["through the transformer, import (kWh)", (v) => fmt(v.transformer_import_kwh)],
    ["CO₂ of the transformer import (kg)", (v) => fmt(v.transformer_co2_kg)],
    [
      "Gini coefficient of savings",
      (v) => (v.gini_savings === null ? "–" : fmt(v.gini_savings, 3)),
    ],
    [
      "homes worse off than grid only",
      (v) => (v.mechanism === null ? "–" : String(v.homes_worse_off)),
    ],
    [
      "market efficiency (local value / most possible)",
      (v) => (v.market_efficiency === null ? "–" : pct(v.market_efficiency)),
    ],
    [
      `price volatility (std, ${cur}/kWh)`,
      (v) => (v.price_volatility === null ? "–" : fmt(v.price_volatility, 4)),
    ],
    [
      "orders with no local match",
      (v) => (v.unmatched_order_share === null ? "–" : pct(v.unmatched_order_share)),
    ],
  ];
  const keys = Object.keys(kpis);
  const head = `<tr><th></th>${keys.map((k) => `<th>${esc(variantLabel(k, kpis[k] as VariantKpis))}</th>`).join("")}</tr>`;
  const body = rows
    .map(
      ([label, f]) =>
        `<tr><td>${esc(label)}</td>${keys.map((k) => `<td class="num">${esc(f(kpis[k] as VariantKpis))}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table class="kpi">${head}${body}</table>`;
}

/** The lead paragraph: the p2p market's bill and saving against grid only, in words. */
function callout(input: ReportInput): string {
  const p2p = input.kpis.p2p as VariantKpis;
  const cur = input.scenario.currency;
  const worse = p2p.homes_worse_off;
  return `<p class="lead">With <b>${esc(p2p.mechanism ?? "")}</b> trading, the community's bill is <b>${fmt(p2p.total_bill)} ${esc(cur)}</b> against <b>${fmt((input.kpis.grid_only as VariantKpis).total_bill)} ${esc(cur)}</b> buying and selling only with the grid: a saving of <b>${fmt(p2p.saving)} ${esc(cur)} (${fmt(p2p.saving_pct ?? 0, 1)} %)</b>. ${fmt(p2p.local_traded_kwh)} kWh changed hands between neighbours, and self-sufficiency is ${pct(p2p.self_sufficiency)}. ${worse === 0 ? "No home is worse off than with the grid alone." : `<b>${worse} home(s) are worse off</b> than with the grid alone.`}</p>`;
}

/** How many homes bid with each strategy, e.g. "12 truthful, 5 zip". */
function strategyMix(run: SimulationRun): string {
  const counts = new Map<string, number>();
  for (const m of run.input.members) {
    const s = m.agent?.strategy ?? run.input.market.strategy;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
}

const BATTERY_POLICY_TEXT: Record<BatteryPolicy, string> = {
  rule: "Home batteries follow the self-consumption rule: charge from surplus, discharge to cover deficit, never from or to the grid; losses split evenly between charging and discharging.",
  mpc: "Home batteries are scheduled by each home itself, by model-predictive control on its own past (a 24-hour plan every interval, the first step applied); homes with forecast-driven agents plan against the prices they expect on the local market, the others against the tariff. Losses split evenly between charging and discharging.",
  perfect:
    "Home batteries follow the joint community optimum with perfect day-ahead foresight (a yardstick no real controller reaches); losses split evenly between charging and discharging.",
};

/** Who bid how: the agents' strategies (docs/agents.md). */
function agentsNote(run: SimulationRun): string {
  const premium = run.input.members.filter(
    (m) => (m.agent?.preferences.greenPremiumMicro ?? 0) > 0,
  ).length;
  const mix = strategyMix(run);
  return `<p class="note">Bids: ${esc(mix)}${premium > 0 ? `; ${premium} home(s) pay a premium for local energy` : ""}. Market efficiency is the value of local trade at the homes' own tariffs over the most the interval's bids and offers allowed; strategic bidding trades less than that (docs/agents.md).</p>`;
}

/** What every section of the report reads: the input and the views of the run derived once. */
interface ReportView {
  readonly input: ReportInput;
  readonly cur: string;
  readonly p2pAcc: VariantAccount;
  readonly p2p: VariantKpis;
  /** Local month of each interval, and the p2p market's flows per month. */
  readonly months: readonly string[];
  readonly byMonth: readonly MonthRow[];
  readonly week: SampleWeek;
}

/** The seven days with the most local trade: where they start, their axis labels, their span. */
interface SampleWeek {
  readonly start: number;
  readonly length: number;
  readonly labels: readonly string[];
  /** The span in words, first instant to the end. */
  readonly text: string;
  /** The week's values of a per-interval series. */
  readonly slice: (a: ArrayLike<number>) => number[];
}

/** One line of the state-of-charge chart. */
interface SocLine {
  name: string;
  values: (number | null)[];
  color?: string;
  width?: number;
}

/** The sample week of a run, chosen by the p2p market's local trade. */
function sampleWeek(run: SimulationRun, p2pAcc: VariantAccount): SampleWeek {
  const { startMs, stepMinutes, count, timeZone } = run.input;
  const length = Math.min(count, Math.round((7 * 1440) / stepMinutes));
  const start = sampleWeekStart(run, p2pAcc);
  const stepMs = stepMinutes * MS_PER_MINUTE;
  const labels = Array.from({ length }, (_, i) => {
    const p = localParts(startMs + (start + i) * stepMs, timeZone);
    return `${p.month}/${p.day} ${String(p.hour).padStart(2, "0")}h`;
  });
  const text = `${formatInstant(startMs + start * stepMs)} to ${formatInstant(startMs + (start + length) * stepMs)}`;
  const slice = (a: ArrayLike<number>) => Array.from({ length }, (_, i) => a[start + i] as number);
  return { start, length, labels, text, slice };
}

/** The views every section shares, derived once from the input. */
function reportView(input: ReportInput): ReportView {
  const { run } = input;
  const p2pAcc = run.variants.find((v) => v.plan.key === "p2p") as VariantAccount;
  const months = monthKeys(run);
  return {
    input,
    cur: input.scenario.currency,
    p2pAcc,
    p2p: input.kpis.p2p as VariantKpis,
    months,
    byMonth: monthly(run, p2pAcc, months),
    week: sampleWeek(run, p2pAcc),
  };
}

/** A variant's display label, from its key and its KPIs. */
function labelOf(view: ReportView, key: string): string {
  return variantLabel(key, view.input.kpis[key] as VariantKpis);
}

/** The p2p market's Gini coefficient of savings, to three places. */
function giniText(p2p: VariantKpis): string {
  return p2p.gini_savings === null ? "–" : fmt(p2p.gini_savings, 3);
}

/** The stylesheet, inline so that the report opens offline. */
const STYLE = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;margin:0;background:#f8fafc}
main{max-width:940px;margin:0 auto;padding:24px 28px 64px;background:#fff}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:36px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.sub{color:#475569;margin:0 0 16px}.lead{font-size:16px;background:#f1f5f9;padding:12px 16px;border-radius:6px}
table.kpi{border-collapse:collapse;width:100%;font-size:14px}table.kpi th,table.kpi td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left}
table.kpi td.num,table.kpi th{text-align:right}table.kpi td:first-child,table.kpi th:first-child{text-align:left}
svg{max-width:100%;height:auto;display:block;margin:8px 0}svg .grid{stroke:#e2e8f0;stroke-width:1}svg .tick{font-size:11px;fill:#475569}
svg .axis-label{font-size:12px;fill:#334155}figure{margin:8px 0 20px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:#0f172a;padding-left:64px}.legend .key{display:inline-flex;align-items:center;gap:6px}.legend svg{display:inline;margin:0}
.note{color:#475569;font-size:13px}ul.assumptions li{margin:4px 0}code{font-size:12px;background:#f1f5f9;padding:1px 4px;border-radius:3px}
table.findings th{text-align:left}table.findings th.num{text-align:right}table.findings td{vertical-align:top}
.two{display:grid;grid-template-columns:1fr 1fr;gap:12px;align-items:start}`;

/** The document's head: character set, viewport, title and the stylesheet. */
function documentHead(name: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(name)}: gridshare simulation report</title>
<style>
${STYLE}
</style></head>`;
}

/** The title and the line under it: homes, period, interval, currency. */
function titleSection({ input, cur }: ReportView): string {
  const { run, scenario } = input;
  const { startMs, count, stepMinutes } = run.input;
  const stepMs = stepMinutes * MS_PER_MINUTE;
  const period = `${formatInstant(startMs)} to ${formatInstant(startMs + count * stepMs)}`;
  return `<h1>${esc(scenario.name)}</h1>
<p class="sub">${fmt(scenario.homes)} homes · ${esc(period)} · ${scenario.period.interval_minutes}-minute intervals · ${esc(cur)} · generated by gridshare</p>`;
}

/** The lead paragraph, the KPI table of every variant, who bid how, and how to read it. */
function headlineSection({ input }: ReportView): string {
  return `${callout(input)}
<h2>Headline comparison</h2>
${headline(input)}
${agentsNote(input.run)}
<p class="note">Money is over the whole period. "Grid only" settles every home alone with the grid (its own PV and battery, no local trade). Grid import, export and their CO₂ are what each home's meter settles with the grid. The transformer rows and the peak are physical: energy a neighbour sold was never going to leave the street, so local trading moves money, not electrons, and the physical figures only change where storage changes the flows.</p>`;
}

/** The p2p market's monthly generation, consumption, local trade, import and export. */
function flowsSection({ byMonth }: ReportView): string {
  const chart = barChart({
    title: "Monthly energy flows",
    categories: byMonth.map((m) => m.month),
    series: [
      { name: "generation", values: byMonth.map((m) => m.generation_kwh), color: "#f59e0b" },
      { name: "consumption", values: byMonth.map((m) => m.consumption_kwh), color: "#475569" },
      { name: "traded locally", values: byMonth.map((m) => m.local_traded_kwh), color: "#16a34a" },
      { name: "grid import", values: byMonth.map((m) => m.grid_import_kwh), color: "#dc2626" },
      { name: "grid export", values: byMonth.map((m) => m.grid_export_kwh), color: "#2563eb" },
    ],
    yLabel: "kWh per month",
  });
  return `<h2>Monthly energy flows (p2p)</h2>
${chart}`;
}

/** The grid's import and feed-in prices and each market's clearing price over the sample week. */
function pricesSection(view: ReportView): string {
  const { run } = view.input;
  const { week } = view;
  const series = [
    {
      name: "import price",
      values: week.slice(run.input.importPriceMicro).map((v) => v / 1e6),
      color: "#dc2626",
    },
    {
      name: "feed-in price",
      values: week
        .slice(new Float64Array(run.input.count).fill(run.input.exportPriceMicro))
        .map((v) => v / 1e6),
      color: "#2563eb",
      dashed: true,
    },
    ...run.variants
      .filter((v) => v.plan.mechanism !== null)
      .map((acc, k) => ({
        name: `${labelOf(view, acc.plan.key)} price`,
        values: week.slice(acc.priceMicro).map((v) => (Number.isNaN(v) ? null : v / 1e6)),
        color: VARIANT_COLORS[(k + 1) % VARIANT_COLORS.length] as string,
      })),
  ];
  const chart = lineChart({
    title: "Prices over the sample week",
    xLabels: week.labels,
    series,
    yLabel: `${view.cur} per kWh`,
  });
  return `<h2>Prices over a sample week</h2>
<p class="note">The seven days with the most local trade: ${esc(week.text)}, local time ${esc(run.input.timeZone)}.</p>
${chart}`;
}

/** Each home's p2p saving against grid only, smallest first. */
function savingsSection({ p2p, cur }: ReportView): string {
  const homes = [...p2p.homes].sort((a, b) => a.saving - b.saving);
  const chart = barChart({
    title: "Saving of each home against grid only",
    categories: homes.map((h) => h.id),
    series: [{ name: "saving", values: homes.map((h) => h.saving), color: "#16a34a" }],
    negativeColor: "#dc2626",
    yLabel: `${cur} over the period`,
    rotateLabels: true,
    height: 360,
  });
  return `<h2>Per-home savings</h2>
${chart}`;
}

/** Every variant's self-sufficiency per month. */
function selfSufficiencySection(view: ReportView): string {
  const { run } = view.input;
  const series = run.variants.map((acc, k) => ({
    name: labelOf(view, acc.plan.key),
    values: monthly(run, acc, view.months).map((m) =>
      m.self_sufficiency === null ? null : 100 * m.self_sufficiency,
    ),
    color: VARIANT_COLORS[k % VARIANT_COLORS.length] as string,
  }));
  const chart = lineChart({
    title: "Self-sufficiency by month",
    xLabels: view.byMonth.map((m) => m.month),
    series,
    yLabel: "% of consumption met locally",
    yMin: 0,
    yMax: 100,
  });
  return `<h2>Self-sufficiency by month</h2>
${chart}`;
}

/** The Lorenz curve of the p2p savings, with how to read it and who is worse off. */
function fairnessSection({ p2p }: ReportView): string {
  const chart = lorenzChart({
    title: "Lorenz curve of savings",
    points: lorenz(p2p.homes.map((h) => h.saving)),
    label: `p2p savings (Gini ${giniText(p2p)})`,
  });
  return `<h2>Fairness</h2>
<div class="two">${chart}<div><p>The Lorenz curve orders homes from the smallest saving to the largest; the further it sags below the line of equal shares, the more the savings concentrate on a few homes. Gini coefficient of savings: <b>${giniText(p2p)}</b> (0: every home saves the same; a coefficient above 1 is possible when some homes lose).</p><p>Homes worse off than with the grid alone: <b>${p2p.homes_worse_off}</b> of ${p2p.homes.length}.</p></div></div>`;
}

/** The home batteries' state of charge: one line each up to 20 batteries, their mean beyond. */
function homeBatteryLines({ input, week }: ReportView): SocLine[] {
  const { run } = input;
  const withBattery = run.flows
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.batteryCapacityKwh > 0);
  if (withBattery.length === 0) return [];
  if (withBattery.length <= 20)
    return withBattery.map(({ f, i }, k) => ({
      name: run.input.members[i]?.id ?? String(i),
      values: week.slice(f.soc).map((v) => (Number.isNaN(v) ? null : 100 * v)),
      color: PALETTE[k % PALETTE.length] as string,
      width: 1.2,
    }));
  const mean = Array.from(
    { length: week.length },
    (_, i) =>
      (100 * withBattery.reduce((a, { f }) => a + (f.soc[week.start + i] as number), 0)) /
      withBattery.length,
  );
  return [
    {
      name: `mean of ${withBattery.length} home batteries`,
      values: mean,
      color: PALETTE[0] as string,
    },
  ];
}

/** The batteries' state of charge over the sample week, and the community battery's account. */
function batterySection(view: ReportView): string {
  const { input, p2pAcc, week } = view;
  const lines = homeBatteryLines(view);
  if (input.run.input.communityBattery) {
    lines.push({
      name: "community battery",
      values: week.slice(p2pAcc.communityBatterySoc).map((v) => (Number.isNaN(v) ? null : 100 * v)),
      color: "#111827",
      width: 2.6,
    });
  }
  const chart = lines.length
    ? lineChart({
        title: "Battery state of charge over the sample week",
        xLabels: week.labels,
        series: lines,
        yLabel: "% of capacity",
        yMin: 0,
        yMax: 100,
        height: 340,
      })
    : "<p>No batteries in this community.</p>";
  return `<h2>Battery state of charge over the sample week</h2>
${chart}
${communityBatteryNote(view)}`;
}

/** What the community battery charged, discharged and earned for the homes; empty without one. */
function communityBatteryNote({ p2p, cur }: ReportView): string {
  const cb = p2p.community_battery;
  return cb
    ? `<p>Community battery: charged ${fmt(cb.charged_kwh)} kWh, discharged ${fmt(cb.discharged_kwh)} kWh (${fmt(cb.equivalent_full_cycles, 1)} full cycles); its surplus of ${fmt(cb.revenue, 2)} ${esc(cur)} went back to the homes in proportion to their consumption.</p>`
    : "";
}

/** The maintenance section: its heading and the findings. */
function maintenanceSection({ input, cur }: ReportView): string {
  return `<h2>Maintenance</h2>
${maintenanceFindings(input.maintenance, cur)}`;
}

/** The assumptions, the ledger if one was kept, and the units. */
function assumptionsSection({ input, cur }: ReportView): string {
  return `<h2>Assumptions</h2>
<ul class="assumptions">${input.assumptions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul>
${ledgerNote(input)}
<p class="note">Units: energy in kWh, power in kW, money in ${esc(cur)}. Every figure is in results.json; the columns of the CSV files are described in docs/outputs.md.</p>`;
}

/** The ledger's size and head, with the command that checks it; empty without a ledger. */
function ledgerNote({ ledger }: ReportInput): string {
  return ledger
    ? `<p>Ledger: ${fmt(ledger.blocks)} blocks, ${fmt(ledger.trades)} trades, head <code>${esc(ledger.headHash)}</code>. Check it with <code>gridshare ledger verify &lt;out&gt;/ledger</code>.</p>`
    : "";
}

/** The report of a run: its head, then each section in reading order. */
export function renderReport(input: ReportInput): string {
  const view = reportView(input);
  const sections = [
    titleSection(view),
    headlineSection(view),
    flowsSection(view),
    pricesSection(view),
    savingsSection(view),
    selfSufficiencySection(view),
    fairnessSection(view),
    batterySection(view),
    maintenanceSection(view),
    assumptionsSection(view),
  ];
  return `${documentHead(input.scenario.name)}<body><main>
${sections.join("\n")}
</main></body></html>
`;
}

/** The assumptions behind a run, in words, for the report. */
export function assumptionsOf(run: SimulationRun, extra: readonly string[] = []): string[] {
  const i = run.input;
  const cur = i.currency;
  const lines = [
    `Homes: ${i.members.length}; data: ${[...new Set(i.members.map((m) => String(m.source.load)))].slice(0, 3).join("; ")}${i.members.length > 3 ? "; ..." : ""}.`,
    `Market: ${i.market.mechanism}${i.market.kPpm === null ? "" : ` with k = ${i.market.kPpm / 1e6}`}, cleared every ${i.stepMinutes} minutes; ${i.compare.length > 0 ? `compared with ${i.compare.join(", ")}` : "no other mechanism compared"}.`,
    `Bids: each home's agent (${strategyMix(run)}) prices its net position after its battery, never above its value when buying nor below its cost when selling; it knows its metered position, so nothing is left to settle as imbalance (docs/agents.md).`,
    `Tariff: import price per interval from the scenario; feed-in ${fromMicro(i.exportPriceMicro)} ${cur}/kWh; network fee on local trades ${fromMicro(i.networkFeeMicro)} ${cur}/kWh, paid by buyers.`,
    BATTERY_POLICY_TEXT[i.batteryPolicy ?? "rule"],
    i.communityBattery
      ? "The community battery absorbs what the community would export after the market and covers what it would import; homes settle with it at the grid's tariffs, and its surplus is returned to them in proportion to their consumption."
      : "No community battery.",
    "CO₂ is counted on the energy each variant buys from the grid, times the grid's carbon intensity in that interval.",
    ...extra,
  ];
  return lines;
}
