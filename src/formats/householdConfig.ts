/**
 * The household optimisation config (`gridshare optimize household --config`): which columns of
 * the data file are load and PV, the period, the tariff, the grid connection, the battery, the
 * EV, flexible loads, demand-response events and the MPC settings. docs/optimisation.md explains
 * every field; `bench/solarhome/config.json` is a complete example.
 */

import { z } from "zod";
import { InputError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { MS_PER_DAY, MS_PER_MINUTE } from "../core/time.js";
import { isTimeZone } from "../core/timeZone.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { timeOfUsePeriod, timeOfUsePrices } from "../home/tariff.js";
import type { DemandResponseEvent, HouseholdProblem } from "../optimize/household.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import {
  batteryDocumentSchema,
  batteryOf,
  evDocumentSchema,
  evOf,
  flexibleLoadSchema,
  flexibleLoadsOf,
  type HomeSteps,
} from "./homeDevices.js";
import { readInputFile } from "./inputFile.js";
import { clock, localStamp, nonNegative, positive } from "./schemaParts.js";
import {
  parseStamp,
  regularStepMs,
  requireTimes,
  StampReader,
  unreadableLocalStamp,
} from "./timeColumn.js";

const optionalLimit = (what: string) => z.union([z.null(), positive(what)]).optional();

const eventConfig = z
  .strictObject({
    name: z.string().min(1),
    start: localStamp,
    end: localStamp,
    import_cap_kw: nonNegative("kW").optional(),
    price_per_kwh: z
      .number({ error: "a price added per kWh imported during the event" })
      .optional(),
  })
  .refine((e) => e.import_cap_kw !== undefined || e.price_per_kwh !== undefined, {
    error: "an event needs import_cap_kw (a cap on import) or price_per_kwh (a price signal)",
  });

export const householdConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  currency: z.string().min(1).optional(),
  time_zone: z
    .string()
    .refine(isTimeZone, { error: "an IANA time zone name, e.g. Australia/Sydney" })
    .optional(),
  period: z.strictObject({ start: localStamp, days: positive("days") }),
  data: z.strictObject({
    time_column: z.string().optional(),
    load_column: z.string().min(1),
    pv_column: z.string().min(1).optional(),
    unit: z
      .enum(["kW", "kWh"], { error: 'the unit of the values: "kW" or "kWh" per step' })
      .optional(),
    load_scale: positive("factor").optional(),
    pv_scale: nonNegative("factor").optional(),
  }),
  tariff: z.strictObject({
    import_price: z.number({ error: "a price per kWh" }),
    periods: z
      .array(
        z.strictObject({
          from: clock,
          to: clock,
          price: z.number({ error: "a price per kWh" }),
        }),
      )
      .optional(),
    feed_in_price: z.number({ error: "a price per kWh exported" }).optional(),
  }),
  grid: z
    .strictObject({
      import_limit_kw: optionalLimit("kW; null for no limit"),
      export_limit_kw: z.union([z.null(), nonNegative("kW; 0 forbids export")]).optional(),
      peak_charge_per_kw: nonNegative("per kW of the period's highest import").optional(),
      curtailment: z.boolean().optional(),
      value_of_lost_load: z.union([z.null(), positive("per kWh not served")]).optional(),
    })
    .optional(),
  battery: z.union([z.null(), batteryDocumentSchema]).optional(),
  ev: z.union([z.null(), evDocumentSchema]).optional(),
  flexible_loads: z.array(flexibleLoadSchema).optional(),
  demand_response: z.array(eventConfig).optional(),
  mpc: z
    .strictObject({
      horizon_hours: positive("hours").optional(),
      forecast: z.enum(["persistence", "profile", "fixed-profile"]).optional(),
      history_days: positive("days of history for the profile forecasts").int().optional(),
      terminal_value_per_kwh: z.union([z.null(), z.number()]).optional(),
    })
    .optional(),
});

export type HouseholdConfig = z.infer<typeof householdConfigSchema>;

/** A loaded household: the problem over the period plus the history before it (forecasts). */
export interface LoadedHousehold {
  readonly config: HouseholdConfig;
  readonly problem: HouseholdProblem;
  /** Load and PV over the whole data file, kW, and where the period starts in it. */
  readonly history: { loadKw: Float64Array; pvKw: Float64Array; offset: number };
  readonly stepsPerDay: number;
}

function configError(source: string, message: string): InputError {
  return new InputError("E_INPUT", `${source}: ${message}`);
}

export function parseHouseholdConfig(raw: unknown, source: string): HouseholdConfig {
  const parsed = householdConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = fromZodIssues(parsed.error.issues, raw);
  const lines = issues.slice(0, 8).map((i) => `${source}: ${formatIssue(i)}`);
  throw new InputError("E_INPUT", lines.join("\n"), { details: { issues } });
}

export async function loadHouseholdFiles(
  dataPath: string,
  configPath: string,
): Promise<LoadedHousehold> {
  const configText = await readInputFile(configPath, "config");
  let raw: unknown;
  try {
    raw = JSON.parse(configText);
  } catch (error) {
    throw configError(configPath, `not valid JSON (${(error as Error).message})`);
  }
  const config = parseHouseholdConfig(raw, configPath);
  return loadHousehold(
    config,
    parseCsv(await readInputFile(dataPath, "data"), dataPath),
    configPath,
  );
}

