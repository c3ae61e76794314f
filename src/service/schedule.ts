/**
 * When each delivery interval takes orders: intervals of `intervalMinutes` aligned to UTC; an
 * interval starting at T is open from T − `openHours` until its gate closes at
 * T − `gateClosureMinutes`; an order that arrives at the gate or later is too late.
 *
 * The timing may change from a later interval on (a community update): `changes` lists each
 * timing with the interval it is in force from, so every interval keeps the timing it was
 * scheduled with, and the functions here answer for each interval by its own. With a longer
 * gate from some interval on, that interval's gate may close before the previous one's; gate
 * closure still clears intervals in order (`dueForClearing`). Pure.
 */
import { MS_PER_HOUR, MS_PER_MINUTE } from "../core/time.js";
import { type CalendarDate, localDayStart, nextCalendarDate } from "../core/timeZone.js";

/** When an interval's orders open and close, relative to its start. */
export interface Timing {
  readonly gateClosureMinutes: number;
  readonly openHours: number;
}

/** A timing in force for the intervals starting at `fromMs` and later. */
export interface TimingChange extends Timing {
  readonly fromMs: number;
}

export interface Schedule extends Timing {
  readonly intervalMinutes: number;
  /** Later timings, ascending by `fromMs` (each an interval start); none: one timing throughout. */
  readonly changes?: readonly TimingChange[];
}

/** Where an interval stands before it is cleared. */
export type IntervalPhase = "scheduled" | "open" | "gate_closed";

const intervalMs = (s: Schedule) => s.intervalMinutes * MS_PER_MINUTE;
const gateMs = (t: Timing) => t.gateClosureMinutes * MS_PER_MINUTE;
const openMs = (t: Timing) => t.openHours * MS_PER_HOUR;

/** One timing over the interval starts in [fromMs, toMs). */
interface Segment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly timing: Timing;
}

function segments(s: Schedule): Segment[] {
  const changes = s.changes ?? [];
  const out: Segment[] = [];
  let from = Number.NEGATIVE_INFINITY;
  let timing: Timing = s;
  for (const c of changes) {
    if (c.fromMs > from) out.push({ fromMs: from, toMs: c.fromMs, timing });
    from = c.fromMs;
    timing = c;
  }
  out.push({ fromMs: from, toMs: Number.POSITIVE_INFINITY, timing });
  return out;
}

/** The timing of the interval starting at `startMs`. */
export function timingAt(s: Schedule, startMs: number): Timing {
  let timing: Timing = s;
  for (const c of s.changes ?? []) {
    if (c.fromMs > startMs) break;
    timing = c;
  }
  return timing;
}

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
  return startMs - gateMs(timingAt(s, startMs));
}

export function opensAt(s: Schedule, startMs: number): number {
  return startMs - openMs(timingAt(s, startMs));
}

/** The phase of the interval starting at `startMs` at market time `now`. */
export function phaseAt(s: Schedule, startMs: number, now: number): IntervalPhase {
  if (now < opensAt(s, startMs)) return "scheduled";
  if (now < gateClosesAt(s, startMs)) return "open";
  return "gate_closed";
}

/** The interval starts of one segment in [first, last], stepping by the interval. */
function startsWithin(step: number, seg: Segment, first: number, last: number): number[] {
  const out: number[] = [];
  const from = Math.max(first, Math.ceil(seg.fromMs / step) * step);
  const to = Math.min(last, seg.toMs - step);
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
}

/** The starts of every interval taking orders at `now`, earliest first. */
export function openIntervals(s: Schedule, now: number): number[] {
  const step = intervalMs(s);
  return segments(s).flatMap((seg) =>
    startsWithin(
      step,
      seg,
      // The earliest whose gate is still ahead: start − gate > now.
      Math.floor((now + gateMs(seg.timing)) / step) * step + step,
      // The latest already open: start − open ≤ now.
      Math.floor((now + openMs(seg.timing)) / step) * step,
    ),
  );
}

/** The starts T of intervals with T − lead in (`afterMs`, `now`], earliest first. */
function startsLeading(
  s: Schedule,
  lead: (t: Timing) => number,
  afterMs: number,
  now: number,
): number[] {
  const step = intervalMs(s);
  return segments(s).flatMap((seg) => {
    const leadMs = lead(seg.timing);
    const first = Math.floor((afterMs + leadMs) / step) * step + step;
    return startsWithin(step, seg, first, Math.floor((now + leadMs) / step) * step);
  });
}

/** The starts of intervals whose gate closed in (`afterMs`, `now`], earliest first. */
export function gatesClosedBetween(s: Schedule, afterMs: number, now: number): number[] {
  return startsLeading(s, gateMs, afterMs, now);
}

/** The starts of intervals that opened for orders in (`afterMs`, `now`], earliest first. */
export function opensBetween(s: Schedule, afterMs: number, now: number): number[] {
  return startsLeading(s, openMs, afterMs, now);
}

/** The earliest interval whose gate closes after `afterMs`. */
export function firstGateAfter(s: Schedule, afterMs: number): number {
  const step = intervalMs(s);
  for (const seg of segments(s)) {
    const first = Math.floor((afterMs + gateMs(seg.timing)) / step) * step + step;
    const t = Math.max(first, Math.ceil(seg.fromMs / step) * step);
    if (t < seg.toMs) return t;
  }
  throw new Error("unreachable: the last segment is unbounded");
}

/**
 * The intervals to clear at `now`, from `nextMs` (the first not yet cleared) on: each whose gate
 * has closed, in order, up to the first whose gate is still ahead (an interval whose gate closed
 * before its predecessor's waits for it, as the ledger's intervals increase).
 */
export function dueForClearing(s: Schedule, nextMs: number, now: number): number[] {
  const step = intervalMs(s);
  const out: number[] = [];
  for (let t = nextMs; gateClosesAt(s, t) <= now; t += step) out.push(t);
  return out;
}

/**
 * The first interval start from which no interval has opened for orders at `now`: every
 * interval starting there or later opens after `now`.
 */
export function firstUnopened(s: Schedule, now: number): number {
  const step = intervalMs(s);
  let latest = Number.NEGATIVE_INFINITY;
  for (const seg of segments(s)) {
    // The segment's latest start already open: start − open ≤ now, within the segment.
    const last = Math.min(Math.floor((now + openMs(seg.timing)) / step) * step, seg.toMs - step);
    if (last >= Math.ceil(seg.fromMs / step) * step) latest = Math.max(latest, last);
  }
  return latest + step;
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
