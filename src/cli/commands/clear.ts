/** `gridshare clear`: clears one market interval from a JSON file or standard input. */

import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import type { Interval } from "../../core/time.js";
import { checkOrderItems, prepareBlock } from "../../ledger/append.js";
import { type MarketRules, marketRules, type OrderItem } from "../../ledger/block.js";
import type { Identity } from "../../ledger/keys.js";
import { checkOrders, clearMarket } from "../../market/clearMarket.js";
import { findMechanism } from "../../market/mechanisms.js";
import { clearingRecord, TRADE_RECORD_COLUMNS } from "../../market/records.js";
import { type ClearingResult, MECHANISM_NAMES, type Mechanism } from "../../market/types.js";
import { readIdentity, writeNewIdentity } from "../../store/keyFile.js";
import {
  describeRecovery,
  LedgerWriter,
  ledgerExists,
  OPERATOR_KEY_FILE,
} from "../../store/ledgerStore.js";
import { invalidInput, parseClearInput } from "../clearInput.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { readJsonInput } from "../io.js";
import { toCsv, toJson, toKeyValues, toTable } from "../output.js";

export interface ClearFlags {
  mechanism: string;
  k?: string;
  format?: string;
  json?: boolean;
  ledger?: string;
  operatorKey?: string;
  requireSignatures?: boolean;
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
  const mechanism = mechanismOrThrow(flags.mechanism);
  const kPpm = parseK(flags.k);
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  if (flags.operatorKey !== undefined && flags.ledger === undefined) {
    throw new InputError("E_USAGE", "--operator-key: only used with --ledger <dir>");
  }
  const raw = await readJsonInput(ctx.io, file);
  const source = file === "-" ? "standard input" : file;
  const { input, items } = parseClearInput(raw, source);
  const issues = checkOrders(input, mechanism);
  if (issues.length > 0) throw invalidInput(issues, raw, source);
  const effectiveK = mechanism.defaultKPpm === null ? null : (kPpm ?? mechanism.defaultKPpm);
  const rules = marketRules(mechanism, effectiveK, input.grid);
  const options = { requireSignatures: flags.requireSignatures === true };
  let appended: string | undefined;
  if (flags.ledger === undefined) {
    // Without a ledger the signed orders are still checked: a bad signature is never accepted.
    checkOrderItems(input.interval, items, { ...options, nonceUsed: () => false });
  } else {
    appended = await appendToLedger(
      flags.ledger,
      flags.operatorKey,
      input.interval,
      rules,
      items,
      options,
    );
  }
  const result = clearMarket(input, kPpm === undefined ? { mechanism } : { mechanism, kPpm });
  ctx.io.stdout.write(render(result, mechanism, format));
  if (appended) ctx.io.stderr.write(appended);
}

/**
 * Appends the interval to the ledger in `dir` (creating it, and its operator key, when new).
 * Every check runs before anything is written. Returns the message for stderr.
 */
async function appendToLedger(
  dir: string,
  operatorKeyPath: string | undefined,
  interval: Interval,
  rules: MarketRules,
  items: OrderItem[],
  options: { requireSignatures: boolean },
): Promise<string> {
  const isNew = !(await ledgerExists(dir));
  const defaultKey = join(dir, OPERATOR_KEY_FILE);
  let operator: Identity | undefined;
  if (operatorKeyPath !== undefined) operator = await readIdentity(operatorKeyPath);
  else if (!isNew || (await fileExists(defaultKey))) operator = await readIdentity(defaultKey);
  if (isNew) {
    // Check the orders before the ledger (or its key) exists.
    checkOrderItems(interval, items, { ...options, nonceUsed: () => false });
  }
  let created = "";
  if (operator === undefined) {
    await mkdir(dir, { recursive: true });
    operator = await writeNewIdentity(defaultKey, { force: false });
    created = `created operator key ${defaultKey} (keep it private; share the public key: gridshare keys show ${defaultKey})\n`;
  }
  const writer = await LedgerWriter.open(dir, { create: true });
  try {
    const recovered = describeRecovery(writer);
    const { sealed, nonces } = prepareBlock(writer.state, interval, rules, items, operator, {
      ...options,
      nonceUsed: (key) => writer.hasNonce(key),
    });
    writer.append(sealed, nonces);
    await writer.flush();
    const h = sealed.block.head;
    return `${created}${recovered}appended block ${h.height} to ${dir}: ${sealed.tradeCount} trades, tree size ${h.tree_size}, head ${writer.state.headHash}\n`;
  } finally {
    writer.abandon();
  }
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

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