export function loadHousehold(
  config: HouseholdConfig,
  table: ReturnType<typeof parseCsv>,
  source: string,
): LoadedHousehold {
  const zone = config.time_zone ?? "UTC";
  const file = table.file;
  const timeCol =
    table.columns[columnIndex(table, config.data.time_column ?? table.header[0] ?? "")];
  const { times, stepMs } = regularTimes(table, timeCol as string[], zone);
  const dt = stepMs / 3_600_000;
  const perKw = config.data.unit === "kWh" ? 1 / dt : 1;
  const loadAll = numberColumn(table, config.data.load_column).map(
    (v) => v * perKw * (config.data.load_scale ?? 1),
  );
  const pvAll = config.data.pv_column
    ? numberColumn(table, config.data.pv_column).map((v) => v * perKw * (config.data.pv_scale ?? 1))
    : new Float64Array(table.rowCount);

  const startMs = parseStamp(config.period.start, zone);
  if (startMs === undefined)
    throw configError(source, `period.start: not a time (${config.period.start})`);
  const offset = Math.round((startMs - (times[0] as number)) / stepMs);
  const stepsPerDay = Math.round(24 / dt);
  const T = Math.round(config.period.days * stepsPerDay);
  if (offset < 0 || times[offset] !== startMs || offset + T > table.rowCount)
    throw configError(
      source,
      `period: ${config.period.days} days from ${config.period.start} are not all in ${file} (it covers ${table.columns[columnIndex(table, config.data.time_column ?? table.header[0] ?? "")]?.[0]} to ${timeCol?.[table.rowCount - 1]})`,
    );

  const stepOf = (text: string, field: string): number => {
    const ms = parseStamp(text, zone);
    if (ms === undefined) throw configError(source, `${field}: not a time (${text})`);
    return Math.round((ms - startMs) / stepMs);
  };
  const labels = (timeCol as string[]).slice(offset, offset + T);
  const stepTimes = times.subarray(offset, offset + T);

  const periods = (config.tariff.periods ?? []).map((p) => timeOfUsePeriod(p.from, p.to, p.price));
  const importPrice = timeOfUsePrices(
    periods,
    { startMs, stepMs, count: T },
    zone,
    config.tariff.import_price,
  );
  const exportPrice = new Float64Array(T).fill(config.tariff.feed_in_price ?? 0);

  const home: HomeSteps = {
    field: "",
    zone,
    count: T,
    stepMinutes: stepMs / MS_PER_MINUTE,
    stepTimes,
    stepOf,
    invalid: (message) => configError(source, message),
  };
  const battery = config.battery ? batteryOf(config.battery, home) : undefined;
  const ev = config.ev ? evOf(config.ev, home) : undefined;
  const flexibleLoads = flexibleLoadsOf(config.flexible_loads ?? [], home);
  const events = eventsOf(config.demand_response ?? [], { source, T, stepOf });

  const grid = config.grid ?? {};
  const problem: HouseholdProblem = {
    dtHours: dt,
    labels,
    loadKw: loadAll.slice(offset, offset + T),
    pvKw: pvAll.slice(offset, offset + T),
    importPrice,
    exportPrice,
    importLimitKw: grid.import_limit_kw ?? Number.POSITIVE_INFINITY,
    exportLimitKw:
      grid.export_limit_kw === undefined || grid.export_limit_kw === null
        ? Number.POSITIVE_INFINITY
        : grid.export_limit_kw,
    peakChargePerKw: grid.peak_charge_per_kw ?? 0,
    curtailment: grid.curtailment ?? true,
    valueOfLostLoadPerKwh: grid.value_of_lost_load ?? undefined,
    battery,
    ev,
    flexibleLoads,
    events,
  };
  return { config, problem, history: { loadKw: loadAll, pvKw: pvAll, offset }, stepsPerDay };
}

/** The data file's times: every row readable, a regular step that divides a day. */
function regularTimes(
  table: ReturnType<typeof parseCsv>,
  timeCol: readonly string[],
  zone: string,
): { times: Float64Array; stepMs: number } {
  const reader = new StampReader(zone, "unreadable");
  const times = requireTimes(table, timeCol, (t) => reader.read(t), unreadableLocalStamp(zone));
  const stepMs = regularStepMs(times, table);
  if (MS_PER_DAY % stepMs !== 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${table.file}: the time step (${stepMs / MS_PER_MINUTE} min) must divide a day`,
    );
  return { times, stepMs };
}

/** The demand-response events as steps, inside the period. */
function eventsOf(
  config: NonNullable<HouseholdConfig["demand_response"]>,
  period: {
    readonly source: string;
    readonly T: number;
    readonly stepOf: (text: string, field: string) => number;
  },
): DemandResponseEvent[] {
  const { source, T, stepOf } = period;
  const events: DemandResponseEvent[] = config.map((e, i) => {
    const startStep = stepOf(e.start, `demand_response[${i}].start`);
    const endStep = stepOf(e.end, `demand_response[${i}].end`);
    if (endStep <= startStep || startStep < 0 || endStep > T)
      throw configError(
        source,
        `demand_response[${i}] (${e.name}): must start before it ends, within the period`,
      );
    return {
      name: e.name,
      startStep,
      endStep,
      importCapKw: e.import_cap_kw,
      priceAdderPerKwh: e.price_per_kwh,
    };
  });
  return events;
}
