/**
 * A metered series from a CSV file, as `data check` reads it: one time column (ISO 8601 with an
 * offset or Z, or naive local time in a named zone), or rows at a fixed step from a given start
 * when the file has no usable clock (CityLearn); one value column; and what the file itself says
 * about its rows (OPSD's `interpolated_values` column names the columns OPSD filled).
 */

import { InputError } from "../core/errors.js";
import { MS_PER_DAY } from "../core/time.js";
import { localToUtc, offsetMinutes } from "../core/timeZone.js";
import { type CsvTable, columnIndex, parseCsv, parseDecimal } from "./csv.js";

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

/** The fields of the last stamp `scanStamp` read (kept here to spare an object per row). */
const scanned = {
  year: 0,
  month: 0,
  day: 0,
  hour: 0,
  zone: "none" as "none" | "Z" | "offset",
  offsetMinutes: 0,
};

function digitsAt(text: string, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = text.charCodeAt(at + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|+HHMM]` without a regular expression (the hot
 * loop of a year of minutes): the naive time as UTC milliseconds, the zone in `scanned`; or
 * undefined when the text is not such a time or names an impossible date.
 */
function scanStamp(text: string): number | undefined {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const sep = text[10];
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59
  )
    return undefined;
  if (text[4] !== "-" || text[7] !== "-" || (sep !== "T" && sep !== " ") || text[13] !== ":")
    return undefined;
  let at = 16;
  let second = 0;
  if (text[at] === ":") {
    second = digitsAt(text, at + 1, 2);
    if (second < 0 || second > 59) return undefined;
    at += 3;
    if (text[at] === ".") {
      at++;
      while (at < text.length && digitsAt(text, at, 1) >= 0) at++;
    }
  }
  scanned.zone = "none";
  if (at < text.length) {
    const c = text[at];
    if (c === "Z" && at + 1 === text.length) scanned.zone = "Z";
    else if (c === "+" || c === "-") {
      const oh = digitsAt(text, at + 1, 2);
      const colon = text[at + 3] === ":" ? 1 : 0;
      const om = digitsAt(text, at + 3 + colon, 2);
      if (oh < 0 || oh > 23 || om < 0 || om > 59 || at + 5 + colon !== text.length)
        return undefined;
      scanned.zone = "offset";
      scanned.offsetMinutes = (c === "-" ? -1 : 1) * (oh * 60 + om);
    } else return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] as number))) return undefined;
  scanned.year = year;
  scanned.month = month;
  scanned.day = day;
  scanned.hour = hour;
  return Date.UTC(year, month - 1, day, hour, minute, second);
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
  // A file without a header row would lend its first readings as column names.
  const looksLikeData = (name: string | undefined) =>
    name !== undefined &&
    (parseDecimal(name) !== undefined || scanStamp(name.trim()) !== undefined);
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
    const hourOffset = new Map<number, number>();
    let labelsAreLocal = true;
    for (let r = 0; r < n; r++) {
      const stamp = (stamps[r] as string).trim();
      const naive = scanStamp(stamp);
      if (naive === undefined) {
        times[r] = Number.NaN;
        if (labelsAreLocal) localDates.push("");
        continue;
      }
      if (scanned.zone === "Z") {
        times[r] = naive;
        labelsAreLocal = false;
      } else if (scanned.zone === "offset") {
        times[r] = naive - scanned.offsetMinutes * 60_000;
      } else {
        // Naive local time: the zone's offset, looked up once per local hour.
        const hourKey = naive - (naive % 3_600_000);
        let off = hourOffset.get(hourKey);
        if (off === undefined) {
          const utc = localToUtc(
            {
              year: scanned.year,
              month: scanned.month,
              day: scanned.day,
              hour: scanned.hour,
              minute: 0,
            },
            options.timeZone,
          );
          // A local hour the clocks skip (spring forward) is read on the clock before the change.
          off =
            utc !== undefined
              ? hourKey - utc
              : (hourOffset.get(hourKey - 3_600_000) ??
                offsetMinutes(hourKey - MS_PER_DAY, options.timeZone) * 60_000);
          hourOffset.set(hourKey, off);
        }
        times[r] = naive - off;
      }
      if (labelsAreLocal) localDates.push(stamp.slice(0, 10));
    }
    if (!labelsAreLocal) localDates = undefined;
    let readable = 0;
    for (let r = 0; r < n; r++) if (!Number.isNaN(times[r] as number)) readable++;
    if (n > 0 && readable < 2) {
      const bad = stamps.findIndex((t) => scanStamp(t.trim()) === undefined);
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
