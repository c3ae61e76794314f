/** What every command receives: the I/O and the conventions shared by all commands. */
import { choiceReader } from "./flags.js";
import type { CliIo } from "./io.js";
import type { OutputFormat } from "./output.js";

export interface CommandContext {
  readonly io: CliIo;
}

/**
 * The output format: `--json` wins, then `--format`, then a table on a terminal and JSON
 * otherwise (or the first allowed format when a table is not offered).
 */
export function resolveFormat(
  ctx: CommandContext,
  flags: { format?: string | undefined; json?: boolean | undefined },
  allowed: readonly OutputFormat[],
): OutputFormat {
  if (flags.json) return "json";
  // Checked here, not while parsing: with --json a --format is not read at all.
  if (flags.format !== undefined) return choiceReader(allowed)(flags.format, "--format");
  if (ctx.io.stdout.isTTY && allowed.includes("table")) return "table";
  return allowed.includes("json") ? "json" : (allowed[0] as OutputFormat);
}
