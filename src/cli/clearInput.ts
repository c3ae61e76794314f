/**
 * The `clear` command's input document, validated once here: field names, types and ranges,
 * then conversion to the market's integer units.
 *
 * { "interval": { "start": "2026-06-01T12:00:00Z", "minutes": 15 },
 *   "grid": { "import_price_per_kwh": 0.30, "export_price_per_kwh": 0.05, "network_fee_per_kwh": 0 },
 *   "orders": [ { "id", "participant", "side", "energy_kwh", "price_per_kwh", "timestamp" } ] }
 */
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { formatIssue, formatPath, type ValidationIssue } from "../core/issues.js";
import { parseInstant } from "../core/time.js";
import { kwhToWh, toMicro } from "../core/units.js";
import type { ClearingInput, Order } from "../market/types.js";
import { fromZodIssues } from "./schemaIssues.js";

const instant = z
  .string({ error: "an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z" })
  .refine((s) => parseInstant(s) !== undefined, {
    error: "an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z",
  });

const positiveKwh = z
  .number({ error: "a positive number of kWh" })
  .positive({ error: "a positive number of kWh" })
  .refine((x) => (kwhOrUndefined(x) ?? 0) >= 1, {
    error: "at least 0.0005 kWh (energy is settled in whole Wh)",
  });

const positivePrice = z
  .number({ error: "a positive price per kWh" })
  .positive({ error: "a positive price per kWh" })
  .refine((x) => (microOrUndefined(x) ?? 0) >= 1, {
    error: "at least 0.0000005 per kWh (prices are kept in micro-units)",
  });

const nonNegativePrice = z
  .number({ error: "a price per kWh of 0 or more" })
  .nonnegative({ error: "a price per kWh of 0 or more" })
  .refine((x) => microOrUndefined(x) !== undefined, {
    error: "a price per kWh small enough to count in micro-units",
  });

function kwhOrUndefined(x: number): number | undefined {
  try {
    return kwhToWh(x);
  } catch {
    return undefined;
  }
}

function microOrUndefined(x: number): number | undefined {
  try {
    return toMicro(x);
  } catch {
    return undefined;
  }
}

const orderSchema = z.strictObject(
  {
    id: z.string({ error: "a non-empty string" }).min(1, { error: "a non-empty string" }),
    participant: z.string({ error: "a non-empty string" }).min(1, { error: "a non-empty string" }),
    side: z.enum(["buy", "sell"], { error: '"buy" or "sell"' }),
    energy_kwh: positiveKwh,
    price_per_kwh: positivePrice,
    timestamp: instant,
  },
  { error: "an order object" },
);

export const clearInputSchema = z.strictObject(
  {
    interval: z.strictObject(
      {
        start: instant,
        minutes: z
          .number({ error: "a whole number of minutes from 1 to 1440" })
          .int({ error: "a whole number of minutes from 1 to 1440" })
          .min(1, { error: "a whole number of minutes from 1 to 1440" })
          .max(1440, { error: "a whole number of minutes from 1 to 1440" }),
      },
      { error: "an object { start, minutes }" },
    ),
    grid: z.strictObject(
      {
        import_price_per_kwh: positivePrice,
        export_price_per_kwh: nonNegativePrice,
        network_fee_per_kwh: nonNegativePrice.optional(),
      },
      { error: "an object { import_price_per_kwh, export_price_per_kwh, network_fee_per_kwh }" },
    ),
    orders: z.array(orderSchema, { error: "an array of orders" }),
  },
  { error: "an object { interval, grid, orders }" },
);

export type ClearInputDocument = z.infer<typeof clearInputSchema>;

/** `orders[3] (id "o4").energy_kwh`: names the order by index and id. */
export function describeIssuePath(issue: ValidationIssue, raw: unknown): string {
  const [head, index, ...rest] = issue.path;
  if (head === "orders" && typeof index === "number") {
    const order = (raw as { orders?: unknown[] })?.orders?.[index] as { id?: unknown } | undefined;
    const id = typeof order?.id === "string" ? ` (id ${JSON.stringify(order.id)})` : "";
    const field = rest.length > 0 ? `.${formatPath(rest)}` : "";
    return `orders[${index}]${id}${field}`;
  }
  return formatPath(issue.path);
}

/** Validates the raw document; throws `InputError` with one line per issue (first issues first). */
export function parseClearInput(raw: unknown, source: string): ClearingInput {
  const parsed = clearInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, raw);
    throw invalidInput(issues, raw, source);
  }
  const doc = parsed.data;
  const orders: Order[] = doc.orders.map((o) => ({
    id: o.id,
    participant: o.participant,
    side: o.side,
    energyWh: kwhToWh(o.energy_kwh),
    limitPriceMicro: toMicro(o.price_per_kwh),
    timestampMs: parseInstant(o.timestamp) as number,
  }));
  return {
    interval: {
      startMs: parseInstant(doc.interval.start) as number,
      minutes: doc.interval.minutes,
    },
    grid: {
      importPriceMicro: toMicro(doc.grid.import_price_per_kwh),
      exportPriceMicro: toMicro(doc.grid.export_price_per_kwh),
      networkFeeMicro: toMicro(doc.grid.network_fee_per_kwh ?? 0),
    },
    orders,
  };
}

/** An `InputError` whose message has one line per issue, each naming the order and the field. */
export function invalidInput(
  issues: readonly ValidationIssue[],
  raw: unknown,
  source: string,
): InputError {
  const lines = issues
    .slice(0, 10)
    .map((i) => `${source}: ${formatIssue(i, describeIssuePath(i, raw))}`);
  if (issues.length > 10) lines.push(`... and ${issues.length - 10} more`);
  return new InputError("E_ORDER_INVALID", lines.join("\n"), { details: { issues } });
}
