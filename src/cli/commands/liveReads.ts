/**
 * A live platform's public reads: `gridshare clock` (the market's time), `gridshare intervals`
 * (those taking orders now) and `gridshare trades` (as the ledger records them).
 */
import type { Command } from "commander";
import { formatInstant } from "../../core/time.js";
import { TRADE_RECORD_COLUMNS } from "../../market/records.js";
import { type CommandContext, resolveFormat } from "../context.js";
import { follow } from "../feedFollow.js";
import { flagOption, instant } from "../flags.js";
import { serverClient } from "../http.js";
import { toCsv, toTable } from "../output.js";
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

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

/**
 * The trades so far, then each cleared interval's as it is published, until interrupted: JSON
 * as one trade per line, CSV under one header, a table per interval.
 */
async function followTrades(
  ctx: CommandContext,
  flags: ServerFlags & { participant?: string },
  first: Rows,
): Promise<void> {
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  let header = true;
  const print = (trades: Rows) => {
    const rows = trades.map(tradeRecord);
    if (format === "json") for (const r of rows) ctx.io.stdout.write(`${JSON.stringify(r)}\n`);
    else if (format === "csv") {
      const text = toCsv(TRADE_RECORD_COLUMNS, rows);
      ctx.io.stdout.write(header ? text : text.slice(text.indexOf("\n") + 1));
      header = false;
    } else if (rows.length > 0) ctx.io.stdout.write(`${toTable(TRADE_RECORD_COLUMNS, rows)}\n`);
  };
  print(first);
  await follow({
    server: flags.server,
    channel: "trades",
    onFrame: (frame) =>
      print(
        (frame.data as { trades: Rows }).trades.filter(
          (t) =>
            flags.participant === undefined ||
            t.buyer === flags.participant ||
            t.seller === flags.participant,
        ),
      ),
    note: (line) => ctx.io.stderr.write(`${line}\n`),
    stop: interrupted(),
  });
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
      .description(
        "a live platform's intervals taking orders now, or those of one local day, with their gate closures",
      )
      .option("--day <YYYY-MM-DD>", "the intervals of this day in the community's time zone"),
  ).action(async (flags: ServerFlags & { day?: string }) => {
    const path =
      flags.day === undefined
        ? "/v1/intervals?status=open"
        : `/v1/intervals?day=${encodeURIComponent(flags.day)}`;
    const { intervals } = (await serverClient(flags.server).get(path)) as { intervals: Rows };
    printRecords(ctx, flags, ["start", "gate_closes_at", "status"], intervals, "no interval");
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
      .option("--participant <id>", "only trades where this participant bought or sold")
      .option(
        "--follow",
        "then print each cleared interval's trades as they are published, until interrupted",
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare trades --server http://127.0.0.1:8080 --interval 2026-06-01T12:00:00Z --format csv",
    )
    .action(
      async (
        flags: ServerFlags & { interval?: number; participant?: string; follow?: boolean },
      ) => {
        const { trades } = (await serverClient(flags.server).get(
          tradesPath(flags.interval, flags.participant),
        )) as { trades: Rows };
        if (flags.follow) await followTrades(ctx, flags, trades);
        else printRecords(ctx, flags, TRADE_RECORD_COLUMNS, trades.map(tradeRecord), "no trades");
      },
    );
}
