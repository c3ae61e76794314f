/** `gridshare ledger ...`: verify, export, prove and check. */

import type { Command } from "commander";
import {
  exportTrades,
  proveConsistency,
  proveTrade,
  verifyLedger,
} from "../../app/ledgerQueries.js";
import { InputError } from "../../core/errors.js";
import { parseInstant } from "../../core/time.js";
import { checkConsistencyProof, checkInclusionProof } from "../../ledger/proofs.js";
import { TRADE_RECORD_COLUMNS } from "../../market/records.js";
import { resolvePublicKey } from "../../store/keyFile.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { readJsonInput } from "../io.js";
import { toCsv, toJson, toTable } from "../output.js";

function parseHeight(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a block height (0 or more), received ${JSON.stringify(text)}`,
    );
  return n;
}

function parseTime(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const t = parseInstant(text);
  if (t === undefined)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z, received ${JSON.stringify(text)}`,
    );
  return t;
}

async function operatorKey(value: string | undefined): Promise<string | undefined> {
  return value === undefined ? undefined : resolvePublicKey(value);
}

export function registerLedger(program: Command, ctx: CommandContext): void {
  const ledger = program
    .command("ledger")
    .description("verify a ledger, export its trades, prove and check proofs");

  ledger
    .command("verify")
    .description(
      "check everything: hash chain, signatures, Merkle roots, and that re-running each block's market gives its trades",
    )
    .argument("<dir>", "the ledger directory")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) every head must be signed by",
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nExit code 0: valid. 3: damaged or tampered (the first bad block is named). 2: no ledger there.\n\nExample:\n  gridshare ledger verify ledger/ --operator operator.pub",
    )
    .action(async (dir: string, flags: { operator?: string; json?: boolean }) => {
      const operator = await operatorKey(flags.operator);
      const t0 = performance.now();
      const report = await verifyLedger({
        dir,
        ...(operator === undefined ? {} : { operator }),
      });
      const seconds = (performance.now() - t0) / 1000;
      for (const note of report.notes) ctx.io.stderr.write(`note: ${note}\n`);
      if (flags.json) {
        ctx.io.stdout.write(
          toJson({
            valid: true,
            blocks: report.blocks,
            trades: report.trades,
            orders: report.orders,
            signatures: report.signatures,
            tree_size: report.treeSize,
            head_hash: report.headHash,
            operator: report.operator ?? null,
            seconds: Number(seconds.toFixed(3)),
          }),
        );
      } else {
        ctx.io.stdout.write(
          `ok: ${report.blocks} blocks, ${report.trades} trades, ${report.signatures} signatures, tree size ${report.treeSize}, head ${report.headHash}${operator ? "" : report.operator ? ` (operator ${report.operator.slice(0, 16)}... not pinned: pass --operator to check it is the one you trust)` : ""}\n`,
        );
      }
    });

  ledger
    .command("export")
    .description(
      "every trade as { transaction_id, seller, buyer, energy_amount_kwh, price_per_kwh, timestamp, status, data_quality }",
    )
    .argument("<dir>", "the ledger directory")
    .option("--format <format>", "json or csv (table on a terminal)")
    .option("--json", "shorthand for --format json")
    .option("--participant <id>", "only trades where this participant bought or sold")
    .option("--from <time>", "only trades at or after this time (ISO 8601)")
    .option("--to <time>", "only trades before this time (ISO 8601)")
    .addHelpText(
      "after",
      "\nExample:\n  gridshare ledger export ledger/ --participant home-1 --format csv",
    )
    .action(
      async (
        dir: string,
        flags: {
          format?: string;
          json?: boolean;
          participant?: string;
          from?: string;
          to?: string;
        },
      ) => {
        const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
        const from = parseTime(flags.from, "--from");
        const to = parseTime(flags.to, "--to");
        const records = await exportTrades({
          dir,
          ...(flags.participant === undefined ? {} : { participant: flags.participant }),
          ...(from === undefined ? {} : { fromMs: from }),
          ...(to === undefined ? {} : { toMs: to }),
        });
        const columns = [
          ...TRADE_RECORD_COLUMNS,
          "data_quality",
          ...(records.some((r) => "seller_price_per_kwh" in r) ? ["seller_price_per_kwh"] : []),
        ];
        if (format === "json") ctx.io.stdout.write(toJson(records));
        else if (format === "csv") ctx.io.stdout.write(toCsv(columns, records));
        else
          ctx.io.stdout.write(records.length === 0 ? "(no trades)\n" : toTable(columns, records));
      },
    );

  ledger
    .command("prove")
    .description(
      "a self-contained inclusion proof of one trade: the record, its leaf index, the audit path, the signed head",
    )
    .argument("<dir>", "the ledger directory")
    .requiredOption("--tx <transaction_id>", "the trade to prove")
    .option("--height <n>", "prove against the head of block n (default: the latest)")
    .addHelpText(
      "after",
      "\nExample:\n  gridshare ledger prove ledger/ --tx 3fa2... > proof.json\n  gridshare ledger check-proof proof.json --operator operator.pub",
    )
    .action(async (dir: string, flags: { tx: string; height?: string }) => {
      const height = parseHeight(flags.height, "--height");
      const proof = await proveTrade({
        dir,
        txId: flags.tx,
        ...(height === undefined ? {} : { height }),
      });
      ctx.io.stdout.write(toJson(proof));
    });

  ledger
    .command("check-proof")
    .description("verify an inclusion proof without the ledger")
    .argument("<proof>", "proof JSON (gridshare ledger prove), or -")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) the head must be signed by",
    )
    .addHelpText(
      "after",
      "\nExit code 0: the trade is in the ledger under that signed head. 3: the proof does not verify. 2: not a proof.",
    )
    .action(async (file: string, flags: { operator?: string }) => {
      const operator = await operatorKey(flags.operator);
      const raw = await readJsonInput(ctx.io, file);
      const proof = checkInclusionProof(raw, file === "-" ? "standard input" : file, operator);
      const tx = (proof.entry.trade as { transaction_id?: string } | undefined)?.transaction_id;
      ctx.io.stdout.write(
        `ok: ${proof.entry.type}${tx ? ` ${tx}` : ""} is leaf ${proof.leaf_index} of the tree of ${proof.tree_size} under head ${proof.head.height}${operator ? "" : ` (operator ${proof.head.operator.slice(0, 16)}... not pinned: pass --operator)`}\n`,
      );
    });

  ledger
    .command("consistency")
    .description("a consistency proof that the head at --to extends the head at --from")
    .argument("<dir>", "the ledger directory")
    .requiredOption("--from <height>", "the earlier block height")
    .requiredOption("--to <height>", "the later block height")
    .addHelpText(
      "after",
      "\nExample:\n  gridshare ledger consistency ledger/ --from 10 --to 500 > consistency.json",
    )
    .action(async (dir: string, flags: { from: string; to: string }) => {
      const from = parseHeight(flags.from, "--from") as number;
      const to = parseHeight(flags.to, "--to") as number;
      ctx.io.stdout.write(toJson(await proveConsistency({ dir, from, to })));
    });

  ledger
    .command("check-consistency")
    .description(
      "verify a consistency proof: the later ledger extends the earlier, no history rewritten",
    )
    .argument("<proof>", "proof JSON (gridshare ledger consistency), or -")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) both heads must be signed by",
    )
    .action(async (file: string, flags: { operator?: string }) => {
      const operator = await operatorKey(flags.operator);
      const proof = checkConsistencyProof(
        await readJsonInput(ctx.io, file),
        file === "-" ? "standard input" : file,
        operator,
      );
      ctx.io.stdout.write(
        `ok: head ${proof.second.height} (tree ${proof.second.tree_size}) extends head ${proof.first.height} (tree ${proof.first.tree_size})\n`,
      );
    });
}
