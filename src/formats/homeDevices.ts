/**
 * A home's devices as documents give them, and how they become the home domain (src/home): the
 * one place both the household config (`optimize household --config`) and the scenario's
 * members read a battery, an EV and flexible loads. Each device may be given in either file's
 * terms: a battery by its rating (capacity, power, round-trip efficiency) or in detail (limits
 * and losses on each side); an EV by its daily need (the simulator's pattern) or by its stays
 * (dated sessions or a daily arrival and departure with the charge it arrives with and needs).
 */
import { z } from "zod";
import { clockMinutes, inClockWindow, minuteOfDay } from "../core/clock.js";
import type { InputError } from "../core/errors.js";
import { formatInstant } from "../core/time.js";
import { localParts } from "../core/timeZone.js";
import { type BatterySpec, batteryOfRating } from "../home/battery.js";
import type { EvSession, EvSpec } from "../home/ev.js";
import type { FlexibleLoad } from "../home/flexibleLoad.js";
import {
  clock,
  fraction,
  localStamp,
  nonNegative,
  positive,
  positiveAtMost,
} from "./schemaParts.js";

/** The largest equipment one home may have: 100 MW(h), far beyond any home or community. */
export const MAX_SIZE = 100_000;

const optionalLimit = (what: string) =>
  z.union([z.null(), positiveAtMost(what, MAX_SIZE)]).optional();

/** A battery by its rating (as a data sheet gives it). */
export const batteryRatingSchema = z.strictObject({
  capacity_kwh: positiveAtMost("kWh", MAX_SIZE),
  power_kw: positiveAtMost("kW", MAX_SIZE),
  round_trip_efficiency: z
    .number()
    .gt(0, { error: "a fraction above 0 and at most 1" })
    .max(1, { error: "a fraction above 0 and at most 1" }),
  min_soc: fraction("the reserve kept for outages, share of capacity").optional(),
  initial_soc: fraction("share of capacity at the start").optional(),
});

/** A battery in detail: state-of-charge limits, power and losses on each side, wear. */
export const batteryDetailSchema = z.strictObject({
  capacity_kwh: positiveAtMost("kWh", MAX_SIZE),
  soc_min_kwh: nonNegative("kWh").optional(),
  soc_max_kwh: positiveAtMost("kWh", MAX_SIZE).optional(),
  initial_kwh: nonNegative("kWh"),
  final_kwh: z.union([z.null(), nonNegative("kWh")]).optional(),
  max_charge_kw: optionalLimit("kW; null for no limit"),
  max_discharge_kw: optionalLimit("kW; null for no limit"),
  charge_efficiency: fraction("round-trip share on charging").optional(),
  discharge_efficiency: fraction("share on discharging").optional(),
  reserve_kwh: nonNegative("kWh kept for outages").optional(),
  degradation_cost_per_kwh: nonNegative("per kWh charged or discharged").optional(),
});

/** An EV by its daily need: it comes home at `arrive` missing the day's energy and leaves full. */
export const evDailyNeedSchema = z
  .strictObject({
    battery_kwh: positiveAtMost("kWh", MAX_SIZE),
    charger_kw: positiveAtMost("kW", MAX_SIZE),
    arrive: clock,
    depart: clock,
    energy_needed_kwh: positive("kWh per day"),
    days: z.enum(["all", "weekdays"], { error: '"all" or "weekdays"' }).optional(),
  })
  .refine((ev) => ev.energy_needed_kwh <= ev.battery_kwh, {
    path: ["energy_needed_kwh"],
    error: "at most battery_kwh (a session cannot need more than the battery holds)",
  });

