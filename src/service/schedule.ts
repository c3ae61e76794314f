/**
 * When each delivery interval takes orders: intervals of `intervalMinutes` aligned to UTC; an
 * interval starting at T is open from T − `openHours` until its gate closes at
 * T − `gateClosureMinutes`; an order that arrives at the gate or later is too late. Pure.
 */
import { MS_PER_HOUR, MS_PER_MINUTE } from "../core/time.js";
import { type CalendarDate, localDayStart, nextCalendarDate } from "../core/timeZone.js";

export interface Schedule {
  readonly intervalMinutes: number;
  readonly gateClosureMinutes: number;
  readonly openHours: number;
}

/** Where an interval stands before it is cleared. */
export type IntervalPhase = "scheduled" | "open" | "gate_closed";

const intervalMs = (s: Schedule) => s.intervalMinutes * MS_PER_MINUTE;
const gateMs = (s: Schedule) => s.gateClosureMinutes * MS_PER_MINUTE;
const openMs = (s: Schedule) => s.openHours * MS_PER_HOUR;

/** True when `ms` is the start of an interval. */
export function isIntervalStart(s: Schedule, ms: number): boolean {
  return Number.isSafeInteger(ms) && ms % intervalMs(s) === 0;
}

/** The start of the interval holding `ms`. */
export function intervalStartOf(s: Schedule, ms: number): number {
  const step = intervalMs(s);
  return Math.floor(ms / step) * step;
}

export function gateClosesAt(s: Schedule, startMs: number): number {
  return startMs - gateMs(s);
}

export function opensAt(s: Schedule, startMs: number): number {
  return startMs - openMs(s);
}

/** The phase of the interval starting at `startMs` at market time `now`. */
export function phaseAt(s: Schedule, startMs: number, now: number): IntervalPhase {
  if (now < opensAt(s, startMs)) return "scheduled";
  if (now < gateClosesAt(s, startMs)) return "open";
  return "gate_closed";
}

/** The starts of every interval taking orders at `now`, earliest first. */
export function openIntervals(s: Schedule, now: number): number[] {
  const step = intervalMs(s);
  // The earliest whose gate is still ahead: start − gate > now.
  const first = Math.floor((now + gateMs(s)) / step) * step + step;
  // The latest already open: start − open ≤ now.
  const last = Math.floor((now + openMs(s)) / step) * step;
  const out: number[] = [];
  for (let t = first; t <= last; t += step) out.push(t);
  return out;
}

/** The starts T of intervals with T − `leadMs` in (`afterMs`, `now`], earliest first. */
function startsLeading(s: Schedule, leadMs: number, afterMs: number, now: number): number[] {
  const step = intervalMs(s);
  const out: number[] = [];
  let t = Math.floor((afterMs + leadMs) / step) * step + step;
  for (; t - leadMs <= now; t += step) out.push(t);
  return out;
}

/** The starts of intervals whose gate closed in (`afterMs`, `now`], earliest first. */
export function gatesClosedBetween(s: Schedule, afterMs: number, now: number): number[] {
  return startsLeading(s, gateMs(s), afterMs, now);
}

/** The starts of intervals that opened for orders in (`afterMs`, `now`], earliest first. */
export function opensBetween(s: Schedule, afterMs: number, now: number): number[] {
  return startsLeading(s, openMs(s), afterMs, now);
}

/**
 * The intervals that start within one local calendar day in the community's zone: 96
 * quarter-hours on most days, 92 and 100 where daylight saving starts and ends.
 */
export function localDayIntervals(s: Schedule, date: CalendarDate, timeZone: string): number[] {
  const step = intervalMs(s);
  const from = localDayStart(date, timeZone);
  const to = localDayStart(nextCalendarDate(date), timeZone);
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t < to; t += step) out.push(t);
  return out;
}
