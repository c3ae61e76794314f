/**
 * The community file: a live community's configuration (`gridshare serve`). It reuses the
 * scenario file's import price, carbon and mechanism parts, so a CityLearn price series works as
 * the tariff, and adds the market clock, settlement and the operator's keys. docs/platform.md
 * explains every field; `gridshare community schema` prints it as JSON Schema.
 */

import { z } from "zod";
import { clockText, minuteOfDay } from "../core/clock.js";
import { InputError, invariant } from "../core/errors.js";
import { formatIssue, type ValidationIssue } from "../core/issues.js";
import { MS_PER_HOUR, MS_PER_MINUTE } from "../core/time.js";
import { kToPpm, toMicro } from "../core/units.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { periodAt, timeOfUsePeriod } from "../home/tariff.js";
import { findMechanism } from "../market/mechanisms.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import { loadCityLearn } from "./datasets.js";
import { readInputFile } from "./inputFile.js";
import {
  carbonSchema,
  kSchema,
  mechanismSchema,
  priceSchema,
  type ScenarioDocument,
  timeZoneSchema,
} from "./scenarioSchema.js";
import { nonNegative, positive } from "./schemaParts.js";
import type { EnergySeries } from "./series.js";

/** The market interval lengths a live community may clear on, minutes (each divides an hour). */
export const INTERVAL_MINUTES = [5, 10, 15, 20, 30, 60] as const;
/** How far ahead an interval may open for orders: a week. */
export const MAX_OPEN_HOURS = 168;

const wholeNumber = (what: string, min: number, max: number) => {
  const error = `a whole number from ${min} to ${max} (${what})`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const ID = "an id of 1 to 64 lowercase letters, digits, - and _, starting with a letter or digit";
const CURRENCY = 'a three-letter ISO 4217 currency code, e.g. "EUR" or "USD"';
const publicKey = (role: string) => {
  const error = `the operator's ${role}: an Ed25519 public key, 64 lowercase hex digits`;
  return z.string({ error }).regex(/^[0-9a-f]{64}$/, { error });
};

/** The import price: a constant `price_per_kwh`, or any of the scenario file's forms. */
const importPriceSchema = z.union([
  z.strictObject({ price_per_kwh: positive("currency per kWh") }),
  ...priceSchema.options,
]);

/** A community's market block: the mechanism and its k (omitted: the mechanism's own). */
export const marketSchema = z.strictObject({
  mechanism: mechanismSchema.default("uniform"),
  k: kSchema.optional(),
});

/** A community's tariff block: the grid's import and export prices, the local fee, carbon. */
export const tariffSchema = z.strictObject({
  import: importPriceSchema,
  export_price_per_kwh: nonNegative("the feed-in price, currency per kWh"),
  network_fee_per_kwh: nonNegative("currency per kWh of local trade").default(0),
  carbon: carbonSchema.optional(),
});

export type TariffDocument = z.output<typeof tariffSchema>;
export type MarketDocument = z.output<typeof marketSchema>;

/** How many minutes before an interval starts its orders close. */
export const gateClosureMinutesSchema = wholeNumber(
  "minutes before an interval starts when its orders close",
  0,
  60 * MAX_OPEN_HOURS,
);

/** How many hours before an interval starts its orders open. */
export const openHoursSchema = wholeNumber(
  "hours before an interval starts when its orders open",
  1,
  MAX_OPEN_HOURS,
);

export const communitySchema = z
  .strictObject({
    id: z.string({ error: ID }).regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: ID }),
    name: z.string({ error: "a name for the community" }).min(1, "a name for the community"),
    currency: z.string({ error: CURRENCY }).regex(/^[A-Z]{3}$/, { error: CURRENCY }),
    time_zone: timeZoneSchema,
    interval_minutes: z
      .literal(INTERVAL_MINUTES, { error: `one of ${INTERVAL_MINUTES.join(", ")} (minutes)` })
      .default(15),
    gate_closure_minutes: gateClosureMinutesSchema.default(5),
    open_hours: openHoursSchema.default(24),
    settlement_delay_minutes: wholeNumber(
      "minutes after an interval ends when it is settled",
      0,
      10_080,
    ).default(30),
    imbalance_fee_per_kwh: nonNegative("currency per kWh metered off the traded amount").default(0),
    correction_window_hours: wholeNumber(
      "hours after settlement when a meter reading may still be corrected",
      0,
      8760,
    ).default(72),
    book_visibility: z
      .enum(["depth", "counts"], {
        error: 'one of "depth" (depth per price level), "counts" (only order counts)',
      })
      .default("depth"),
    participants: z
      .strictObject({ public_names: z.boolean({ error: "true or false" }).default(false) })
      .default({ public_names: false }),
    market: marketSchema.default({ mechanism: "uniform", k: 0.5 }),
    tariff: tariffSchema,
    operator: z.strictObject({
      admin_public_key: publicKey("admin key"),
      block_signing_public_key: publicKey("block-signing key"),
    }),
  })
  .superRefine((c, ctx) => {
    if (c.gate_closure_minutes > 60 * c.open_hours)
      ctx.addIssue({
        code: "custom",
        path: ["gate_closure_minutes"],
        message: `at most 60 × open_hours = ${60 * c.open_hours} minutes (an interval's orders close after they open)`,
      });
  });

