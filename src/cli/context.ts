/** What every command receives: the I/O and the conventions shared by all commands. */
import { InputError } from "../core/errors.js";
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
  if (flags.format !== undefined) {
    if (!(allowed as readonly string[]).includes(flags.format)) {
      throw new InputError(
        "E_USAGE",
        `--format: expected one of ${allowed.join(", ")}, received ${JSON.stringify(flags.format)}`,
      );
    }
    return flags.format as OutputFormat;
  }
  if (ctx.io.stdout.isTTY && allowed.includes("table")) return "table";
  return allowed.includes("json") ? "json" : (allowed[0] as OutputFormat);
}
