/** `gridshare data check`: validation, estimation and editing of a metered series. */
import type { Command } from "commander";
import { dataCheck, KINDS } from "../../app/dataCheck.js";
import { InputError } from "../../core/errors.js";
import { isTimeZone } from "../../core/timeZone.js";
import type { SeriesKind } from "../../maintenance/dataQuality.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, instantReader, positiveNumber } from "../flags.js";
import { writeOutputFile } from "../io.js";
import { toJson, toTable } from "../output.js";

export interface DataCheckFlags {
  column?: string;
  timeColumn?: string;
  kind: SeriesKind;
  timeZone?: string;
  limit?: number;
  start?: number;
  stepMinutes?: number;
  out?: string;
  json?: boolean;
}

/** `--time-zone`: an IANA zone. */
function timeZoneName(text: string, flag: string): string {
  if (!isTimeZone(text))
    throw new InputError("E_USAGE", `${flag}: unknown IANA time zone ${JSON.stringify(text)}`);
  return text;
}

export async function runDataCheck(ctx: CommandContext, file: string, flags: DataCheckFlags) {
  const { kind, limit, start: startMs, stepMinutes } = flags;
  const timeZone = flags.timeZone ?? "UTC";
  if (startMs === undefined && stepMinutes !== undefined)
    throw new InputError(
      "E_USAGE",
      "--step-minutes: only with --start (for files without a time column)",
    );
  const {
    record: doc,
    result,
    cleaned,
  } = await dataCheck({
    file,
    kind,
    column: flags.column,
    timeColumn: flags.timeColumn,
    timeZone,
    limit,
    startMs,
    stepMinutes,
  });
  if (flags.out !== undefined) await writeOutputFile(ctx.io, flags.out, cleaned());
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    const count = (o: Record<string, number | undefined>) =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
    ctx.io.stdout.write(
      `${file}, column ${JSON.stringify(doc.column)} (${kind}): ${doc.rows} rows every ${doc.step_minutes} min, ${doc.from} to ${doc.to}\n` +
        `findings: ${count(doc.counts)}\n` +
        `cleaned series (${doc.slots} slots): ${count(doc.flags)}\n`,
    );
    if (doc.findings.length > 0)
      ctx.io.stdout.write(
        `\n${toTable(
          ["kind", "from", "to", "line", "detail"],
          doc.findings.map((f) => ({ ...f, to: f.to === f.from ? "" : f.to })),
        )}`,
      );
  }
  return { doc, result };
}

export function registerData(program: Command, ctx: CommandContext): void {
  const data = program
    .command("data")
    .description("meter data: validation, estimation and editing");
  data
    .command("check")
    .description(
      "find gaps, duplicates, clock errors, spikes, stuck and impossible readings in a metered series; estimate and flag what is missing or removed",
    )
    .argument("<file>", "CSV with a time column and the series")
    .option("--column <name>", "the column to check (needed when the file has several)")
    .option(
      "--time-column <name>",
      "the time column (default: the unnamed one, or the first whose name says time or date)",
    )
    .addOption(
      flagOption(
        "--kind <kind>",
        "load (consumption), pv (generation) or cumulative (a meter counter)",
        choiceReader(KINDS),
      ).default("load"),
    )
    .addOption(
      flagOption(
        "--time-zone <zone>",
        "IANA zone of naive timestamps and of the daylight-saving check (default UTC)",
        timeZoneName,
      ),
    )
    .addOption(
      flagOption(
        "--limit <value>",
        "physical limit of a reading in the column's unit (per interval for a counter)",
        positiveNumber,
      ),
    )
    .addOption(
      flagOption(
        "--start <time>",
        "for files without a time column: the first row's time (ISO 8601)",
        instantReader("an ISO 8601 time with an offset or Z"),
      ),
    )
    .addOption(
      flagOption(
        "--step-minutes <n>",
        "with --start: minutes between rows (default 60)",
        positiveNumber,
      ),
    )
    .option("--out <csv>", "write the cleaned series: time, raw, value, flag, finding")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Flags in the cleaned series: measured, source_filled (the file says its source filled it),
interpolated (short run), profile (long run, from the series' typical day), spread (a counter's
rise across a gap), missing (nothing to estimate from). For --kind cumulative the value is the
energy of the interval ending at the time.

Examples:
  gridshare data check data/ausgrid-solar-home/customer12_2011-2012.csv --column GC --time-zone Australia/Sydney
  gridshare data check data/opsd-household/household_data_60min_singleindex_2017release_residential4.csv \\
    --time-column utc_timestamp --column DE_KN_residential4_pv --kind cumulative --out pv-clean.csv
  gridshare data check data/citylearn-2022/Building_1.csv --column solar_generation --kind pv \\
    --start 2016-08-01T07:00:00Z --step-minutes 60`,
    )
    .action(async (file: string, flags: DataCheckFlags) => {
      await runDataCheck(ctx, file, flags);
    });
}
