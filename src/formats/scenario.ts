/**
 * Loading a scenario: validate the file, read every series it names, and put them all on the
 * simulation's time axis (UTC, `market.interval_minutes`), ready for the engine. Everything that can
 * be wrong with the scenario or its data is found here, before anything is written.
 */

import { dirname, resolve } from "node:path";
import { clockText } from "../core/clock.js";
import { InputError } from "../core/errors.js";
import { formatIssue, type ValidationIssue } from "../core/issues.js";
import { MS_PER_DAY, MS_PER_MINUTE, parseInstant } from "../core/time.js";
import { localParts, localToUtc } from "../core/timeZone.js";
import { kToPpm, toMicro } from "../core/units.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { windEnergy } from "../forecast/wind.js";
import { timeOfUsePeriod, timeOfUsePrices } from "../home/tariff.js";
import type { MechanismName } from "../market/types.js";
import { drawHomes } from "../sim/drawHomes.js";
import { batteryPolicyOf, type MemberInput, type SimulationInput } from "../sim/types.js";
import { loadAusgrid, loadCityLearn, loadEulvProfile } from "./datasets.js";
import { batteryOf, evOf, flexibleLoadsOf, type HomeSteps } from "./homeDevices.js";
import { readInputFile } from "./inputFile.js";
import { type MemberDocument, type ScenarioDocument, scenarioSchema } from "./scenarioSchema.js";
import { alignEstimated, alignSeries, type EnergySeries, repeatDaily } from "./series.js";
import { loadCsvSeries } from "./seriesCsv.js";
import { parseStamp } from "./timeColumn.js";

export interface ScenarioOverrides {
  /** Draw this many homes from the scenario's homes (seeded time shift and scaling). */
  readonly homes?: number;
  /** Simulate only the first `days` days of the period. */
  readonly days?: number;
  readonly compare?: readonly MechanismName[];
  readonly ledger?: boolean;
  readonly signOrders?: boolean;
}

export interface LoadedScenario {
  readonly document: ScenarioDocument;
  readonly input: SimulationInput;
  readonly endMs: number;
}

function invalid(issues: readonly ValidationIssue[], source: string): InputError {
  const lines = issues.slice(0, 8).map((i) => `${source}: ${formatIssue(i)}`);
  if (issues.length > 8) lines.push(`... and ${issues.length - 8} more`);
  return new InputError("E_SCENARIO_INVALID", lines.join("\n"), { details: { issues } });
}

/** Validates a scenario document; throws `InputError` naming every bad field (first ones first). */
export function parseScenario(raw: unknown, source: string): ScenarioDocument {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw invalid(fromZodIssues(parsed.error.issues, raw), source);
  return parsed.data;
}

interface TimeAxis {
  readonly startMs: number;
  readonly stepMinutes: number;
  readonly count: number;
  readonly timeZone: string;
  readonly baseDir: string;
  /** The scenario file, for messages. */
  readonly source: string;
  /** Each interval's start, epoch ms. */
  readonly stepTimes: Float64Array;
}

/** A daily profile placed at local midnight of the period's first day and repeated. */
function dailyProfile(day: EnergySeries, axis: TimeAxis): EnergySeries {
  const p = localParts(axis.startMs, axis.timeZone);
  const midnight =
    localToUtc({ year: p.year, month: p.month, day: p.day, hour: 0, minute: 0 }, axis.timeZone) ??
    axis.startMs;
  const days =
    Math.ceil(
      (axis.startMs + axis.count * axis.stepMinutes * MS_PER_MINUTE - midnight) / MS_PER_DAY,
    ) + 1;
  return { ...repeatDaily(day, days), startMs: midnight };
}

/** A member's series on the run's time axis, and which of its intervals are estimates. */
interface TimeAxisSeries {
  readonly values: Float64Array;
  readonly estimated: Uint8Array | null;
}

