/**
 * The cleaned-series format that `data check --out` writes and a scenario can settle on:
 *
 *   time,raw,value,flag,finding
 *
 * `time` ISO 8601 UTC, `raw` the reading as read (empty when there was none), `value` the reading
 * to use (measured or estimated), `flag` one of measured, source_filled, interpolated, profile,
 * spread, missing, and `finding` what the check found there. Its writer and its flag reader.
 */
import { InputError } from "../core/errors.js";
import { formatInstant, MS_PER_DAY } from "../core/time.js";
import type { QualityResult } from "../maintenance/dataQuality.js";
import { type CsvTable, columnIndex } from "./csv.js";

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
      const day = t - (((t % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
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

/** Flags of a cleaned file (`gridshare data check --out`) that mark a reading as measured. */
const MEASURED_FLAGS = new Set(["measured", "source_filled"]);
const ESTIMATED_FLAGS = new Set(["interpolated", "profile", "spread"]);

/**
 * The estimated rows of a cleaned file: from `flag_column`, or a column named `flag` when there
 * is one. A row without a value ("missing") cannot be settled and is an error naming its line.
 */
export function readFlags(
  table: CsvTable,
  flagColumn: string | undefined,
  field: string,
): Uint8Array | undefined {
  if (flagColumn === undefined && !table.header.includes("flag")) return undefined;
  const name = flagColumn ?? "flag";
  const cells = table.columns[columnIndex(table, name)] as string[];
  const out = new Uint8Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const flag = (cells[r] as string).trim();
    if (ESTIMATED_FLAGS.has(flag)) out[r] = 1;
    else if (!MEASURED_FLAGS.has(flag))
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[r]}, column ${JSON.stringify(name)} (${field}): ${flag === "missing" ? "no reading and no estimate: a missing value cannot be settled" : `expected one of measured, source_filled, interpolated, profile, spread; received ${JSON.stringify(flag)}`}`,
      );
  }
  return out;
}
