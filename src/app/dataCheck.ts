/**
 * Checking a metered series: read it, validate it (gaps, duplicates, clock errors, spikes,
 * stuck, negative, night PV, limits, counter resets and jumps), estimate and flag what is missing
 * or removed; the report as a record, and the cleaned series to write.
 */
import { InputError } from "../core/errors.js";
import { formatInstant } from "../core/time.js";
import { cleanedCsv } from "../formats/cleanedSeries.js";
import { readInputFile } from "../formats/inputFile.js";
import { readMeterSeries } from "../formats/meterFile.js";
import {
  checkSeries,
  countFindings,
  type Finding,
  type Flag,
  type QualityResult,
  type SeriesKind,
} from "../maintenance/dataQuality.js";

export const KINDS: readonly SeriesKind[] = ["load", "pv", "cumulative"];

export interface DataCheckOptions {
  readonly file: string;
  readonly kind: SeriesKind;
  readonly column?: string | undefined;
  readonly timeColumn?: string | undefined;
  /** IANA zone of naive timestamps and of the daylight-saving check. */
  readonly timeZone: string;
  /** Physical limit of a reading, in the column's unit. */
  readonly limit?: number | undefined;
  /** For files without a time column: the first row's time and the minutes between rows. */
  readonly startMs?: number | undefined;
  readonly stepMinutes?: number | undefined;
}

const stamp = (ms: number) => (Number.isNaN(ms) ? null : formatInstant(ms));

export async function dataCheck(options: DataCheckOptions) {
  const { file, kind } = options;
  const series = readMeterSeries(await readInputFile(file), file, {
    column: options.column,
    timeColumn: options.timeColumn,
    timeZone: options.timeZone,
    startMs: options.startMs,
    stepMinutes: options.stepMinutes,
  });
  if (series.times.length < 2)
    throw new InputError("E_DATA_INVALID", `${file}: fewer than 2 rows; nothing to check`);
  const result: QualityResult = checkSeries({
    times: series.times,
    values: series.values,
    kind,
    limit: options.limit,
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
  const record = {
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
  return { record, result, cleaned: () => cleanedCsv(result) };
}