/** A validated community file, every default filled in. */
export type CommunityDocument = z.output<typeof communitySchema>;

function invalid(issues: readonly ValidationIssue[], source: string): InputError {
  const lines = issues.slice(0, 8).map((i) => `${source}: ${formatIssue(i)}`);
  if (issues.length > 8) lines.push(`... and ${issues.length - 8} more`);
  return new InputError("E_COMMUNITY_INVALID", lines.join("\n"), { details: { issues } });
}

/** Validates a community document; throws `InputError` naming every bad field (first ones first). */
export function parseCommunity(raw: unknown, source: string): CommunityDocument {
  const parsed = communitySchema.safeParse(raw);
  if (!parsed.success) throw invalid(fromZodIssues(parsed.error.issues, raw), source);
  return parsed.data;
}

/** The JSON Schema (draft 2020-12) of community files, with each field's default. */
export function communityJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(communitySchema, { unrepresentable: "any", io: "input" }),
    title: "gridshare community",
    description:
      "A live energy community: its market clock, tariff, market and operator keys. See docs/platform.md.",
  };
}

export interface CommunityTemplateOptions {
  readonly adminPublicKey: string;
  /** The hot key the server signs blocks with; the admin key when one key serves both roles. */
  readonly blockSigningPublicKey?: string;
  readonly id?: string;
  readonly name?: string;
  readonly timeZone?: string;
  readonly currency?: string;
}

/**
 * The starting community document: every field at its default, a placeholder flat tariff
 * (0.30 per kWh imported, 0.05 exported) to edit. Throws naming `source` for a bad option.
 */
export function communityTemplate(
  options: CommunityTemplateOptions,
  source: string,
): CommunityDocument {
  const raw = {
    id: options.id ?? "community",
    name: options.name ?? "Energy community",
    currency: options.currency ?? "EUR",
    time_zone: options.timeZone ?? "UTC",
    tariff: { import: { price_per_kwh: 0.3 }, export_price_per_kwh: 0.05 },
    operator: operatorOf(options),
  };
  return parseCommunity(raw, source);
}

function operatorOf(keys: {
  readonly adminPublicKey: string;
  readonly blockSigningPublicKey?: string;
}) {
  return {
    admin_public_key: keys.adminPublicKey,
    block_signing_public_key: keys.blockSigningPublicKey ?? keys.adminPublicKey,
  };
}

/**
 * The community that runs a scenario's community live (the shipped CityLearn demo for
 * `serve --demo`): its name, time zone, currency, interval, tariff and market, the live fields
 * at their defaults. Throws naming `source` when the scenario's interval is not a live one.
 */
export function communityFromScenario(
  scenario: ScenarioDocument,
  options: {
    readonly id: string;
    readonly adminPublicKey: string;
    readonly blockSigningPublicKey?: string;
  },
  source: string,
): CommunityDocument {
  const t = scenario.tariff;
  const raw = {
    id: options.id,
    name: scenario.name,
    currency: t.currency,
    time_zone: scenario.time_zone,
    interval_minutes: scenario.market.interval_minutes,
    market: {
      mechanism: scenario.market.mechanism,
      ...(scenario.market.k === undefined ? {} : { k: scenario.market.k }),
    },
    tariff: {
      import: t.import,
      export_price_per_kwh: t.export_per_kwh,
      network_fee_per_kwh: t.network_fee_per_kwh ?? 0,
      ...(t.carbon === undefined ? {} : { carbon: t.carbon }),
    },
    operator: operatorOf(options),
  };
  return parseCommunity(raw, source);
}

/** A community in base units: durations in ms, prices in micro-units per kWh. */
export interface CommunityConfig {
  readonly document: CommunityDocument;
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly timeZone: string;
  readonly intervalMinutes: number;
  readonly intervalMs: number;
  /** An interval's orders close this long before it starts. */
  readonly gateClosureMs: number;
  /** An interval's orders open this long before it starts. */
  readonly openMs: number;
  /** An interval is settled this long after it ends. */
  readonly settlementDelayMs: number;
  /** A meter reading may be corrected this long after settlement. */
  readonly correctionWindowMs: number;
  readonly imbalanceFeeMicro: number;
  readonly exportPriceMicro: number;
  readonly networkFeeMicro: number;
  readonly bookVisibility: "depth" | "counts";
  readonly publicNames: boolean;
  readonly mechanism: Mechanism;
  /** k in ppm: the file's, else the mechanism's default; null for a mechanism without k. */
  readonly kPpm: number | null;
  readonly adminPublicKey: string;
  readonly blockSigningPublicKey: string;
  /** The import price, micro-units per kWh, of the interval that starts at `ms`. */
  readonly importPriceMicroAt: (ms: number) => number;
  /** The grid's carbon intensity, kg per kWh, at `ms`; null when the file has no carbon. */
  readonly carbonKgPerKwhAt: ((ms: number) => number) | null;
}

