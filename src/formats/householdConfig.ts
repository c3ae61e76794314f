/**
 * The household optimisation config (`gridshare optimize household --config`): which columns of
 * the data file are load and PV, the period, the tariff, the grid connection, the battery, the
 * EV, flexible loads, demand-response events and the MPC settings. docs/optimisation.md explains
 * every field; `bench/solarhome/config.json` is a complete example.
 */

import { z } from "zod";
import { clockMinutes, inClockWindow, minuteOfDay } from "../core/clock.js";
import { InputError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { formatInstant, MS_PER_DAY, MS_PER_MINUTE } from "../core/time.js";
import { isTimeZone } from "../core/timeZone.js";
import { fromZodIssues } from "../core/zodIssues.js";
import type { BatterySpec } from "../home/battery.js";
import type { EvSession, EvSpec } from "../home/ev.js";
import type { FlexibleLoad } from "../home/flexibleLoad.js";
import { timeOfUsePeriod, timeOfUsePrices } from "../home/tariff.js";
import type { DemandResponseEvent, HouseholdProblem } from "../optimize/household.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import { readInputFile } from "./inputFile.js";
import { clock, fraction, nonNegative, positive } from "./schemaParts.js";
import { parseStamp } from "./timestamps.js";

const stamp = z
  .string({ error: 'a time like "2011-11-29 00:00" (local) or ISO 8601 with offset' })
  .min(1);
const optionalLimit = (what: string) => z.union([z.null(), positive(what)]).optional();

const batteryConfig = z.strictObject({
  capacity_kwh: positive("kWh"),
  soc_min_kwh: nonNegative("kWh").optional(),
  soc_max_kwh: positive("kWh").optional(),
  initial_kwh: nonNegative("kWh"),
  final_kwh: z.union([z.null(), nonNegative("kWh")]).optional(),
  max_charge_kw: optionalLimit("kW; null for no limit"),
  max_discharge_kw: optionalLimit("kW; null for no limit"),
  charge_efficiency: fraction("round-trip share on charging").optional(),
  discharge_efficiency: fraction("share on discharging").optional(),
  reserve_kwh: nonNegative("kWh kept for outages").optional(),
  degradation_cost_per_kwh: nonNegative("per kWh charged or discharged").optional(),
});

const evSessionConfig = z.strictObject({
  arrive: stamp,
  depart: stamp,
  arrival_kwh: nonNegative("kWh"),
  required_kwh: nonNegative("kWh"),
});

const evConfig = z.strictObject({
  capacity_kwh: positive("kWh"),
  charger_kw: positive("kW"),
  efficiency: fraction("charging efficiency").optional(),
  vehicle_to_home: z.boolean().optional(),
  sessions: z.array(evSessionConfig).optional(),
  daily: z
    .strictObject({
      arrive: clock,
      depart: clock,
      arrival_kwh: nonNegative("kWh"),
      required_kwh: nonNegative("kWh"),
    })
    .optional(),
});

const flexibleLoadConfig = z.strictObject({
  name: z.string().min(1),
  energy_kwh: positive("kWh per window"),
  max_kw: positive("kW"),
  earliest: z.string({ error: 'a start: "HH:MM" (every day) or a time' }).min(1),
  latest: z.string({ error: 'an end: "HH:MM" (every day) or a time' }).min(1),
});

const eventConfig = z
  .strictObject({
    name: z.string().min(1),
    start: stamp,
    end: stamp,
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
  period: z.strictObject({ start: stamp, days: positive("days") }),
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
  battery: z.union([z.null(), batteryConfig]).optional(),
  ev: z.union([z.null(), evConfig]).optional(),
  flexible_loads: z.array(flexibleLoadConfig).optional(),
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
  const { times, stepMs } = regularTimes(file, table, timeCol as string[], zone);
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

  const battery = batteryOf(config.battery, source);

  const period: PeriodSteps = { source, zone, T, stepTimes, stepOf };
  const ev = config.ev ? evOf(config.ev, period) : undefined;

  const flexibleLoads = flexibleLoadsOf(config.flexible_loads ?? [], period);
  const events = eventsOf(config.demand_response ?? [], period);

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

/** What a household's period is, for reading its devices' times as steps. */
interface PeriodSteps {
  readonly source: string;
  readonly zone: string;
  /** Steps in the period. */
  readonly T: number;
  /** Each step's instant, epoch ms. */
  readonly stepTimes: Float64Array;
  /** The step of a time given in the config, `field` naming it in a message. */
  readonly stepOf: (text: string, field: string) => number;
}

/** The data file's times: every row readable, a regular step that divides a day. */
function regularTimes(
  file: string,
  table: ReturnType<typeof parseCsv>,
  timeCol: readonly string[],
  zone: string,
): { times: Float64Array; stepMs: number } {
  const times = new Float64Array(table.rowCount);
  for (let r = 0; r < table.rowCount; r++) {
    const ms = parseStamp(timeCol[r] as string, zone);
    if (ms === undefined)
      throw new InputError(
        "E_DATA_INVALID",
        `${file}, line ${table.lines[r]}: expected a timestamp like "2011-11-29 00:00" or ISO 8601, received ${JSON.stringify(timeCol?.[r])}`,
      );
    times[r] = ms;
  }
  if (table.rowCount < 2)
    throw new InputError("E_DATA_INVALID", `${file}: needs at least two rows`);
  const stepMs = (times[1] as number) - (times[0] as number);
  for (let r = 1; r < table.rowCount; r++) {
    if ((times[r] as number) - (times[r - 1] as number) !== stepMs)
      throw new InputError(
        "E_DATA_INVALID",
        `${file}, line ${table.lines[r]}: the time step changes (expected ${stepMs / MS_PER_MINUTE} min like the first rows; gaps and repeats must be filled first)`,
      );
  }
  if (stepMs <= 0 || MS_PER_DAY % stepMs !== 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: the time step (${stepMs / MS_PER_MINUTE} min) must divide a day`,
    );
  return { times, stepMs };
}

/** The battery's model from its config, checked. */
function batteryOf(b: HouseholdConfig["battery"], source: string): BatterySpec | undefined {
  const battery: BatterySpec | undefined = b
    ? {
        capacityKwh: b.capacity_kwh,
        socMinKwh: b.soc_min_kwh ?? 0,
        socMaxKwh: b.soc_max_kwh ?? b.capacity_kwh,
        initialKwh: b.initial_kwh,
        finalMinKwh: b.final_kwh ?? undefined,
        maxChargeKw: b.max_charge_kw ?? Number.POSITIVE_INFINITY,
        maxDischargeKw: b.max_discharge_kw ?? Number.POSITIVE_INFINITY,
        chargeEfficiency: b.charge_efficiency ?? 1,
        dischargeEfficiency: b.discharge_efficiency ?? 1,
        reserveKwh: b.reserve_kwh ?? 0,
        degradationCostPerKwh: b.degradation_cost_per_kwh ?? 0,
      }
    : undefined;
  if (b && (battery as BatterySpec).socMaxKwh > b.capacity_kwh)
    throw configError(source, "battery.soc_max_kwh: at most capacity_kwh");
  if (b && (b.charge_efficiency === 0 || b.discharge_efficiency === 0))
    throw configError(source, "battery: efficiencies must be above 0");

  return battery;
}

/** The EV's stays (given sessions and daily ones), checked against each other and the battery. */
function evOf(e: NonNullable<HouseholdConfig["ev"]>, period: PeriodSteps): EvSpec {
  const { source, T, stepTimes, zone, stepOf } = period;
  const sessions: EvSession[] = (e.sessions ?? []).map((s, i) => ({
    arriveStep: Math.max(0, stepOf(s.arrive, `ev.sessions[${i}].arrive`)),
    departStep: Math.min(T, stepOf(s.depart, `ev.sessions[${i}].depart`)),
    arrivalKwh: s.arrival_kwh,
    requiredKwh: s.required_kwh,
    source: `ev.sessions[${i}]`,
  }));
  if (e.daily)
    sessions.push(
      ...dailyWindows(e.daily.arrive, e.daily.depart, stepTimes, zone).map(([a, d]) => ({
        arriveStep: a,
        departStep: d,
        arrivalKwh: e.daily?.arrival_kwh ?? 0,
        requiredKwh: e.daily?.required_kwh ?? 0,
        source: `ev.daily (the stay from ${stepTimes[a] === undefined ? `step ${a}` : formatInstant(stepTimes[a] as number)})`,
      })),
    );
  sessions.sort((x, y) => x.arriveStep - y.arriveStep);
  sessions.forEach((s, i) => {
    if (s.departStep <= s.arriveStep)
      throw configError(source, `${s.source}: departs before it arrives, or outside the period`);
    const prev = sessions[i - 1];
    if (prev && prev.departStep > s.arriveStep)
      throw configError(
        source,
        `ev: two stays overlap: ${prev.source} (steps ${prev.arriveStep}-${prev.departStep}) and ${s.source} (steps ${s.arriveStep}-${s.departStep})`,
      );
    if (s.arrivalKwh > e.capacity_kwh || s.requiredKwh > e.capacity_kwh)
      throw configError(source, `${s.source}: charge above the battery's ${e.capacity_kwh} kWh`);
  });
  return {
    capacityKwh: e.capacity_kwh,
    chargerKw: e.charger_kw,
    efficiency: e.efficiency ?? 0.9,
    vehicleToHome: e.vehicle_to_home ?? false,
    sessions,
  };
}

/** The flexible loads' windows (daily by clock, or between two times) as steps. */
function flexibleLoadsOf(
  loads: NonNullable<HouseholdConfig["flexible_loads"]>,
  period: PeriodSteps,
): FlexibleLoad[] {
  const { source, T, stepTimes, zone, stepOf } = period;
  const flexibleLoads: FlexibleLoad[] = [];
  loads.forEach((f, j) => {
    const daily = /^\d{2}:\d{2}$/.test(f.earliest) && /^\d{2}:\d{2}$/.test(f.latest);
    const windows = daily
      ? dailyWindows(f.earliest, f.latest, stepTimes, zone)
      : [
          [
            Math.max(0, stepOf(f.earliest, `flexible_loads[${j}].earliest`)),
            Math.min(T, stepOf(f.latest, `flexible_loads[${j}].latest`)),
          ] as [number, number],
        ];
    for (const [startStep, endStep] of windows) {
      if (endStep <= startStep)
        throw configError(
          source,
          `flexible_loads[${j}]: the window is empty or outside the period`,
        );
      flexibleLoads.push({
        name: f.name,
        energyKwh: f.energy_kwh,
        maxKw: f.max_kw,
        startStep,
        endStep,
      });
    }
  });

  return flexibleLoads;
}

/** The demand-response events as steps, inside the period. */
function eventsOf(
  config: NonNullable<HouseholdConfig["demand_response"]>,
  period: PeriodSteps,
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

/** Every window [arrive, depart) of the period, by local clock, a depart before arrive meaning the next day. */
function dailyWindows(
  from: string,
  to: string,
  stepTimes: Float64Array,
  zone: string,
): [number, number][] {
  const a = clockMinutes(from);
  const d = clockMinutes(to);
  const out: [number, number][] = [];
  let open = -1;
  for (let t = 0; t < stepTimes.length; t++) {
    const inside = inClockWindow(minuteOfDay(stepTimes[t] as number, zone), a, d);
    if (inside && open < 0) open = t;
    if (!inside && open >= 0) {
      out.push([open, t]);
      open = -1;
    }
  }
  if (open >= 0) out.push([open, stepTimes.length]);
  return out;
}