/** An EV by its stays: dated sessions, a daily window, or both. */
export const evStaysSchema = z.strictObject({
  capacity_kwh: positiveAtMost("kWh", MAX_SIZE),
  charger_kw: positiveAtMost("kW", MAX_SIZE),
  efficiency: fraction("charging efficiency").optional(),
  vehicle_to_home: z.boolean().optional(),
  sessions: z
    .array(
      z.strictObject({
        arrive: localStamp,
        depart: localStamp,
        arrival_kwh: nonNegative("kWh"),
        required_kwh: nonNegative("kWh"),
      }),
    )
    .optional(),
  daily: z
    .strictObject({
      arrive: clock,
      depart: clock,
      arrival_kwh: nonNegative("kWh"),
      required_kwh: nonNegative("kWh"),
    })
    .optional(),
});

export const flexibleLoadSchema = z.strictObject({
  name: z.string().min(1),
  energy_kwh: positive("kWh per window"),
  max_kw: positive("kW"),
  earliest: z.string({ error: 'a start: "HH:MM" (every day) or a time' }).min(1),
  latest: z.string({ error: 'an end: "HH:MM" (every day) or a time' }).min(1),
});

export const batteryDocumentSchema = z.union([batteryRatingSchema, batteryDetailSchema]);
export const evDocumentSchema = z.union([evDailyNeedSchema, evStaysSchema]);

export type BatteryDocument = z.infer<typeof batteryDocumentSchema>;
export type EvDocument = z.infer<typeof evDocumentSchema>;
export type FlexibleLoadDocument = z.infer<typeof flexibleLoadSchema>;

/** The steps a home's devices are placed on, and how a document's field is refused. */
export interface HomeSteps {
  /** The prefix of every field named in a message (`members[2].` in a scenario, or ""). */
  readonly field: string;
  readonly zone: string;
  /** Steps in the period, and the length of one. */
  readonly count: number;
  readonly stepMinutes: number;
  /** Each step's instant, epoch ms. */
  readonly stepTimes: Float64Array;
  /** The step of a time given in the document, `field` naming it in a message. */
  readonly stepOf: (text: string, field: string) => number;
  /** The error for a message about the document (it already names its field). */
  readonly invalid: (message: string) => InputError;
}

/** A battery from either form, checked. */
export function batteryOf(b: BatteryDocument, home: HomeSteps): BatterySpec {
  if ("power_kw" in b)
    return batteryOfRating({
      capacityKwh: b.capacity_kwh,
      powerKw: b.power_kw,
      roundTripEfficiency: b.round_trip_efficiency,
      minSoc: b.min_soc ?? 0,
      initialSoc: b.initial_soc ?? 0.5,
    });
  const battery: BatterySpec = {
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
  };
  if (battery.socMaxKwh > b.capacity_kwh)
    throw home.invalid(`${home.field}battery.soc_max_kwh: at most capacity_kwh`);
  if (b.charge_efficiency === 0 || b.discharge_efficiency === 0)
    throw home.invalid(`${home.field}battery: efficiencies must be above 0`);
  return battery;
}

/** An EV from either form: its stays, checked against each other and its battery. */
export function evOf(e: EvDocument, home: HomeSteps): EvSpec {
  if ("battery_kwh" in e) return dailyNeedEv(e, home);
  const { field, count, stepTimes, zone, stepOf } = home;
  const sessions: EvSession[] = (e.sessions ?? []).map((s, i) => ({
    arriveStep: Math.max(0, stepOf(s.arrive, `${field}ev.sessions[${i}].arrive`)),
    departStep: Math.min(count, stepOf(s.depart, `${field}ev.sessions[${i}].depart`)),
    arrivalKwh: s.arrival_kwh,
    requiredKwh: s.required_kwh,
    source: `${field}ev.sessions[${i}]`,
  }));
  const daily = e.daily;
  if (daily)
    sessions.push(
      ...dailyWindows(daily.arrive, daily.depart, stepTimes, zone).map(([a, d]) => ({
        arriveStep: a,
        departStep: d,
        arrivalKwh: daily.arrival_kwh,
        requiredKwh: daily.required_kwh,
        source: `${field}ev.daily (the stay from ${stepTimes[a] === undefined ? `step ${a}` : formatInstant(stepTimes[a] as number)})`,
      })),
    );
  sessions.sort((x, y) => x.arriveStep - y.arriveStep);
  sessions.forEach((s, i) => {
    if (s.departStep <= s.arriveStep)
      throw home.invalid(`${s.source}: departs before it arrives, or outside the period`);
    const prev = sessions[i - 1];
    if (prev && prev.departStep > s.arriveStep)
      throw home.invalid(
        `${field}ev: two stays overlap: ${prev.source} (steps ${prev.arriveStep}-${prev.departStep}) and ${s.source} (steps ${s.arriveStep}-${s.departStep})`,
      );
    if (s.arrivalKwh > e.capacity_kwh || s.requiredKwh > e.capacity_kwh)
      throw home.invalid(`${s.source}: charge above the battery's ${e.capacity_kwh} kWh`);
  });
  return {
    capacityKwh: e.capacity_kwh,
    chargerKw: e.charger_kw,
    efficiency: e.efficiency ?? 0.9,
    vehicleToHome: e.vehicle_to_home ?? false,
    sessions,
  };
}

