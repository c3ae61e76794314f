/**
 * The maintenance section of a run: what the community's equipment and data say about
 * themselves over the period, what it costs, and what to do.
 *
 * - PV: every member's system against its peers (src/maintenance/pvHealth.ts), when at least
 *   three members have PV, the run is hourly or finer and at least four weeks long. Energy lost
 *   is valued at the mean import price of the period: what it would at most have saved.
 * - Transformer: its hot spot and loss of life under each market variant (IEC 60076-7, ONAN
 *   distribution transformer; the community's net exchange with the grid taken as apparent
 *   power at unity power factor), with a warning when a variant ages it faster than nominal or
 *   clearly faster than buying and selling alone with the grid would.
 * - Data: members whose series hold estimates (from a cleaned file), which their trades carry
 *   into the ledger as "estimated".
 */
import { offsetMinutes } from "../core/timeZone.js";
import { fromMicro, roundTo } from "../core/units.js";
import { transformerThermal } from "../grid/transformerAgeing.js";
import {
  assessPv,
  type PvCause,
  type PvSystemInput,
  pvVerdictRecord,
} from "../maintenance/pvHealth.js";
import type { SimulationRun } from "./run.js";

export interface MaintenanceFinding {
  readonly subject: string;
  readonly kind: "pv" | "transformer" | "data";
  readonly cause: string;
  readonly detail: string;
  readonly confidence: number | null;
  readonly days_affected: number | null;
  readonly lost_kwh: number | null;
  /** Cost over the period, currency. */
  readonly cost: number | null;
  readonly action: string;
}

const PV_ACTIONS: Record<PvCause, string> = {
  outage:
    "check the inverter and its breaker and restart it; ask for monitoring alerts on zero output",
  shading: "look for new shade at those hours (trees, buildings) and trim or re-site what can be",
  wrong_kwp:
    "check the kWp on record against the installed modules and correct the record (it sets shares and forecasts)",
  derate:
    "have a string and inverter check done: a sudden lasting loss is typical of a failed string or a derating inverter",
  soiling: "clean the modules; the losses build up between rains",
  degradation:
    "compare the decline with the module warranty (typically 0.5-0.8 % a year) and raise a claim if beyond it",
};

const round = (x: number, d = 2) => roundTo(x, d);

function hourlyPv(run: SimulationRun): { systems: PvSystemInput[]; reason: string | null } {
  const { input } = run;
  const withPv = input.members.filter((m) => m.pvKwh !== null && m.pvKwp > 0);
  if (withPv.length < 3)
    return {
      systems: [],
      reason: `peer comparison needs at least 3 members with PV, the scenario has ${withPv.length}`,
    };
  if (input.stepMinutes > 60 || 60 % input.stepMinutes !== 0)
    return {
      systems: [],
      reason: `needs hourly or finer intervals, the run has ${input.stepMinutes} min`,
    };
  if (input.count * input.stepMinutes < 90 * 1440)
    return {
      systems: [],
      reason: "needs at least 90 days of data (hour-by-hour shapes are noisy over less)",
    };
  const per = 60 / input.stepMinutes;
  const hours = Math.floor(input.count / per);
  return {
    systems: withPv.map((m) => {
      const e = new Float64Array(hours);
      for (let h = 0; h < hours; h++)
        for (let k = 0; k < per; k++)
          e[h] = (e[h] as number) + ((m.pvKwh as Float64Array)[h * per + k] as number);
      return { id: m.id, kwp: m.pvKwp, energyKwh: e };
    }),
    reason: null,
  };
}

/** Each flagged PV system against its peers, its lost energy valued at `importPrice`. */
function pvSection(run: SimulationRun, importPrice: number) {
  const { input } = run;
  const pv = hourlyPv(run);
  const verdicts =
    pv.reason === null
      ? assessPv(pv.systems, input.startMs, {
          utcOffsetHours: offsetMinutes(input.startMs, input.timeZone) / 60,
        })
      : [];
  const findings: MaintenanceFinding[] = [];
  for (const v of verdicts) {
    if (!v.flagged || v.cause === null) continue;
    const lost = Math.max(0, v.expectedKwh - v.measuredKwh);
    // A wrong kWp is a wrong record, not lost energy (unless the array really is as recorded).
    const onPaper = v.cause === "wrong_kwp";
    findings.push({
      subject: v.id,
      kind: "pv",
      cause: v.cause,
      detail: onPaper
        ? `${v.detail}; if the array is as recorded, it loses ${round(lost, 0)} kWh`
        : v.detail,
      confidence: v.confidence,
      days_affected: v.daysAffected.length,
      lost_kwh: onPaper ? null : round(lost, 1),
      cost: onPaper ? null : round(lost * importPrice),
      action: PV_ACTIONS[v.cause],
    });
  }
  const record =
    pv.reason === null
      ? {
          assessed: true as const,
          systems: verdicts.map((v) => ({
            ...pvVerdictRecord(v),
            days_affected: v.daysAffected.length,
          })),
        }
      : { assessed: false as const, reason: pv.reason };
  return { findings, record };
}

