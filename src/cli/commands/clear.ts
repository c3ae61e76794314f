/** `gridshare clear`: clears one market interval from a JSON file or standard input. */

import type { Command } from "commander";
import { clearOrders } from "../../app/clearOrders.js";
import { InputError } from "../../core/errors.js";
import { MECHANISM_NAMES, type Mechanism } from "../../market/types.js";
import { parseClearInput } from "../clearInput.js";
import { clearingText, recordedText } from "../clearingText.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { flagOption, kInPpm, marketMechanism } from "../flags.js";
import { readJsonInput } from "../io.js";
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
  ctx.io.stdout.write(clearingText(outcome.result, mechanism, format));
  if (recorded) ctx.io.stderr.write(recordedText(recorded));
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
