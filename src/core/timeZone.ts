/**
 * Local time in a named IANA time zone, through the engine's Intl data: for tariffs that depend
 * on the local hour, EV arrival times, and display. UTC stays the clock of everything else.
 */
import { MS_PER_DAY } from "./time.js";

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the engine knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

const cache = new Map<string, LocalParts>();

/** The local calendar fields of an instant. Cached per zone and quarter hour. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const quarter = Math.floor(ms / 900_000);
  const exact = ms % 900_000 === 0;
  const key = `${timeZone}|${quarter}`;
  if (exact) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  const out: LocalParts = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday as string] ?? 0,
  };
  if (exact) {
    if (cache.size > 200_000) cache.clear();
    cache.set(key, out);
  }
  return out;
}

/** The UTC offset of the zone at an instant, minutes (east positive). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const p = localParts(ms - (ms % 60_000), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - (ms - (ms % 60_000))) / 60_000);
}

/**
 * The instant of a local wall-clock time in a zone. Returns undefined for a time that does not
 * exist there (skipped by a daylight-saving change); an ambiguous time gives the earlier instant.
 */
export function localToUtc(
  fields: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second?: number;
  },
  timeZone: string,
): number | undefined {
  const naive = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second ?? 0,
  );
  // Two candidates around the offsets in force near that time.
  const candidates = new Set<number>();
  for (const probe of [naive - MS_PER_DAY, naive, naive + MS_PER_DAY]) {
    candidates.add(naive - offsetMinutes(probe, timeZone) * 60_000);
  }
  const valid = [...candidates].filter((t) => {
    const p = localParts(t - (t % 60_000), timeZone);
    return (
      p.year === fields.year &&
      p.month === fields.month &&
      p.day === fields.day &&
      p.hour === fields.hour &&
      p.minute === fields.minute
    );
  });
  if (valid.length === 0) return undefined;
  return Math.min(...valid);
}

/** A calendar date, `YYYY-MM-DD`. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Reads `YYYY-MM-DD` (a real date), or undefined. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

/**
 * The first instant of a local calendar day in a zone: its midnight, or, where a daylight-saving
 * change skips midnight, the first minute that exists.
 */
export function localDayStart(date: CalendarDate, timeZone: string): number {
  for (let minute = 0; minute < 24 * 60; minute++) {
    const t = localToUtc({ ...date, hour: Math.floor(minute / 60), minute: minute % 60 }, timeZone);
    if (t !== undefined) return t;
  }
  throw new Error(`no minute of ${JSON.stringify(date)} exists in ${timeZone}`);
}

/** The local calendar day after `date`. */
export function nextCalendarDate(date: CalendarDate): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