/** The transformer's hot spot and ageing under each variant, and a finding where it ages fast. */
function transformerSection(run: SimulationRun) {
  const { input } = run;
  const t = input.transformer;
  const findings: MaintenanceFinding[] = [];
  if (!t) return { findings, record: null };
  const stepH = input.stepMinutes / 60;
  const variants: Record<string, unknown> = {};
  let gridOnly = Number.NaN;
  for (const acc of run.variants) {
    const pu = Array.from(acc.transformerKwh, (kwh) => Math.abs(kwh) / stepH / t.ratingKva);
    const r = transformerThermal(pu, t.ambientC, input.stepMinutes);
    const days = (input.count * input.stepMinutes) / 1440;
    variants[acc.plan.key] = {
      peak_load_pu: round(r.peakLoadPu, 3),
      peak_hot_spot_c: round(r.peakHotSpotC, 1),
      peak_top_oil_c: round(r.peakTopOilC, 1),
      equivalent_ageing: round(r.equivalentAgeing, 4),
      loss_of_life_days: round(r.lossOfLifeHours / 24, 3),
      period_days: round(days, 2),
      hours_beyond_limits: round(r.hoursBeyondLimits, 2),
    };
    if (acc.plan.key === "grid_only") gridOnly = r.equivalentAgeing;
    const faster = r.equivalentAgeing > 1;
    const fasterThanAlone =
      acc.plan.key !== "grid_only" &&
      r.equivalentAgeing > 1.1 * gridOnly &&
      r.equivalentAgeing > 0.1;
    if (faster || fasterThanAlone)
      findings.push({
        subject: `transformer (${acc.plan.key})`,
        kind: "transformer",
        cause: faster ? "ages_faster_than_nominal" : "ages_faster_than_grid_only",
        detail: `equivalent ageing ${round(r.equivalentAgeing, 2)} (1 = nominal${Number.isNaN(gridOnly) ? "" : `, grid only ${round(gridOnly, 2)}`}), hot spot up to ${round(r.peakHotSpotC, 1)} °C, load up to ${round(r.peakLoadPu, 2)} pu of ${t.ratingKva} kVA, ${round(r.hoursBeyondLimits, 1)} h beyond the normal cyclic limits`,
        confidence: null,
        days_affected: null,
        lost_kwh: null,
        cost: null,
        action:
          "spread the peaks: shift EV charging and battery charging out of the evening peak (a demand-response cap, see optimize community --dr-cap), or plan a larger transformer",
      });
  }
  const record = {
    rating_kva: t.ratingKva,
    model:
      "IEC 60076-7 ONAN distribution transformer; net exchange with the grid at unity power factor",
    variants,
  };
  return { findings, record };
}

/** Members whose series hold estimates, which their trades carry into the ledger. */
function dataSection(run: SimulationRun) {
  const { input } = run;
  const estimated = input.members
    .map((m) => ({ id: m.id, n: m.estimated ? m.estimated.reduce((a, b) => a + b, 0) : 0 }))
    .filter((m) => m.n > 0);
  const findings: MaintenanceFinding[] = estimated.map((m) => ({
    subject: m.id,
    kind: "data",
    cause: "estimated_readings",
    detail: `${m.n} of ${input.count} intervals settled on estimated readings (their trades say "estimated" in the ledger export)`,
    confidence: null,
    days_affected: null,
    lost_kwh: null,
    cost: null,
    action:
      "check the meter and its communication; re-settle the estimated intervals when the readings arrive",
  }));
  const record = {
    members_with_estimates: estimated.map((m) => ({ id: m.id, estimated_intervals: m.n })),
  };
  return { findings, record };
}

/** The maintenance section: PV, transformer and data findings, their cost, and each record. */
export function maintenanceOf(run: SimulationRun) {
  const { input } = run;
  let meanImport = 0;
  for (const p of input.importPriceMicro) meanImport += p;
  const importPrice = fromMicro(Math.round(meanImport / Math.max(1, input.count)));
  const pv = pvSection(run, importPrice);
  const transformer = transformerSection(run);
  const data = dataSection(run);
  const findings = [...pv.findings, ...transformer.findings, ...data.findings];
  return {
    findings,
    total_cost: round(findings.reduce((a, f) => a + (f.cost ?? 0), 0)),
    cost_basis: `energy lost valued at the period's mean import price, ${importPrice} ${input.currency}/kWh`,
    pv: pv.record,
    transformer: transformer.record,
    data_quality: data.record,
  };
}

export type MaintenanceReport = ReturnType<typeof maintenanceOf>;
