/**
 * What every client of a live platform shares: `--server URL` (required) with
 * `--format table|json|csv` (`--json` for short), and printing the server's records in them.
 */
import type { Command } from "commander";
import { type CommandContext, resolveFormat } from "./context.js";
import { flagOption } from "./flags.js";
import { serverUrl } from "./http.js";
import { toCsv, toJson, toKeyValues, toTable } from "./output.js";

export interface ServerFlags {
  server: string;
  format?: string;
  json?: boolean;
}

/** Adds `--server` and `--format`/`--json` to `cmd`. */
export function serverOptions(cmd: Command): Command {
  return cmd
    .addOption(
      flagOption("--server <url>", "the live platform's URL", serverUrl).makeOptionMandatory(),
    )
    .option("--format <format>", "table, json or csv (table on a terminal, else json)")
    .option("--json", "shorthand for --format json");
}

/** One record: `key  value` lines in a table, one row in CSV. */
export function printRecord(
  ctx: CommandContext,
  flags: ServerFlags,
  record: Record<string, unknown>,
): void {
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  if (format === "json") ctx.io.stdout.write(toJson(record));
  else if (format === "csv") ctx.io.stdout.write(toCsv(Object.keys(record), [record]));
  else ctx.io.stdout.write(toKeyValues(Object.entries(record)));
}

/** Records with the same `columns`; `none` says in a table that there are none. */
export function printRecords(
  ctx: CommandContext,
  flags: ServerFlags,
  columns: readonly string[],
  records: readonly Record<string, unknown>[],
  none: string,
): void {
  const format = resolveFormat(ctx, flags, ["table", "json", "csv"]);
  if (format === "json") ctx.io.stdout.write(toJson(records));
  else if (format === "csv") ctx.io.stdout.write(toCsv(columns, records));
  else ctx.io.stdout.write(records.length === 0 ? `(${none})\n` : toTable(columns, records));
}
