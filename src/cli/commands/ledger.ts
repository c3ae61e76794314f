/** `gridshare ledger verify` and `ledger export`; the proofs are in ledgerProofs.ts. */

import type { Command } from "commander";
import { exportTrades, verifyLedger } from "../../app/ledgerQueries.js";
import { TRADE_RECORD_COLUMNS } from "../../market/records.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { flagOption, instant, operatorKey } from "../flags.js";
import { toCsv, toJson, toTable } from "../output.js";
import { verificationText } from "../verifyReport.js";
import { registerLedgerFetch } from "./ledgerFetch.js";
import { registerLedgerProofs } from "./ledgerProofs.js";
import { registerLedgerRepair } from "./ledgerRepair.js";

export function registerLedger(program: Command, ctx: CommandContext): void {
  const ledger = program
    .command("ledger")
    .description(
      "verify a ledger, export its trades, prove and check proofs, repair; fetch a live platform's",
    );

  ledger
    .command("verify")
    .description(
      "check everything: hash chain, signatures, Merkle roots, and that re-running each block's market gives its trades",
    )
    .argument("<dir>", "the ledger directory")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) you trust: the first block's, or one the chain hands block signing over to",
    )
    .option(
      "--admin <key>",
      "format 2: the community's admin public key (hex or key file) every registry document must be signed by",
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nExit code 0: valid. 3: damaged or tampered (the first bad block is named). 2: no ledger there.\n\nExample:\n  gridshare ledger verify ledger/ --operator operator.pub",
    )
    .action(async (dir: string, flags: { operator?: string; admin?: string; json?: boolean }) => {
      const operator = await operatorKey(flags.operator);
      const admin = await operatorKey(flags.admin);
      const t0 = performance.now();
      const report = await verifyLedger({
        dir,
        ...(operator === undefined ? {} : { operator }),
        ...(admin === undefined ? {} : { admin }),
      });
      const seconds = (performance.now() - t0) / 1000;
      for (const note of report.notes) ctx.io.stderr.write(`note: ${note}\n`);
      ctx.io.stdout.write(
        verificationText(report, {
          json: flags.json === true,
          pinned: operator !== undefined,
          seconds,
        }),
      );
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
    .addOption(flagOption("--from <time>", "only trades at or after this time (ISO 8601)", instant))
    .addOption(flagOption("--to <time>", "only trades before this time (ISO 8601)", instant))
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
          from?: number;
          to?: number;
        },
      ) => {
        const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
        const { from, to } = flags;
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

  registerLedgerProofs(ledger, ctx);
  registerLedgerFetch(ledger, ctx);
  registerLedgerRepair(ledger, ctx);
}