/**
 * A rate series read at any instant: the value of the step that holds it. Outside the data's
 * span the series repeats end to end (CityLearn's year of 365 days again and again, so the hour
 * of the day is kept), since a live community runs on dates its data set never saw.
 */
export function repeatingSeriesAt(series: EnergySeries): (ms: number) => number {
  const stepMs = series.stepMinutes * MS_PER_MINUTE;
  const n = series.values.length;
  invariant(n > 0, `${series.source} has no values`);
  return (ms) => {
    const step = Math.floor((ms - series.startMs) / stepMs);
    return series.values[((step % n) + n) % n] as number;
  };
}

/**
 * The import price lookup, micro-units per kWh; a time of use must cover the whole day (else
 * E_COMMUNITY_INVALID naming `at`, the tariff block's path, and `source`).
 */
async function importPriceOf(
  tariff: TariffDocument,
  timeZone: string,
  source: string,
  at: readonly (string | number)[],
): Promise<(ms: number) => number> {
  const p = tariff.import;
  if ("price_per_kwh" in p || "flat" in p) {
    const micro = toMicro("flat" in p ? p.flat : p.price_per_kwh);
    return () => micro;
  }
  if ("dataset" in p) {
    const at = repeatingSeriesAt((await loadCityLearn()).price);
    return (ms) => toMicro(at(ms));
  }
  const periods = p.time_of_use.map((q) => timeOfUsePeriod(q.from, q.to, q.price));
  const byMinute = Array.from({ length: 1440 }, (_, m) => {
    const period = periodAt(periods, m);
    if (period === undefined)
      throw invalid(
        [
          {
            path: [...at, "import", "time_of_use"],
            expected: "periods that cover every hour of the day",
            received: `nothing for ${clockText(m)}`,
          },
        ],
        source,
      );
    return toMicro(period.price);
  });
  return (ms) => byMinute[minuteOfDay(ms, timeZone)] as number;
}

/**
 * A tariff block's grid prices for the interval that starts at `ms`, in micro-units per kWh:
 * what a clearing block's head records. Throws E_COMMUNITY_INVALID (naming `at` and `source`)
 * for a time of use that leaves part of the day without a price.
 */
export async function tariffLookup(
  tariff: TariffDocument,
  timeZone: string,
  source: string,
  at: readonly (string | number)[] = ["tariff"],
): Promise<(ms: number) => GridTariff> {
  const importAt = await importPriceOf(tariff, timeZone, source, at);
  const exportPriceMicro = toMicro(tariff.export_price_per_kwh);
  const networkFeeMicro = toMicro(tariff.network_fee_per_kwh);
  return (ms) => ({ importPriceMicro: importAt(ms), exportPriceMicro, networkFeeMicro });
}

async function carbonOf(tariff: TariffDocument): Promise<((ms: number) => number) | null> {
  const c = tariff.carbon;
  if (c === undefined) return null;
  if ("dataset" in c) return repeatingSeriesAt((await loadCityLearn()).carbon);
  return () => c.flat_kg_per_kwh;
}

/** A validated community document in base units, its price series read. */
export async function communityConfig(
  doc: CommunityDocument,
  source: string,
): Promise<CommunityConfig> {
  const mechanism = findMechanism(doc.market.mechanism);
  invariant(mechanism !== undefined, `the schema admits only known mechanisms`);
  const k = doc.market.k;
  return {
    document: doc,
    id: doc.id,
    name: doc.name,
    currency: doc.currency,
    timeZone: doc.time_zone,
    intervalMinutes: doc.interval_minutes,
    intervalMs: doc.interval_minutes * MS_PER_MINUTE,
    gateClosureMs: doc.gate_closure_minutes * MS_PER_MINUTE,
    openMs: doc.open_hours * MS_PER_HOUR,
    settlementDelayMs: doc.settlement_delay_minutes * MS_PER_MINUTE,
    correctionWindowMs: doc.correction_window_hours * MS_PER_HOUR,
    imbalanceFeeMicro: toMicro(doc.imbalance_fee_per_kwh),
    exportPriceMicro: toMicro(doc.tariff.export_price_per_kwh),
    networkFeeMicro: toMicro(doc.tariff.network_fee_per_kwh),
    bookVisibility: doc.book_visibility,
    publicNames: doc.participants.public_names,
    mechanism,
    kPpm:
      mechanism.defaultKPpm === null ? null : k === undefined ? mechanism.defaultKPpm : kToPpm(k),
    adminPublicKey: doc.operator.admin_public_key,
    blockSigningPublicKey: doc.operator.block_signing_public_key,
    importPriceMicroAt: await importPriceOf(doc.tariff, doc.time_zone, source, ["tariff"]),
    carbonKgPerKwhAt: await carbonOf(doc.tariff),
  };
}

/** Reads, validates and converts a community file. Throws `InputError` for anything wrong. */
export async function loadCommunityFile(path: string): Promise<CommunityConfig> {
  const text = await readInputFile(path, "community file");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      "E_COMMUNITY_INVALID",
      `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return communityConfig(parseCommunity(raw, path), path);
}
