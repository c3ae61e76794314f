/**
 * Time: UTC instants as epoch milliseconds, and market intervals `[start, start + minutes)`.
 * Local time only appears at the edges (display, tariffs) with a named time zone.
 */

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** A market interval: delivery from `startMs` (inclusive) for `minutes`. */
export interface Interval {
  readonly startMs: number;
  readonly minutes: number;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 instant with an explicit offset (`Z` or `±hh:mm`), e.g.
 * `2026-06-01T12:00:00Z`. Returns epoch milliseconds, or `undefined` for anything else
 * (no offset, impossible dates such as February 30th, other formats).
 */
export function parseInstant(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > dim) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (frac) ms += Math.round(Number(`0${frac}`) * 1000);
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    ms -= sign * (oh * 60 + om) * MS_PER_MINUTE;
  }
  return ms;
}

/** Formats epoch milliseconds as `2026-06-01T12:00:00Z` (milliseconds shown only when set). */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, 19)}Z` : iso;
}

/** End of an interval in epoch milliseconds (exclusive). */
export function intervalEndMs(interval: Interval): number {
  return interval.startMs + interval.minutes * MS_PER_MINUTE;
}

/** Interval length in hours, for converting energy per interval to average power. */
export function intervalHours(interval: Interval): number {
  return interval.minutes / 60;
}
