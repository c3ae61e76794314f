/**
 * The order as files, signatures and the ledger carry it: decimal kWh and currency, ISO 8601
 * times. `orderDocumentSchema` validates untrusted documents (a file, a request, a ledger under
 * verification) with messages that say what is expected; `orderFromDocument` converts a valid one
 * to the market's integer units.
 *
 * { "id": "o1", "participant": "home-1", "side": "sell", "energy_kwh": 1.2,
 *   "price_per_kwh": 0.08, "timestamp": "2026-06-01T11:58:02Z",
 *   "interval_start": "2026-06-01T12:00:00Z" }
 */
import { z } from "zod";
import { isWellFormed } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { fromMicro, kwhToWh, scaleToInt, toMicro, whToKwh } from "../core/units.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { MAX_ORDER_WH, MAX_PRICE_MICRO } from "./limits.js";
import type { Order } from "./types.js";

export const INSTANT_EXPECTED = "an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z";

export const instantSchema = z
  .string({ error: INSTANT_EXPECTED })
  .refine((s) => parseInstant(s) !== undefined, { error: INSTANT_EXPECTED });

const MAX_ORDER_KWH = MAX_ORDER_WH / 1000;
const MAX_PRICE = MAX_PRICE_MICRO / 1_000_000;

export const positiveKwhSchema = z
  .number({ error: "a positive number of kWh" })
  .positive({ error: "a positive number of kWh" })
  .max(MAX_ORDER_KWH, { error: `at most ${MAX_ORDER_KWH} kWh (one order's upper bound)` })
  .refine((x) => (scaleToInt(x, 3) ?? 0) >= 1, {
    error: "at least 0.0005 kWh (energy is settled in whole Wh)",
  });

export const positivePriceSchema = z
  .number({ error: "a positive price per kWh" })
  .positive({ error: "a positive price per kWh" })
  .max(MAX_PRICE, { error: `at most ${MAX_PRICE} per kWh (the market's upper bound)` })
  .refine((x) => (scaleToInt(x, 6) ?? 0) >= 1, {
    error: "at least 0.0000005 per kWh (prices are kept in micro-units)",
  });

export const nonNegativePriceSchema = z
  .number({ error: "a price per kWh of 0 or more" })
  .nonnegative({ error: "a price per kWh of 0 or more" })
  .max(MAX_PRICE, { error: `at most ${MAX_PRICE} per kWh (the market's upper bound)` });

const nonEmpty = z
  .string({ error: "a non-empty string" })
  .min(1, { error: "a non-empty string" })
  .refine(isWellFormed, { error: "text without lone UTF-16 surrogates" });

export const orderDocumentSchema = z.strictObject(
  {
    id: nonEmpty,
    participant: nonEmpty,
    side: z.enum(["buy", "sell"], { error: '"buy" or "sell"' }),
    energy_kwh: positiveKwhSchema,
    price_per_kwh: positivePriceSchema,
    timestamp: instantSchema,
    /**
     * The delivery interval's start. Live orders name it (and sign it); an order that names it
     * is only valid in that interval. Orders of one interval's file may leave it out.
     */
    interval_start: instantSchema.optional(),
    /**
     * The id of one of the participant's own open orders for the same interval, which this one
     * replaces in one step (the live platform; a file of orders to clear carries it as it is).
     */
    replaces: nonEmpty.optional(),
    /** "estimated" when the order rests on an estimated meter reading (absent: measured). */
    data_quality: z
      .enum(["measured", "estimated"], { error: '"measured" or "estimated"' })
      .optional(),
  },
  { error: "an order object" },
);

export type OrderDocument = z.infer<typeof orderDocumentSchema>;

/** `candidate` as an order document from `source`; E_ORDER_INVALID names its first bad field. */
export function readOrderDocument(candidate: unknown, source: string): OrderDocument {
  const parsed = orderDocumentSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = fromZodIssues(parsed.error.issues, candidate)[0];
  throw new InputError(
    "E_ORDER_INVALID",
    `${source}: ${issue ? formatIssue(issue) : "not an order"}`,
  );
}

/** True when the order names a delivery interval other than the one starting at `startMs`. */
export function namesOtherInterval(doc: OrderDocument, startMs: number): boolean {
  return doc.interval_start !== undefined && parseInstant(doc.interval_start) !== startMs;
}

/** A validated order document in the market's units. */
export function orderFromDocument(doc: OrderDocument): Order {
  return {
    id: doc.id,
    participant: doc.participant,
    side: doc.side,
    energyWh: kwhToWh(doc.energy_kwh),
    limitPriceMicro: toMicro(doc.price_per_kwh),
    timestampMs: parseInstant(doc.timestamp) as number,
    ...(doc.data_quality === "estimated" ? { estimated: true } : {}),
  };
}

/** An order as a document (decimal units), keys in canonical order. */
export function orderDocument(order: Order): OrderDocument {
  return {
    ...(order.estimated ? { data_quality: "estimated" as const } : {}),
    energy_kwh: whToKwh(order.energyWh),
    id: order.id,
    participant: order.participant,
    price_per_kwh: fromMicro(order.limitPriceMicro),
    side: order.side,
    timestamp: formatInstant(order.timestampMs),
  };
}

export const gridTariffSchema = z.strictObject(
  {
    import_price_per_kwh: positivePriceSchema,
    export_price_per_kwh: nonNegativePriceSchema,
    network_fee_per_kwh: nonNegativePriceSchema.optional(),
  },
  { error: "an object { import_price_per_kwh, export_price_per_kwh, network_fee_per_kwh }" },
);

export const intervalSchema = z.strictObject(
  {
    start: instantSchema,
    minutes: z
      .number({ error: "a whole number of minutes from 1 to 1440" })
      .int({ error: "a whole number of minutes from 1 to 1440" })
      .min(1, { error: "a whole number of minutes from 1 to 1440" })
      .max(1440, { error: "a whole number of minutes from 1 to 1440" }),
  },
  { error: "an object { start, minutes }" },
);
