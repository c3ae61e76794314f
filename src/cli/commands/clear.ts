/** `gridshare clear`: clears one market interval from a JSON file or standard input. */
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { checkOrders, clearMarket } from "../../market/clearMarket.js";
import { findMechanism } from "../../market/mechanisms.js";
import { clearingRecord } from "../../market/records.js";
import { type ClearingResult, MECHANISM_NAMES, type Mechanism } from "../../market/types.js";
import { invalidInput, parseClearInput } from "../clearInput.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { readJsonInput } from "../io.js";
import { toCsv, toJson, toKeyValues, toTable } from "../output.js";

const TRADE_COLUMNS = [
  "transaction_id",
  "seller",
  "buyer",
  "energy_amount_kwh",
  "price_per_kwh",
  "timestamp",
  "status",
] as const;

export interface ClearFlags {
  mechanism: string;
  k?: string;
  format?: string;
  json?: boolean;
}

/** Parses `--k`: a number from 0 to 1, returned in ppm. */
export function parseK(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const k = Number(text);
  if (text.trim() === "" || !Number.isFinite(k) || k < 0 || k > 1) {
    throw new InputError(
      "E_USAGE",
      `--k: expected a number from 0 to 1, received ${JSON.stringify(text)}`,
    );
  }
  return Math.round(k * 1_000_000);
}

export function mechanismOrThrow(name: string): Mechanism {
  const mechanism = findMechanism(name);
  if (mechanism === undefined) {
    throw new InputError(
      "E_USAGE",
      `--mechanism: expected one of ${MECHANISM_NAMES.join(", ")}, received ${JSON.stringify(name)}`,
    );
  }
  return mechanism;
}

function render(result: ClearingResult, mechanism: Mechanism, format: string): string {
  const doc = clearingRecord(result, mechanism.splitPrices);
  if (format === "json") return toJson(doc);
  const columns = mechanism.splitPrices
    ? [...TRADE_COLUMNS, "seller_price_per_kwh"]
    : [...TRADE_COLUMNS];
  const rows = doc.trades as unknown as Record<string, unknown>[];
  if (format === "csv") return toCsv(columns, rows);
  const s = doc.summary;
  const header = toKeyValues([
    ["mechanism", doc.mechanism + ("k" in doc ? ` (k = ${doc.k})` : "")],
    ["interval", `${doc.interval.start} + ${doc.interval.minutes} min`],
    ["traded", `${s.traded_kwh} kWh in ${doc.trades.length} trades`],
    ["clearing price", s.clearing_price_per_kwh],
    [
      "buy / sell price",
      s.buy_price_per_kwh === null ? null : `${s.buy_price_per_kwh} / ${s.sell_price_per_kwh}`,
    ],
    ["welfare", s.welfare],
    ["budget surplus", s.budget_surplus],
    ["network fees", s.network_fees],
    ["grid import / export", `${s.grid_import_kwh} / ${s.grid_export_kwh} kWh`],
    ["grid cost", s.grid_cost],
  ]);
  const participants = toTable(
    [
      "participant",
      "bought_kwh",
      "sold_kwh",
      "grid_import_kwh",
      "grid_export_kwh",
      "pays",
      "receives",
    ],
    doc.participants as unknown as Record<string, unknown>[],
  );
  const trades = rows.length > 0 ? `\n${toTable(columns, rows)}` : "\n(no local trades)\n";
  return `${header}\n${participants}${trades}`;
}

export async function runClear(
  ctx: CommandContext,
  file: string,
  flags: ClearFlags,
): Promise<void> {
  const mechanism = mechanismOrThrow(flags.mechanism);
  const kPpm = parseK(flags.k);
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  const raw = await readJsonInput(ctx.io, file);
  const source = file === "-" ? "standard input" : file;
  const input = parseClearInput(raw, source);
  const issues = checkOrders(input, mechanism);
  if (issues.length > 0) throw invalidInput(issues, raw, source);
  const result = clearMarket(input, kPpm === undefined ? { mechanism } : { mechanism, kPpm });
  ctx.io.stdout.write(render(result, mechanism, format));
}

export function registerClear(program: Command, ctx: CommandContext): void {
  program
    .command("clear")
    .description(
      "clear one market interval: match orders, price them, settle with the grid as fallback",
    )
    .argument("<file>", "orders as JSON ({ interval, grid, orders }), or - for standard input")
    .option(
      "-m, --mechanism <name>",
      `clearing mechanism: ${MECHANISM_NAMES.join(", ")}`,
      "uniform",
    )
    .option("--k <0..1>", "k of k-pricing: uniform (default 0.5) and pay-as-bid (default 1)")
    .option("--format <format>", "output: table, json or csv (trades only)")
    .option("--json", "shorthand for --format json")
    .addHelpText(
      "after",
      `
Example:
  gridshare clear --mechanism uniform examples/orders.json
  cat orders.json | gridshare clear --mechanism mcafee --format csv -`,
    )
    .action(async (file: string, flags: ClearFlags) => runClear(ctx, file, flags));
}
