/**
 * The time column of a data file, read one way for every format: ISO 8601 with `Z` or a UTC
 * offset, or a naive local time (`YYYY-MM-DD[T ]HH:MM[:SS[.fff]]`) in a named zone; and the
 * regular step such a column must have where a format needs one.
 */

import { InputError } from "../core/errors.js";
import { formatInstant, MS_PER_HOUR, MS_PER_MINUTE } from "../core/time.js";
import { localToUtc } from "../core/timeZone.js";
import type { CsvTable } from "./csv.js";

/** What a naive local time that daylight saving skips becomes. */
export type SkippedTime =
  /** Not a time: a file that says it is one is wrong. */
  | "unreadable"
  /** Read on the clock before the change (meters that keep counting through it). */
  | "clock-before";

/** The zone a stamp carried. */
export type StampZone = "none" | "Z" | "offset";

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
 * Reads timestamps, fast enough for a year of minutes (no regular expression, one zone lookup
 * per local hour). Keep one reader per column: it remembers the zone's offset hour by hour.
 */
export class StampReader {
  /** The zone the last readable stamp carried. */
  lastZone: StampZone = "none";
  private offset = 0;
  private readonly hourOffset = new Map<number, number>();

  constructor(
    readonly timeZone: string,
    readonly skipped: SkippedTime,
  ) {}

  /** Epoch milliseconds, or NaN when the text is not such a time or names an impossible one. */
  read(text: string): number {
    const naive = this.scan(text);
    if (Number.isNaN(naive)) return naive;
    if (this.lastZone === "Z") return naive;
    if (this.lastZone === "offset") return naive - this.offset * MS_PER_MINUTE;
    return this.local(naive);
  }

  /** The naive time as if it were UTC; the zone in `lastZone` and `offset`. */
  private scan(text: string): number {
    const year = digitsAt(text, 0, 4);
    const month = digitsAt(text, 5, 2);
    const day = digitsAt(text, 8, 2);
    const hour = digitsAt(text, 11, 2);
    const minute = digitsAt(text, 14, 2);
    const sep = text[10];
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return Number.NaN;
    if (minute < 0 || minute > 59) return Number.NaN;
    if (text[4] !== "-" || text[7] !== "-" || (sep !== "T" && sep !== " ") || text[13] !== ":")
      return Number.NaN;
    let at = 16;
    let second = 0;
    let ms = 0;
    if (text[at] === ":") {
      second = digitsAt(text, at + 1, 2);
      if (second < 0 || second > 59) return Number.NaN;
      at += 3;
      if (text[at] === ".") {
        const from = ++at;
        while (at < text.length && digitsAt(text, at, 1) >= 0) at++;
        if (at === from) return Number.NaN;
        ms = Math.round(Number(`0.${text.slice(from, at)}`) * 1000);
      }
    }
    this.lastZone = "none";
    if (at < text.length) {
      const c = text[at];
      if (c === "Z" && at + 1 === text.length) this.lastZone = "Z";
      else if (c === "+" || c === "-") {
        const oh = digitsAt(text, at + 1, 2);
        const colon = text[at + 3] === ":" ? 1 : 0;
        const om = digitsAt(text, at + 3 + colon, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59 || at + 5 + colon !== text.length)
          return Number.NaN;
        this.lastZone = "offset";
        this.offset = (c === "-" ? -1 : 1) * (oh * 60 + om);
      } else return Number.NaN;
    }
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] as number))) return Number.NaN;
    return Date.UTC(year, month - 1, day, hour, minute, second) + ms;
  }

  /** A naive local time in the zone: the hour's offset, looked up once per local hour. */
  private local(naive: number): number {
    const hourKey = naive - (naive % MS_PER_HOUR);
    let off = this.hourOffset.get(hourKey);
    if (off === undefined) {
      off = this.offsetOfHour(hourKey);
      this.hourOffset.set(hourKey, off);
    }
    // NaN marks an hour whose offset changes inside it (a half-hour shift): minute by minute.
    if (Number.isNaN(off)) return this.exact(naive);
    return naive - off;
  }

  /**
   * The hour's offset when the whole hour has one, NaN when it changes or is skipped. Clocks
   * change on a quarter hour (at :00 for most zones, :30 and :45 for a few), so the hour's start
   * and its last quarter tell; both are quarter hours, which the zone lookup caches.
   */
  private offsetOfHour(hourKey: number): number {
    const start = this.exactOffset(hourKey);
    const end = this.exactOffset(hourKey + 45 * MS_PER_MINUTE);
    if (start !== undefined && start === end) return start;
    if (start === undefined && end === undefined && this.skipped === "clock-before") {
      // The whole local hour is skipped (spring forward): read on the clock before the change.
      const before =
        this.hourOffset.get(hourKey - MS_PER_HOUR) ?? this.exactOffset(hourKey - MS_PER_HOUR);
      if (before !== undefined) return before;
    }
    return Number.NaN;
  }

  private exactOffset(naive: number): number | undefined {
    const utc = this.utcOf(naive);
    return utc === undefined ? undefined : naive - utc;
  }

  private exact(naive: number): number {
    const utc = this.utcOf(naive);
    if (utc !== undefined) return utc;
    if (this.skipped === "unreadable") return Number.NaN;
    const before = this.exactOffset(naive - MS_PER_HOUR);
    return before === undefined ? Number.NaN : naive - before;
  }

  private utcOf(naive: number): number | undefined {
    const d = new Date(naive);
    const utc = localToUtc(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      this.timeZone,
    );
    return utc === undefined ? undefined : utc + d.getUTCMilliseconds();
  }
}

