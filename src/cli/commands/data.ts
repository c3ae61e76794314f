/** `gridshare data check`: validation, estimation and editing of a metered series. */
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { formatInstant, parseInstant } from "../../core/time.js";
import { isTimeZone } from "../../core/timeZone.js";
import { readMeterSeries } from "../../data/meterFile.js";
import {
  checkSeries,
  countFindings,
  type Finding,
  type Flag,
  type QualityResult,
  type SeriesKind,
} from "../../maintenance/dataQuality.js";
import type { CommandContext } from "../context.js";
import { positiveNumber } from "../flags.js";
import { readInputFile, writeFileAtomic } from "../io.js";
import { toJson, toTable } from "../output.js";

export interface DataCheckFlags {
  column?: string;
  timeColumn?: string;
  kind?: string;
  timeZone?: string;
  limit?: string;
  start?: string;
  stepMinutes?: string;
  out?: string;
  json?: boolean;
}

const KINDS: readonly SeriesKind[] = ["load", "pv", "cumulative"];

const stamp = (ms: number) => (Number.isNaN(ms) ? null : formatInstant(ms));

/** Writes `b` at `at`; returns the position after it. */
function putBytes(buf: Buffer, at: number, b: Uint8Array): number {
  for (let k = 0; k < b.length; k++) buf[at + k] = b[k] as number;
  return at + b.length;
}

/** Writes `n` (0-99) as two digits. */
function putTwo(buf: Buffer, at: number, n: number): number {
  buf[at] = 48 + ((n / 10) | 0);
  buf[at + 1] = 48 + (n % 10);
  return at + 2;
}

/**
 * Writes `x` rounded to 6 decimals without trailing zeros, as `String(Math.round(x * 1e6) / 1e6)`
 * would for any reading a meter gives; nothing for NaN.
 */
export function putNumber(buf: Buffer, at: number, x: number): number {
  if (Number.isNaN(x)) return at;
  // Math.round rounds halves up (towards +infinity) for negative values too: round first, then
  // take the sign, as String(Math.round(x * 1e6) / 1e6) does.
  const signed = Math.round(x * 1e6);
  const micro = Math.abs(signed);
  if (!(micro < 1e15)) return at + buf.write(String(signed / 1e6), at, "latin1");
  if (signed < 0) buf[at++] = 45;
  let whole = Math.floor(micro / 1e6);
  let frac = micro - whole * 1e6;
  let width = 1;
  for (let p = 10; p <= whole; p *= 10) width++;
  for (let k = width - 1; k >= 0; k--) {
    buf[at + k] = 48 + (whole % 10);
    whole = Math.floor(whole / 10);
  }
  at += width;
  if (frac === 0) return at;
  buf[at++] = 46;
  let decimals = 6;
  while (frac % 10 === 0) {
    frac /= 10;
    decimals--;
  }
  for (let k = decimals - 1; k >= 0; k--) {
    buf[at + k] = 48 + (frac % 10);
    frac = (frac / 10) | 0;
  }
  return at + decimals;
}

/**
 * The cleaned series as CSV bytes: time, raw, value, flag, finding, written straight into one
 * buffer (a year of minutes is half a million rows): times from a per-day date and the clock.
 */
export function cleanedCsv(r: QualityResult): Buffer {
  const slots = r.times.length;
  // The longest row: a time (24), two numbers (24 each), a flag and a finding (16 each), 5 marks.
  const buf = Buffer.allocUnsafe(64 + slots * 112);
  let at = buf.write("time,raw,value,flag,finding\n", 0, "latin1");
  const bytesOf: Record<string, Uint8Array> = {};
  const bytes = (text: string) => (bytesOf[text] ??= Buffer.from(text, "latin1"));
  let dayStart = Number.NaN;
  let datePrefix: Uint8Array = new Uint8Array(0);
  for (let s = 0; s < slots; s++) {
    const t = r.times[s] as number;
    if (t % 1000 === 0) {
      const day = t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
      if (day !== dayStart) {
        dayStart = day;
        datePrefix = bytes(new Date(day).toISOString().slice(0, 11));
      }
      at = putBytes(buf, at, datePrefix);
      const sec = (t - day) / 1000;
      at = putTwo(buf, at, (sec / 3600) | 0);
      buf[at++] = 58;
      at = putTwo(buf, at, ((sec / 60) | 0) % 60);
      buf[at++] = 58;
      at = putTwo(buf, at, sec % 60);
      buf[at++] = 90;
    } else at += buf.write(formatInstant(t), at, "latin1");
    buf[at++] = 44;
    at = putNumber(buf, at, r.raw[s] as number);
    buf[at++] = 44;
    at = putNumber(buf, at, r.value[s] as number);
    buf[at++] = 44;
    at = putBytes(buf, at, bytes(r.flags[s] as string));
    buf[at++] = 44;
    at = putBytes(buf, at, bytes(r.finding[s] ?? ""));
    buf[at++] = 10;
  }
  return buf.subarray(0, at);
}

