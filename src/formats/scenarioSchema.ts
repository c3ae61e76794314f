/**
 * The scenario file: a community, its data, its tariff and its market, validated with messages
 * that name the field. `gridshare scenario schema` prints this as JSON Schema; docs/scenario.md
 * explains every field with a full example.
 */

import { z } from "zod";
import { STRATEGIES } from "../agents/strategies.js";
import { clockMinutes, clockText } from "../core/clock.js";
import { isTimeZone } from "../core/timeZone.js";
import { MECHANISM_NAMES } from "../market/types.js";
import {
  batteryDocumentSchema,
  evDocumentSchema,
  flexibleLoadSchema,
  MAX_SIZE,
} from "./homeDevices.js";
import { clock, fraction, instant, nonNegative, positive, positiveAtMost } from "./schemaParts.js";

/** A CSV file with a timestamp column and a value column; the unit says what the values are. */
const csvSeries = <U extends readonly [string, ...string[]]>(units: U) =>
  z.strictObject({
    csv: z.string({ error: "a path to a CSV file (relative to the scenario file)" }).min(1),
    column: z.string({ error: "the name of the value column" }).min(1),
    unit: z.enum(units, { error: `the unit of the values: one of ${units.join(", ")}` }),
    timestamp_column: z.string({ error: "the name of the timestamp column" }).optional(),
    flag_column: z
      .string({ error: "the name of the column of quality flags (default: flag, when present)" })
      .optional(),
    time_zone: z
      .string()
      .refine(isTimeZone, { error: "an IANA time zone name (for timestamps without offset)" })
      .optional(),
  });

const cityLearnBuilding = z
  .string({ error: 'a CityLearn building id, e.g. "Building_3"' })
  .regex(/^Building_([1-9]|1[0-7])$/, {
    error: "a CityLearn building id from Building_1 to Building_17",
  });

export const loadSeriesSchema = z.union([
  z.strictObject({ dataset: z.literal("citylearn"), building: cityLearnBuilding }),
  z.strictObject({ dataset: z.literal("ausgrid") }),
  z.strictObject({
    dataset: z.literal("ieee-eulv"),
    profile: z.number({ error: "a load shape number from 1 to 100" }).int().min(1).max(100),
  }),
  csvSeries(["kW", "W", "kWh", "Wh"] as const),
]);

export const pvProfileSchema = z.union([
  z.strictObject({ dataset: z.literal("citylearn"), building: cityLearnBuilding }),
  z.strictObject({ dataset: z.literal("ausgrid") }),
  csvSeries(["kW_per_kWp", "W_per_kWp", "kWh_per_kWp", "Wh_per_kWp"] as const),
]);

const windSpeedSchema = z.union([
  z.strictObject({ constant_m_s: nonNegative("m/s"), height_m: positive("m") }),
  csvSeries(["m/s"] as const).extend({ height_m: positive("m") }),
]);

const strategySchema = z.enum(STRATEGIES, { error: `one of ${STRATEGIES.join(", ")}` });

export const memberSchema = z.strictObject({
  id: z.string({ error: "the home's id (the data set's own name, e.g. Building_3)" }).min(1),
  name: z.string().optional(),
  load: loadSeriesSchema,
  load_scale: positive("a multiplier of the load").optional(),
  pv: z
    .union([
      z.null(),
      z.strictObject({ kwp: positiveAtMost("kWp", MAX_SIZE), profile: pvProfileSchema }),
    ])
    .optional(),
  wind: z
    .union([
      z.null(),
      z.strictObject({
        rated_kw: positiveAtMost("kW", MAX_SIZE),
        hub_height_m: positive("m"),
        power_curve: z
          .array(z.tuple([nonNegative("m/s"), nonNegative("kW")]), {
            error: "pairs [wind speed m/s, power kW], speeds increasing",
          })
          .min(2)
          .refine((c) => c.every((p, i) => i === 0 || p[0] > (c[i - 1] as [number, number])[0]), {
            error: "pairs [wind speed m/s, power kW] with increasing speeds",
          }),
        wind_speed: windSpeedSchema,
        shear_exponent: nonNegative("the power-law exponent, 1/7 over open ground").optional(),
      }),
    ])
    .optional(),
  battery: z.union([z.null(), batteryDocumentSchema]).optional(),
  ev: z.union([z.null(), evDocumentSchema]).optional(),
  flexible_loads: z.array(flexibleLoadSchema).optional(),
  agent: z
    .strictObject({
      strategy: strategySchema.optional(),
      green_premium_per_kwh: nonNegative("what the home pays extra for a local kWh").optional(),
      max_buy_price_per_kwh: positive("the most the home pays per kWh").optional(),
      min_sell_price_per_kwh: nonNegative("the least the home sells a kWh for").optional(),
    })
    .optional(),
});

