/** `gridshare clear`: clears one market interval from a JSON file or standard input. */

import type { Command } from "commander";
import { clearOrders, type RecordedBlock } from "../../app/clearOrders.js";
import { InputError } from "../../core/errors.js";
import { clearingRecord, TRADE_RECORD_COLUMNS } from "../../market/records.js";
import { type ClearingResult, MECHANISM_NAMES, type Mechanism } from "../../market/types.js";
import { describeRecovery } from "../../store/ledgerStore.js";
import { parseClearInput } from "../clearInput.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { flagOption, kInPpm, marketMechanism } from "../flags.js";
import { readJsonInput } from "../io.js";
import { toCsv, toJson, toKeyValues, toTable } from "../output.js";
import { refusal } from "../words.js";

export interface ClearFlags {
  mechanism: Mechanism;
  /** k in ppm. */
  k?: number;
  format?: string;
  json?: boolean;
  ledger?: string;
  operatorKey?: string;
  requireSignatures?: boolean;
}

function render(result: ClearingResult, mechanism: Mechanism, format: string): string {
  const doc = clearingRecord(result, mechanism.splitPrices);
  if (format === "json") return toJson(doc);
  const columns = mechanism.splitPrices
    ? [...TRADE_RECORD_COLUMNS, "seller_price_per_kwh"]
    : [...TRADE_RECORD_COLUMNS];
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
  const { mechanism, k: kPpm } = flags;
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  if (flags.operatorKey !== undefined && flags.ledger === undefined) {
    throw new InputError("E_USAGE", "--operator-key: only used with --ledger <dir>");
  }
  const raw = await readJsonInput(ctx.io, file);
  const source = file === "-" ? "standard input" : file;
  const { interval, tariff, items } = parseClearInput(raw, source);
  const { outcome, recorded } = await clearOrders({
    interval,
    tariff,
    mechanism,
    ...(kPpm === undefined ? {} : { kPpm }),
    items,
    requireSignatures: flags.requireSignatures === true,
    onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
    // One refused order refuses the whole file: exit 2, nothing appended.
    onRejection: "refuse-interval",
    ...(flags.ledger === undefined
      ? {}
      : {
          ledger: {
            dir: flags.ledger,
            ...(flags.operatorKey === undefined ? {} : { operatorKeyPath: flags.operatorKey }),
          },
        }),
  });
  if (outcome.status === "refused") throw refusal(outcome.rejected, raw, source);
  ctx.io.stdout.write(render(outcome.result, mechanism, format));
  if (recorded) ctx.io.stderr.write(recordedText(recorded));
}

/** What `clear --ledger` says on stderr: the key it created, what it recovered, the block. */
function recordedText(r: RecordedBlock): string {
  const created =
    r.createdKeyPath === undefined
      ? ""
      : `created operator key ${r.createdKeyPath} (keep it private; share the public key: gridshare keys show ${r.createdKeyPath})\n`;
  const h = r.block.block.head;
  return `${created}${describeRecovery(r.dir, r.recovery)}appended block ${h.height} to ${r.dir}: ${r.block.tradeCount} trades, tree size ${h.tree_size}, head ${r.headHash}\n`;
}

export function registerClear(program: Command, ctx: CommandContext): void {
  program
    .command("clear")
    .description(
      "clear one market interval: match orders, price them, settle with the grid as fallback",
    )
    .argument("<file>", "orders as JSON ({ interval, grid, orders }), or - for standard input")
    .addOption(
      flagOption(
        "-m, --mechanism <name>",
        `clearing mechanism: ${MECHANISM_NAMES.join(", ")}`,
        marketMechanism,
      ).default(marketMechanism("uniform", "--mechanism"), JSON.stringify("uniform")),
    )
    .addOption(
      flagOption(
        "--k <0..1>",
        "k of k-pricing: uniform (default 0.5) and pay-as-bid (default 1)",
        kInPpm,
      ),
    )
    .option("--format <format>", "output: table, json or csv (trades only)")
    .option("--json", "shorthand for --format json")
    .option(
      "--ledger <dir>",
      "also append the interval as a block to the ledger in <dir> (created when missing)",
    )
    .option(
      "--operator-key <file>",
      "the operator's key file that signs the block (default: <dir>/operator.key, created with a new ledger)",
    )
    .option(
      "--require-signatures",
      "refuse unsigned orders, bad signatures, expired orders and replayed nonces",
    )
    .addHelpText(
      "after",
      `
Examples:
  gridshare clear --mechanism uniform examples/orders.json
  cat orders.json | gridshare clear --mechanism mcafee --format csv -
  gridshare clear --ledger ledger/ --require-signatures signed-orders.json`,
    )
    .action(async (file: string, flags: ClearFlags) => runClear(ctx, file, flags));
}