/** One timestamp (a config field): ISO with an offset, or a naive local time in `timeZone`. */
export function parseStamp(text: string, timeZone: string): number | undefined {
  const ms = new StampReader(timeZone, "unreadable").read(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A column's times, every row readable: the first that is not gets `unreadable`'s message (with
 * the file and line), since formats word what they expect differently.
 */
export function requireTimes(
  table: Pick<CsvTable, "file" | "lines" | "rowCount">,
  stamps: readonly string[],
  read: (text: string) => number,
  unreadable: (text: string, where: string) => string,
): Float64Array {
  const times = new Float64Array(table.rowCount);
  for (let r = 0; r < table.rowCount; r++) {
    const text = (stamps[r] as string).trim();
    const t = read(text);
    if (Number.isNaN(t))
      throw new InputError(
        "E_DATA_INVALID",
        unreadable(stamps[r] as string, `${table.file}, line ${table.lines[r]}`),
      );
    times[r] = t;
  }
  return times;
}

/** The usual "expected" text of a local-or-ISO time column in `timeZone`. */
export function unreadableLocalStamp(timeZone: string) {
  return (text: string, where: string): string =>
    `${where}: unreadable timestamp ${JSON.stringify(text)} (expected ISO 8601, or YYYY-MM-DD HH:MM in ${timeZone}; a local time that daylight saving skips does not exist)`;
}

/**
 * The step of a column that must be regular: the most common difference, in whole minutes;
 * gaps, duplicates and out-of-order rows are reported by line (the first four), never filled.
 */
export function regularStepMs(
  times: Float64Array,
  table: Pick<CsvTable, "file" | "lines">,
): number {
  const file = table.file;
  if (times.length < 2)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: need at least two rows to know the resolution`,
    );
  const diffs = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    diffs.set(d, (diffs.get(d) ?? 0) + 1);
  }
  const step = [...diffs.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] as number;
  if (!(step > 0) || step % MS_PER_MINUTE !== 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: cannot detect a regular resolution in whole minutes`,
    );
  const problems: string[] = [];
  for (let i = 1; i < times.length && problems.length < 4; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (d === step) continue;
    const where = `line ${table.lines[i]} (${formatInstant(times[i] as number)})`;
    if (d === 0) problems.push(`duplicate timestamp at ${where}`);
    else if (d < 0) problems.push(`out-of-order timestamp at ${where}`);
    else if (d % step === 0) problems.push(`gap of ${d / step - 1} interval(s) before ${where}`);
    else problems.push(`irregular step before ${where}`);
  }
  if (problems.length > 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}: the series is not regular at ${step / MS_PER_MINUTE}-minute resolution: ${problems.join("; ")}. Gaps and duplicates are not filled silently: clean the file first (gridshare data check can fill and flag them)`,
    );
  return step;
}
