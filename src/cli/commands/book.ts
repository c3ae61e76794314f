/** `gridshare book`: an interval's aggregated depth on a live platform (public, no identities). */
import type { Command } from "commander";
import { formatInstant } from "../../core/time.js";
import type { CommandContext } from "../context.js";
import { flagOption, instant } from "../flags.js";
import { type ServerClient, serverClient } from "../http.js";
import { printRecord, printRecords, type ServerFlags, serverOptions } from "../serverCommand.js";

type Rows = Record<string, unknown>[];

const LEVEL_COLUMNS = ["side", "price_per_kwh", "energy_kwh", "orders"];

/** The next interval to close: the first that takes orders now. */
async function nextInterval(client: ServerClient): Promise<string | undefined> {
  const { intervals } = (await client.get("/v1/intervals?status=open")) as {
    intervals: { start: string }[];
  };
  return intervals[0]?.start;
}

export function registerBook(program: Command, ctx: CommandContext): void {
  serverOptions(
    program
      .command("book")
      .description(
        "an interval's open book on a live platform: aggregated depth per price level, no identities",
      )
      .addOption(
        flagOption(
          "--interval <start>",
          "the interval starting then (ISO 8601; default: the next to close)",
          instant,
        ),
      ),
  )
    .addHelpText("after", "\nExample:\n  gridshare book --server http://127.0.0.1:8080")
    .action(async (flags: ServerFlags & { interval?: number }) => {
      const client = serverClient(flags.server);
      const start =
        flags.interval === undefined ? await nextInterval(client) : formatInstant(flags.interval);
      if (start === undefined) {
        printRecords(ctx, flags, LEVEL_COLUMNS, [], "no interval takes orders now");
        return;
      }
      const interval = (await client.get(`/v1/intervals/${start}`)) as {
        status: string;
        book?: { visibility: string; bids?: Rows; asks?: Rows } & Record<string, unknown>;
      };
      const book = interval.book;
      if (book === undefined) {
        printRecord(ctx, flags, { interval_start: start, status: interval.status });
        return;
      }
      if (book.visibility === "counts") {
        printRecord(ctx, flags, { ...book, status: interval.status });
        return;
      }
      const levels = [...(book.bids ?? []), ...(book.asks ?? [])];
      printRecords(ctx, flags, LEVEL_COLUMNS, levels, `the book of ${start} is empty`);
    });
}