/**
 * The daily-need EV's stays by local time: it arrives in the step that holds `arrive` (every
 * day or on weekdays) missing the day's need, and leaves in the step that holds `depart`; the
 * charger draws what reaches the car (no losses on the record).
 */
function dailyNeedEv(ev: Extract<EvDocument, { battery_kwh: number }>, home: HomeSteps): EvSpec {
  const arrive = clockMinutes(ev.arrive);
  const depart = clockMinutes(ev.depart) % 1440;
  const weekdaysOnly = (ev.days ?? "all") === "weekdays";
  const sessions: EvSession[] = [];
  let open = -1;
  const leave = (t: number) => {
    if (open < 0) return;
    sessions.push({
      arriveStep: open,
      departStep: t,
      arrivalKwh: ev.battery_kwh - ev.energy_needed_kwh,
      requiredKwh: ev.battery_kwh,
    });
    open = -1;
  };
  for (let t = 0; t < home.count; t++) {
    const p = localParts(home.stepTimes[t] as number, home.zone);
    const m0 = p.hour * 60 + p.minute;
    const within = (x: number) => x >= m0 && x < m0 + home.stepMinutes;
    if (open >= 0 && within(depart)) leave(t);
    if (open < 0 && within(arrive) && (!weekdaysOnly || (p.weekday >= 1 && p.weekday <= 5)))
      open = t;
  }
  leave(home.count);
  return {
    capacityKwh: ev.battery_kwh,
    chargerKw: ev.charger_kw,
    efficiency: 1,
    vehicleToHome: false,
    sessions,
  };
}

/** The flexible loads' windows (daily by clock, or between two times) as steps. */
export function flexibleLoadsOf(
  loads: readonly FlexibleLoadDocument[],
  home: HomeSteps,
): FlexibleLoad[] {
  const { field, count, stepTimes, zone, stepOf } = home;
  const out: FlexibleLoad[] = [];
  loads.forEach((f, j) => {
    const daily = /^\d{2}:\d{2}$/.test(f.earliest) && /^\d{2}:\d{2}$/.test(f.latest);
    const windows = daily
      ? dailyWindows(f.earliest, f.latest, stepTimes, zone)
      : [
          [
            Math.max(0, stepOf(f.earliest, `${field}flexible_loads[${j}].earliest`)),
            Math.min(count, stepOf(f.latest, `${field}flexible_loads[${j}].latest`)),
          ] as [number, number],
        ];
    for (const [startStep, endStep] of windows) {
      if (endStep <= startStep)
        throw home.invalid(
          `${field}flexible_loads[${j}]: the window is empty or outside the period`,
        );
      out.push({ name: f.name, energyKwh: f.energy_kwh, maxKw: f.max_kw, startStep, endStep });
    }
  });
  return out;
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
