/**
 * A live platform's public reads: `gridshare clock` (the market's time), `gridshare intervals`
 * (those taking orders now) and `gridshare trades` (as the ledger records them).
 */
import type { Command } from "commander";
import { formatInstant } from "../../core/time.js";
import { TRADE_RECORD_COLUMNS } from "../../market/records.js";
import type { CommandContext } from "../context.js";
import { flagOption, instant } from "../flags.js";
import { serverClient } from "../http.js";
import { printRecord, printRecords, type ServerFlags, serverOptions } from "../serverCommand.js";

type Rows = Record<string, unknown>[];

/** The path of GET /v1/trades with the filters given. */
function tradesPath(interval: number | undefined, participant: string | undefined): string {
  const query = new URLSearchParams();
  if (interval !== undefined) query.set("interval", formatInstant(interval));
  if (participant !== undefined) query.set("participant", participant);
  return query.size === 0 ? "/v1/trades" : `/v1/trades?${query}`;
}

/** A trade in the seed's record shape, its columns in their order. */
function tradeRecord(trade: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(TRADE_RECORD_COLUMNS.map((c) => [c, trade[c]]));
}

export function registerLiveReads(program: Command, ctx: CommandContext): void {
  serverOptions(
    program.command("clock").description("a live platform's market time: now, speed, started_at"),
  ).action(async (flags: ServerFlags) => {
    printRecord(ctx, flags, (await serverClient(flags.server).get("/v1/clock")) as Rows[0]);
  });

  serverOptions(
    program
      .command("intervals")
      .description("a live platform's intervals taking orders now, with their gate closures"),
  ).action(async (flags: ServerFlags) => {
    const { intervals } = (await serverClient(flags.server).get("/v1/intervals?status=open")) as {
      intervals: Rows;
    };
    printRecords(ctx, flags, ["start", "gate_closes_at", "status"], intervals, "no open interval");
  });

  serverOptions(
    program
      .command("trades")
      .description(
        "a live platform's trades, as the ledger records them (the latest 96 blocks' without --interval)",
      )
      .addOption(
        flagOption("--interval <start>", "only the interval starting then (ISO 8601)", instant),
      )
      .option("--participant <id>", "only trades where this participant bought or sold"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare trades --server http://127.0.0.1:8080 --interval 2026-06-01T12:00:00Z --format csv",
    )
    .action(async (flags: ServerFlags & { interval?: number; participant?: string }) => {
      const { trades } = (await serverClient(flags.server).get(
        tradesPath(flags.interval, flags.participant),
      )) as { trades: Rows };
      printRecords(ctx, flags, TRADE_RECORD_COLUMNS, trades.map(tradeRecord), "no trades");
    });
}
