/**
 * The `clear` command's input document, validated once here: field names, types and ranges,
 * then conversion to the market's integer units. Each order is a plain order or a signed
 * envelope (`gridshare order sign`).
 *
 * { "interval": { "start": "2026-06-01T12:00:00Z", "minutes": 15 },
 *   "grid": { "import_price_per_kwh": 0.30, "export_price_per_kwh": 0.05, "network_fee_per_kwh": 0 },
 *   "orders": [ { "id", "participant", "side", "energy_kwh", "price_per_kwh", "timestamp" } | { "order", "nonce", ... } ] }
 */
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { formatIssue, formatPath, type ValidationIssue } from "../core/issues.js";
import { type Interval, parseInstant } from "../core/time.js";
import { toMicro } from "../core/units.js";
import { fromZodIssues } from "../core/zodIssues.js";
import type { OrderItem } from "../ledger/block.js";
import { envelopeSchema } from "../ledger/envelope.js";
import { gridTariffSchema, intervalSchema, orderDocumentSchema } from "../market/orderDocument.js";
import type { GridTariff } from "../market/types.js";

const documentSchema = z.strictObject(
  {
    interval: intervalSchema,
    grid: gridTariffSchema,
    orders: z.array(z.unknown(), { error: "an array of orders" }),
  },
  { error: "an object { interval, grid, orders }" },
);

/** `orders[3] (id "o4").energy_kwh`: names the order by index and id. */
export function describeIssuePath(issue: ValidationIssue, raw: unknown): string {
  const [head, index, ...rest] = issue.path;
  if (head === "orders" && typeof index === "number") {
    const item = (raw as { orders?: unknown[] })?.orders?.[index] as
      | { id?: unknown; order?: { id?: unknown } }
      | undefined;
    const id =
      typeof item?.id === "string"
        ? item.id
        : typeof item?.order?.id === "string"
          ? item.order.id
          : undefined;
    const named = id === undefined ? "" : ` (id ${JSON.stringify(id)})`;
    const field = rest.length > 0 ? `.${formatPath(rest)}` : "";
    return `orders[${index}]${named}${field}`;
  }
  return formatPath(issue.path);
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

export interface ParsedClearInput {
  readonly interval: Interval;
  readonly tariff: GridTariff;
  /** The orders as given (plain or signed), in input order. */
  readonly items: OrderItem[];
}

/** Validates the raw document; throws `InputError` with one line per issue. */
export function parseClearInput(raw: unknown, source: string): ParsedClearInput {
  const top = documentSchema.safeParse(raw);
  if (!top.success) throw invalidInput(fromZodIssues(top.error.issues, raw), raw, source);
  const issues: ValidationIssue[] = [];
  const items: OrderItem[] = [];
  top.data.orders.forEach((value, index) => {
    const signed = value !== null && typeof value === "object" && "order" in value;
    const parsed = signed ? envelopeSchema.safeParse(value) : orderDocumentSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of fromZodIssues(parsed.error.issues, value)) {
        issues.push({ ...issue, path: ["orders", index, ...issue.path] });
      }
      return;
    }
    items.push(
      signed
        ? { kind: "signed", envelope: parsed.data as z.infer<typeof envelopeSchema> }
        : { kind: "attested", order: parsed.data as z.infer<typeof orderDocumentSchema> },
    );
  });
  if (issues.length > 0) throw invalidInput(issues, raw, source);
  const doc = top.data;
  return {
    items,
    interval: {
      startMs: parseInstant(doc.interval.start) as number,
      minutes: doc.interval.minutes,
    },
    tariff: {
      importPriceMicro: toMicro(doc.grid.import_price_per_kwh),
      exportPriceMicro: toMicro(doc.grid.export_price_per_kwh),
      networkFeeMicro: toMicro(doc.grid.network_fee_per_kwh ?? 0),
    },
  };
}
