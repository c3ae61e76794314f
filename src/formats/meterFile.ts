/**
 * A metered series from a CSV file, as `data check` reads it: one time column (ISO 8601 with an
 * offset or Z, or naive local time in a named zone), or rows at a fixed step from a given start
 * when the file has no usable clock (CityLearn); one value column; and what the file itself says
 * about its rows (OPSD's `interpolated_values` column names the columns OPSD filled).
 */

import { InputError } from "../core/errors.js";
import { MS_PER_DAY } from "../core/time.js";
import { offsetMinutes } from "../core/timeZone.js";
import { type CsvTable, columnIndex, parseCsv, parseDecimal } from "./csv.js";
import { StampReader } from "./timeColumn.js";

type Head = Pick<CsvTable, "file" | "header">;

export interface MeterFileOptions {
  readonly column?: string | undefined;
  readonly timeColumn?: string | undefined;
  /** Zone of naive timestamps and of the daylight-saving check (default UTC). */
  readonly timeZone: string;
  /** For files without a clock: the first row's time and the step. */
  readonly startMs?: number | undefined;
  readonly stepMinutes?: number | undefined;
}

export interface MeterSeries {
  readonly column: string;
  readonly timeColumn: string | null;
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** The file line of each row. */
  readonly lines: Int32Array;
  readonly sourceFilled: Uint8Array | undefined;
  /** The local date each row is labelled with, when the labels are local (naive or offset). */
  readonly localDates: string[] | undefined;
  /** The local dates in the file's span on which the zone's clocks change. */
  readonly dstDates: Set<string> | undefined;
}

const TIME_HEADER = /time|date|stamp/i;

function pickTimeColumn(table: Head, given: string | undefined): number {
  if (given !== undefined) return columnIndex(table, given);
  const blank = table.header.indexOf("");
  if (blank >= 0) return blank;
  const named = table.header.findIndex((h) => TIME_HEADER.test(h));
  return Math.max(named, 0);
}

function pickValueColumn(table: Head, given: string | undefined, skip: number): number {
  if (given !== undefined) return columnIndex(table, given);
  const candidates = table.header
    .map((h, i) => ({ h, i }))
    .filter(({ h, i }) => i !== skip && h !== "interpolated_values" && !TIME_HEADER.test(h));
  if (candidates.length === 1) return (candidates[0] as { i: number }).i;
  throw new InputError(
    "E_USAGE",
    `${table.file}: --column is needed to say which column to check (columns: ${candidates.map(({ h }) => JSON.stringify(h)).join(", ")})`,
  );
}

/**
 * Reads the series. Unreadable timestamps become NaN (the check reports them); values that are
 * not numbers are an error naming the line, empty cells are missing readings.
 */
export function readMeterSeries(
  text: string,
  file: string,
  options: MeterFileOptions,
): MeterSeries {
  const fixedStep = options.startMs !== undefined;
  let timeIdx = -1;
  let valueIdx = -1;
  let filledIdx = -1;
  const table = parseCsv(text, file, {
    comment: "#",
    keep: (header) => {
      const head = { file, header };
      timeIdx = fixedStep ? -1 : pickTimeColumn(head, options.timeColumn);
      valueIdx = pickValueColumn(head, options.column, timeIdx);
      filledIdx = header.indexOf("interpolated_values");
      return [timeIdx, valueIdx, filledIdx].filter((i) => i >= 0);
    },
  });
  const column = table.header[valueIdx] as string;
  const reader = new StampReader(options.timeZone, "clock-before");
  // A file without a header row would lend its first readings as column names.
  const looksLikeData = (name: string | undefined) =>
    name !== undefined &&
    (parseDecimal(name) !== undefined || !Number.isNaN(reader.read(name.trim())));
  if (looksLikeData(column) || (timeIdx >= 0 && looksLikeData(table.header[timeIdx]))) {
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: the first row must be a header naming the columns (e.g. time,value); received a row of data: ${JSON.stringify(table.header.join(","))}`,
    );
  }
  const n = table.rowCount;
  const values = new Float64Array(n);
  const cells = table.columns[valueIdx] as string[];
  for (let r = 0; r < n; r++) {
    const cell = (cells[r] as string).trim();
    const v = cell === "" ? Number.NaN : (parseDecimal(cell) ?? Number.NaN);
    if (cell !== "" && !Number.isFinite(v))
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[r]}, column ${JSON.stringify(column)}: expected a number, received ${JSON.stringify(cell)}`,
      );
    values[r] = v;
  }
  const times = new Float64Array(n);
  let localDates: string[] | undefined;
  if (fixedStep) {
    const step = (options.stepMinutes ?? 60) * 60_000;
    for (let r = 0; r < n; r++) times[r] = (options.startMs as number) + r * step;
  } else {
    localDates = [];
    const stamps = table.columns[timeIdx] as string[];
    let labelsAreLocal = true;
    for (let r = 0; r < n; r++) {
      const stamp = (stamps[r] as string).trim();
      const t = reader.read(stamp);
      times[r] = t;
      if (Number.isNaN(t)) {
        if (labelsAreLocal) localDates.push("");
        continue;
      }
      if (reader.lastZone === "Z") labelsAreLocal = false;
      if (labelsAreLocal) localDates.push(stamp.slice(0, 10));
    }
    if (!labelsAreLocal) localDates = undefined;
    let readable = 0;
    for (let r = 0; r < n; r++) if (!Number.isNaN(times[r] as number)) readable++;
    if (n > 0 && readable < 2) {
      const bad = times.findIndex((t) => Number.isNaN(t));
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[bad] ?? table.lines[0]}, column ${JSON.stringify(table.header[timeIdx])}: expected a time such as 2017-01-01T00:00:00Z or 2017-01-01 00:00, received ${JSON.stringify((stamps[bad] ?? "").trim())} (${readable} of ${n} timestamps are readable)`,
      );
    }
  }
  let sourceFilled: Uint8Array | undefined;
  if (filledIdx >= 0) {
    sourceFilled = new Uint8Array(n);
    const notes = table.columns[filledIdx] as string[];
    for (let r = 0; r < n; r++)
      if ((notes[r] as string).split("|").some((c) => c.trim() === column)) sourceFilled[r] = 1;
  }
  return {
    column,
    timeColumn: fixedStep ? null : (table.header[timeIdx] as string),
    times,
    values,
    lines: table.lines,
    sourceFilled,
    localDates,
    dstDates: localDates ? clockChangeDates(times, options.timeZone) : undefined,
  };
}

/** The local dates between the first and last time on which the zone's UTC offset changes. */
export function clockChangeDates(times: Float64Array, timeZone: string): Set<string> {
  const out = new Set<string>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const t of times)
    if (!Number.isNaN(t)) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
  if (!(hi > lo)) return out;
  const day = MS_PER_DAY;
  let before = offsetMinutes(lo, timeZone);
  for (let t = lo - (lo % day) + day; t <= hi + day; t += day) {
    const after = offsetMinutes(t, timeZone);
    if (after !== before) {
      // Find the instant of the change to the minute; its local date (on the old clock) is the day.
      let a = t - day;
      let b = t;
      while (b - a > 60_000) {
        const mid = a + Math.floor((b - a) / 120_000) * 60_000;
        if (offsetMinutes(mid, timeZone) === before) a = mid;
        else b = mid;
      }
      out.add(new Date(a + before * 60_000).toISOString().slice(0, 10));
    }
    before = after;
  }
  return out;
}