async function loadSeries(
  ref: MemberDocument["load"],
  axis: TimeAxis,
  field: string,
  kind: "load" | "pv",
): Promise<TimeAxisSeries> {
  const align = (s: EnergySeries): TimeAxisSeries => ({
    values: alignSeries(s, axis.startMs, axis.stepMinutes, axis.count, field),
    estimated: alignEstimated(s, axis.startMs, axis.stepMinutes, axis.count, field),
  });
  if ("csv" in ref) return align(await loadCsvSeries(ref, axis.baseDir, field, axis.timeZone));
  if (ref.dataset === "citylearn") {
    const home = (await loadCityLearn()).homes.get(ref.building);
    if (home === undefined)
      throw new InputError(
        "E_SCENARIO_INVALID",
        `${field}.building: no CityLearn building ${ref.building}`,
      );
    return align(kind === "load" ? home.load : home.pvPerKwp);
  }
  if (ref.dataset === "ausgrid") {
    const a = await loadAusgrid();
    return kind === "load"
      ? align(a.load)
      : align({ ...a.pv, values: a.pv.values.map((v) => v / a.pvKwp) });
  }
  return align(dailyProfile(await loadEulvProfile(ref.profile), axis));
}

/** Turbine output per interval from wind speed at measurement height (power law to hub height). */
async function windOutput(
  w: NonNullable<MemberDocument["wind"]>,
  axis: TimeAxis,
  field: string,
): Promise<Float64Array> {
  let speed: Float64Array;
  if ("constant_m_s" in w.wind_speed)
    speed = new Float64Array(axis.count).fill(w.wind_speed.constant_m_s);
  else {
    const s = await loadCsvSeries(w.wind_speed, axis.baseDir, `${field}.wind_speed`, axis.timeZone);
    speed = alignSeries(
      s,
      axis.startMs,
      axis.stepMinutes,
      axis.count,
      `${field}.wind_speed`,
      "mean",
    );
  }
  const turbine = {
    ratedKw: w.rated_kw,
    hubHeightM: w.hub_height_m,
    powerCurve: w.power_curve,
    shearExponent: w.shear_exponent,
  };
  return windEnergy(speed, w.wind_speed.height_m, turbine, axis.stepMinutes / 60);
}

async function loadMember(
  doc: MemberDocument,
  index: number,
  axis: TimeAxis,
): Promise<MemberInput> {
  const field = `members[${index}]`;
  const home = homeSteps(axis, `${field}.`);
  const loaded = await loadSeries(doc.load, axis, `${field}.load`, "load");
  const load = loaded.values;
  let estimated = loaded.estimated;
  if (doc.load_scale !== undefined)
    for (let t = 0; t < load.length; t++) load[t] = (load[t] as number) * doc.load_scale;
  let pvKwh: Float64Array | null = null;
  if (doc.pv) {
    const perKwp = await loadSeries(
      doc.pv.profile as MemberDocument["load"],
      axis,
      `${field}.pv.profile`,
      "pv",
    );
    const kwp = doc.pv.kwp;
    pvKwh = perKwp.values.map((v) => v * kwp);
    if (perKwp.estimated !== null)
      estimated =
        estimated === null
          ? perKwp.estimated
          : estimated.map((e, t) => e | (perKwp.estimated?.[t] ?? 0));
  }
  return {
    id: doc.id,
    name: doc.name ?? doc.id,
    loadKwh: load,
    pvKwh,
    pvKwp: doc.pv?.kwp ?? 0,
    estimated,
    agent: doc.agent
      ? {
          strategy: doc.agent.strategy,
          preferences: {
            greenPremiumMicro: toMicro(doc.agent.green_premium_per_kwh ?? 0),
            maxBuyMicro:
              doc.agent.max_buy_price_per_kwh === undefined
                ? null
                : toMicro(doc.agent.max_buy_price_per_kwh),
            minSellMicro:
              doc.agent.min_sell_price_per_kwh === undefined
                ? null
                : toMicro(doc.agent.min_sell_price_per_kwh),
          },
        }
      : undefined,
    windKwh: doc.wind ? await windOutput(doc.wind, axis, `${field}.wind`) : null,
    battery: doc.battery ? batteryOf(doc.battery, home) : null,
    ev: doc.ev ? evOf(doc.ev, home) : null,
    flexibleLoads: flexibleLoadsOf(doc.flexible_loads ?? [], home),
    source: {
      load: describeRef(doc.load),
      ...(doc.pv ? { pv: describeRef(doc.pv.profile as MemberDocument["load"]) } : {}),
    },
  };
}