/** The first minute of the day that two time-of-use periods both cover, if any. */
function firstOverlap(
  periods: readonly { from: string; to: string }[],
): { earlier: number; later: number; at: string } | undefined {
  const owner = new Int32Array(1440).fill(-1);
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i] as { from: string; to: string };
    const a = clockMinutes(p.from);
    const b = clockMinutes(p.to) === 0 ? 1440 : clockMinutes(p.to);
    const length = a <= b ? b - a : 1440 - a + b;
    for (let k = 0; k < length; k++) {
      const m = (a + k) % 1440;
      const earlier = owner[m] as number;
      if (earlier >= 0) {
        const at = clockText(m);
        return { earlier, later: i, at };
      }
      owner[m] = i;
    }
  }
  return undefined;
}

/** The import price: CityLearn's hourly series, flat, or time of use (the community file reuses it). */
export const priceSchema = z.union([
  z.strictObject({ dataset: z.literal("citylearn") }),
  z.strictObject({ flat: positive("currency per kWh") }),
  z.strictObject({
    time_of_use: z
      .array(z.strictObject({ from: clock, to: clock, price: positive("currency per kWh") }), {
        error: "periods { from, to, price } covering the day",
      })
      .min(1)
      .superRefine((periods, ctx) => {
        const overlap = firstOverlap(periods);
        if (overlap !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [overlap.later],
            message: `a period that does not overlap another (periods[${overlap.earlier}] also covers ${overlap.at})`,
          });
      }),
  }),
]);

/** The grid's carbon intensity: CityLearn's hourly series or flat. */
export const carbonSchema = z.union([
  z.strictObject({ dataset: z.literal("citylearn") }),
  z.strictObject({ flat_kg_per_kwh: nonNegative("kg CO2 per kWh") }),
]);

/** The community's time zone, by its IANA name. */
export const timeZoneSchema = z
  .string({ error: "an IANA time zone name, e.g. Europe/Berlin or Etc/GMT+8" })
  .refine(isTimeZone, { error: "an IANA time zone name, e.g. Europe/Berlin or Etc/GMT+8" });

/** A clearing mechanism's name, from the registry. */
export const mechanismSchema = z.enum(MECHANISM_NAMES as [string, ...string[]], {
  error: `one of ${MECHANISM_NAMES.join(", ")}`,
});

/** The k of k-pricing, for mechanisms that split the surplus. */
export const kSchema = fraction("k of k-pricing");

export const scenarioSchema = z
  .strictObject({
    name: z.string({ error: "a name for the scenario" }).min(1),
    description: z.string().optional(),
    period: z.union([
      z.strictObject({ start: instant, end: instant }),
      z.strictObject({
        start: instant,
        days: z
          .number()
          .int({ error: "a whole number of days" })
          .positive({ error: "a whole number of days" })
          .max(36_600, { error: "a whole number of days, at most 36600 (100 years)" }),
      }),
    ]),
    time_zone: timeZoneSchema,
    seed: z.number({ error: "an integer seed" }).int({ error: "an integer seed" }),
    members: z
      .array(memberSchema, { error: "a list of homes" })
      .min(1, { error: "at least one home" }),
    community_battery: z.union([z.null(), batteryDocumentSchema]).optional(),
    transformer: z
      .strictObject({
        rating_kva: z
          .number({ error: "the transformer's rating, kVA" })
          .positive({ error: "the transformer's rating, kVA" }),
        ambient_c: z
          .union([
            z.number({ error: "an air temperature, °C" }).min(-50).max(60),
            z.strictObject({ dataset: z.literal("citylearn") }),
          ])
          .optional(),
      })
      .optional(),
    tariff: z.strictObject({
      currency: z.string({ error: 'a currency code, e.g. "USD"' }).min(1),
      import: priceSchema,
      export_per_kwh: nonNegative("the feed-in price, currency per kWh"),
      network_fee_per_kwh: nonNegative("currency per kWh of local trade").optional(),
      carbon: carbonSchema.optional(),
    }),
    market: z.strictObject({
      mechanism: mechanismSchema,
      k: kSchema.optional(),
      interval_minutes: z
        .number({ error: "a whole number of minutes that divides a day" })
        .int()
        .positive()
        .refine((m) => 1440 % m === 0, {
          error: "a whole number of minutes that divides a day (15, 30, 60, ...)",
        }),
      strategy: strategySchema.optional(),
    }),
    battery_policy: z
      .enum(["rule", "perfect", "optimal", "mpc"], {
        error: "one of rule, perfect, mpc (optimal is accepted for perfect)",
      })
      .optional(),
    ledger: z.boolean({ error: "true or false" }).optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.members.forEach((m, i) => {
      const j = seen.get(m.id);
      if (j !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["members", i, "id"],
          message: `an id not used by another home (members[${j}] has it)`,
        });
      seen.set(m.id, i);
    });
  });

export type ScenarioDocument = z.infer<typeof scenarioSchema>;
export type MemberDocument = z.infer<typeof memberSchema>;

/** The JSON Schema (draft 2020-12) of scenario files. */
export function scenarioJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(scenarioSchema, { unrepresentable: "any" }),
    title: "gridshare scenario",
    description: "A community, its data, its tariff and its market. See docs/scenario.md.",
  };
}