export async function runDataCheck(ctx: CommandContext, file: string, flags: DataCheckFlags) {
  const kind = (flags.kind ?? "load") as SeriesKind;
  if (!KINDS.includes(kind))
    throw new InputError(
      "E_USAGE",
      `--kind: expected one of ${KINDS.join(", ")}, received ${JSON.stringify(flags.kind)}`,
    );
  const timeZone = flags.timeZone ?? "UTC";
  if (!isTimeZone(timeZone))
    throw new InputError(
      "E_USAGE",
      `--time-zone: unknown IANA time zone ${JSON.stringify(timeZone)}`,
    );
  let startMs: number | undefined;
  if (flags.start !== undefined) {
    startMs = parseInstant(flags.start);
    if (startMs === undefined)
      throw new InputError(
        "E_USAGE",
        `--start: expected an ISO 8601 time with an offset or Z, received ${JSON.stringify(flags.start)}`,
      );
  } else if (flags.stepMinutes !== undefined)
    throw new InputError(
      "E_USAGE",
      "--step-minutes: only with --start (for files without a time column)",
    );
  const series = readMeterSeries(await readInputFile(file), file, {
    column: flags.column,
    timeColumn: flags.timeColumn,
    timeZone,
    startMs,
    stepMinutes: positiveNumber(flags.stepMinutes, "--step-minutes"),
  });
  if (series.times.length < 2)
    throw new InputError("E_DATA_INVALID", `${file}: fewer than 2 rows; nothing to check`);
  const result = checkSeries({
    times: series.times,
    values: series.values,
    kind,
    limit: positiveNumber(flags.limit, "--limit"),
    sourceFilled: series.sourceFilled,
    localDates: series.localDates,
    dstDates: series.dstDates,
  });
  if (result.times.length > 50 * series.times.length)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: the rows are ${result.stepMs / 60_000} min apart but span ${result.times.length} such steps; check the time column`,
    );
  const flagCounts: Partial<Record<Flag, number>> = {};
  for (const f of result.flags) flagCounts[f] = (flagCounts[f] ?? 0) + 1;
  const where = (f: Finding) => (f.row === undefined ? null : (series.lines[f.row] ?? null));
  const doc = {
    file,
    column: series.column,
    kind,
    rows: series.times.length,
    step_minutes: result.stepMs / 60_000,
    from: stamp(result.times[0] as number),
    to: stamp(result.times[result.times.length - 1] as number),
    slots: result.times.length,
    counts: countFindings(result.findings),
    flags: flagCounts,
    findings: result.findings.map((f) => ({
      kind: f.kind,
      from: stamp(f.fromMs),
      to: stamp(f.toMs),
      line: where(f),
      detail: f.detail,
    })),
  };
  if (flags.out !== undefined) {
    await writeFileAtomic(flags.out, cleanedCsv(result));
    ctx.io.stderr.write(`wrote ${flags.out}\n`);
  }
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    const count = (o: Record<string, number | undefined>) =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
    ctx.io.stdout.write(
      `${file}, column ${JSON.stringify(series.column)} (${kind}): ${doc.rows} rows every ${doc.step_minutes} min, ${doc.from} to ${doc.to}\n` +
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
    .option(
      "--kind <kind>",
      "load (consumption), pv (generation) or cumulative (a meter counter)",
      "load",
    )
    .option(
      "--time-zone <zone>",
      "IANA zone of naive timestamps and of the daylight-saving check (default UTC)",
    )
    .option(
      "--limit <value>",
      "physical limit of a reading in the column's unit (per interval for a counter)",
    )
    .option("--start <time>", "for files without a time column: the first row's time (ISO 8601)")
    .option("--step-minutes <n>", "with --start: minutes between rows (default 60)")
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