/** The run's steps as a home's devices are placed on them; `field` prefixes the fields named. */
function homeSteps(axis: TimeAxis, field: string): HomeSteps {
  const stepMs = axis.stepMinutes * MS_PER_MINUTE;
  return {
    field,
    zone: axis.timeZone,
    count: axis.count,
    stepMinutes: axis.stepMinutes,
    stepTimes: axis.stepTimes,
    stepOf: (text, name) => {
      const ms = parseStamp(text, axis.timeZone);
      if (ms === undefined)
        throw new InputError("E_SCENARIO_INVALID", `${axis.source}: ${name}: not a time (${text})`);
      return Math.round((ms - axis.startMs) / stepMs);
    },
    invalid: (message) => new InputError("E_SCENARIO_INVALID", `${axis.source}: ${message}`),
  };
}

function describeRef(ref: MemberDocument["load"]): string {
  if ("csv" in ref) return `${ref.csv} ${ref.column}`;
  if (ref.dataset === "citylearn") return `citylearn ${ref.building}`;
  if (ref.dataset === "ieee-eulv") return `ieee-eulv profile ${ref.profile}`;
  return "ausgrid customer 12";
}

/** Reads, validates and loads a scenario file. Throws `InputError` for anything wrong. */
export async function loadScenarioFile(
  path: string,
  overrides: ScenarioOverrides = {},
): Promise<LoadedScenario> {
  const text = await readInputFile(path, "scenario");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      "E_SCENARIO_INVALID",
      `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return loadScenario(parseScenario(raw, path), dirname(resolve(path)), overrides, path);
}

/** Loads a validated scenario document; relative data paths resolve against `baseDir`. */
export async function loadScenario(
  doc: ScenarioDocument,
  baseDir: string,
  overrides: ScenarioOverrides,
  source: string,
): Promise<LoadedScenario> {
  const { axis, endMs } = timeAxisOf(doc, baseDir, overrides, source);
  const { startMs, stepMinutes } = axis;
  const loaded: MemberInput[] = [];
  for (let i = 0; i < doc.members.length; i++)
    loaded.push(await loadMember(doc.members[i] as MemberDocument, i, axis));
  const members =
    overrides.homes === undefined
      ? loaded
      : drawHomes(loaded, overrides.homes, doc.seed, stepMinutes);

  const tariff = doc.tariff;
  const importPrice = await importPriceOf(doc, axis, source);
  const carbon = await carbonOf(doc, axis);
  const transformer = await transformerOf(doc, axis);
  const input: SimulationInput = {
    name: doc.name,
    startMs,
    stepMinutes,
    count: axis.count,
    timeZone: doc.time_zone,
    currency: tariff.currency,
    seed: doc.seed,
    members,
    importPriceMicro: importPrice.map((p) => toMicro(p)),
    exportPriceMicro: toMicro(tariff.export_per_kwh),
    networkFeeMicro: toMicro(tariff.network_fee_per_kwh ?? 0),
    carbonKgPerKwh: carbon,
    communityBattery: doc.community_battery
      ? batteryOf(doc.community_battery, homeSteps(axis, "community_"))
      : null,
    market: {
      mechanism: doc.market.mechanism as MechanismName,
      kPpm: doc.market.k === undefined ? null : kToPpm(doc.market.k),
      strategy: doc.market.strategy ?? "truthful",
    },
    compare: overrides.compare ?? [],
    ledger: overrides.ledger ?? doc.ledger ?? true,
    signOrders: overrides.signOrders ?? false,
    batteryPolicy: batteryPolicyOf(doc.battery_policy ?? "rule"),
    transformer,
  };
  return { document: doc, input, endMs };
}

/** The run's time axis: the period (shortened by `days`), in whole market intervals. */
function timeAxisOf(
  doc: ScenarioDocument,
  baseDir: string,
  overrides: ScenarioOverrides,
  source: string,
): { axis: TimeAxis; endMs: number } {
  const startMs = parseInstant(doc.period.start) as number;
  let endMs =
    "end" in doc.period
      ? (parseInstant(doc.period.end) as number)
      : startMs + doc.period.days * MS_PER_DAY;
  if (overrides.days !== undefined) endMs = Math.min(endMs, startMs + overrides.days * MS_PER_DAY);
  const stepMinutes = doc.market.interval_minutes;
  const stepMs = stepMinutes * MS_PER_MINUTE;
  if (endMs <= startMs)
    throw invalid(
      [
        {
          path: ["period", "end"],
          expected: `a time after the start ${doc.period.start}`,
          received: "end" in doc.period ? doc.period.end : doc.period.days,
        },
      ],
      source,
    );
  if ((endMs - startMs) % stepMs !== 0) {
    throw invalid(
      [
        {
          path: ["period"],
          expected: `a length in whole ${stepMinutes}-minute intervals`,
          received: `${(endMs - startMs) / MS_PER_MINUTE} minutes`,
        },
      ],
      source,
    );
  }
  const count = (endMs - startMs) / stepMs;
  const axis: TimeAxis = {
    startMs,
    stepMinutes,
    count,
    timeZone: doc.time_zone,
    baseDir,
    source,
    stepTimes: Float64Array.from({ length: count }, (_, t) => startMs + t * stepMs),
  };
  return { axis, endMs };
}

/** The import price per interval, currency per kWh: CityLearn's, flat, or time of use. */
async function importPriceOf(
  doc: ScenarioDocument,
  axis: TimeAxis,
  source: string,
): Promise<Float64Array> {
  const { startMs, stepMinutes } = axis;
  const stepMs = stepMinutes * MS_PER_MINUTE;
  const tariff = doc.tariff;
  let importPrice: Float64Array;
  if ("dataset" in tariff.import) {
    importPrice = alignSeries(
      (await loadCityLearn()).price,
      startMs,
      stepMinutes,
      axis.count,
      "tariff.import",
      "mean",
    );
  } else if ("flat" in tariff.import) {
    importPrice = new Float64Array(axis.count).fill(tariff.import.flat);
  } else {
    const periods = tariff.import.time_of_use.map((q) => timeOfUsePeriod(q.from, q.to, q.price));
    importPrice = timeOfUsePrices(
      periods,
      { startMs, stepMs, count: axis.count },
      doc.time_zone,
      (m) => {
        throw invalid(
          [
            {
              path: ["tariff", "import", "time_of_use"],
              expected: "periods that cover every hour of the day",
              received: `nothing for ${clockText(m)}`,
            },
          ],
          source,
        );
      },
    );
  }
  return importPrice;
}

/** The grid's carbon intensity per interval, kg per kWh (0 when the scenario has none). */
async function carbonOf(doc: ScenarioDocument, axis: TimeAxis): Promise<Float64Array> {
  const { startMs, stepMinutes } = axis;
  const tariff = doc.tariff;
  let carbon: Float64Array;
  const c = tariff.carbon;
  if (c === undefined) carbon = new Float64Array(axis.count);
  else if ("dataset" in c)
    carbon = alignSeries(
      (await loadCityLearn()).carbon,
      startMs,
      stepMinutes,
      axis.count,
      "tariff.carbon",
      "mean",
    );
  else carbon = new Float64Array(axis.count).fill(c.flat_kg_per_kwh);
  return carbon;
}

/** The transformer, with its ambient temperature per interval, when the scenario names one. */
async function transformerOf(
  doc: ScenarioDocument,
  axis: TimeAxis,
): Promise<SimulationInput["transformer"]> {
  const { startMs, stepMinutes } = axis;
  let transformer: SimulationInput["transformer"] = null;
  if (doc.transformer !== undefined) {
    const a = doc.transformer.ambient_c ?? 20;
    transformer = {
      ratingKva: doc.transformer.rating_kva,
      ambientC:
        typeof a === "number"
          ? new Float64Array(axis.count).fill(a)
          : alignSeries(
              (await loadCityLearn()).outdoorC,
              startMs,
              stepMinutes,
              axis.count,
              "transformer.ambient_c",
              "mean",
            ),
    };
  }
  return transformer;
}
