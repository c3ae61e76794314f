/**
 * Meter-data quality: validation, estimation and editing (VEE) of one metered series.
 *
 * Validation finds: unreadable, duplicate and out-of-order timestamps; gaps in the regular time
 * axis; days on which clocks change but the file has the row count of any other day; spikes (a
 * Hampel filter: far from the median of the neighbouring readings in units of their spread, and by
 * more than twice the series' normal range); stuck (flat-lined) readings; negative consumption; PV
 * output at times of day at which this system is dark on the days around; readings beyond a
 * physical limit; and, for cumulative counters, resets or roll-overs, single bad readings, and
 * the rise a counter makes across a gap.
 *
 * Estimation fills what is missing or removed: short runs (up to `maxInterpolateSteps`) by linear
 * interpolation between their neighbours, longer ones from the series' own typical profile (the
 * mean of the same time of day over the readings kept); a counter's rise across a gap is spread
 * over the gap in the shape of that profile, so the counter's energy is kept. Nothing is altered
 * silently: every slot keeps its raw value, its estimate and a flag saying where the value came
 * from, and every finding says when and why.
 */

import { medianInPlace, quantileSorted } from "../core/stats.js";
import { MS_PER_DAY } from "../core/time.js";

export type SeriesKind = "load" | "pv" | "cumulative";

export type FindingKind =
  | "unreadable_time"
  | "duplicate"
  | "out_of_order"
  | "gap"
  | "dst"
  | "spike"
  | "stuck"
  | "negative"
  | "night_pv"
  | "over_limit"
  | "reset"
  | "jump_after_gap";

export const FINDING_KINDS: readonly FindingKind[] = [
  "unreadable_time",
  "duplicate",
  "out_of_order",
  "gap",
  "dst",
  "spike",
  "stuck",
  "negative",
  "night_pv",
  "over_limit",
  "reset",
  "jump_after_gap",
];

export interface Finding {
  readonly kind: FindingKind;
  /** First and last time concerned, ms UTC (NaN when the time could not be read). */
  readonly fromMs: number;
  readonly toMs: number;
  /** The input row (0-based) for findings about one row of the file. */
  readonly row?: number;
  readonly detail: string;
}

/** Where a slot's cleaned value comes from. */
export type Flag = "measured" | "interpolated" | "profile" | "spread" | "source_filled" | "missing";

export interface QualityInput {
  /** Time of each row, ms UTC (NaN when unreadable), in file order. */
  readonly times: Float64Array;
  /** Value of each row (NaN when empty). */
  readonly values: Float64Array;
  readonly kind: SeriesKind;
  /** Physical limit on a reading (e.g. the connection's kW, or kWh per interval for a counter). */
  readonly limit?: number | undefined;
  /** Rows the data's source says it filled itself (e.g. OPSD's interpolated_values). */
  readonly sourceFilled?: Uint8Array | undefined;
  /** The local date (YYYY-MM-DD) each row is labelled with, and the dates on which clocks change. */
  readonly localDates?: readonly string[] | undefined;
  readonly dstDates?: ReadonlySet<string> | undefined;
  /** Runs up to this many slots are interpolated, longer ones filled from the profile (default 2 h). */
  readonly maxInterpolateSteps?: number | undefined;
}

export interface QualityResult {
  readonly stepMs: number;
  /** The regular time axis: slot times, raw values (NaN where none), cleaned values, flags. */
  readonly times: Float64Array;
  readonly raw: Float64Array;
  /** Cleaned values; for a cumulative counter, the energy of each interval ending at the slot. */
  readonly value: Float64Array;
  readonly flags: Flag[];
  /** Per slot: the kind of the finding that touched it first, if any. */
  readonly finding: (FindingKind | null)[];
  readonly findings: Finding[];
}

const DAY_MS = MS_PER_DAY;
const HOUR_MS = 3_600_000;
const HAMPEL_HALF_WINDOW = 3;
const HAMPEL_K = 6;
/** A spike also departs from its neighbours by more than this many times the 1-99 % range. */
const SPIKE_RANGES = 2;
/** A reading repeated unchanged for this long (and at least STUCK_MIN_READINGS times) is stuck. */
const STUCK_HOURS = 3;
const STUCK_MIN_READINGS = 6;

/**
 * The readings, sorted, for quantiles: all of them up to 65,536, else every k-th (a year of
 * minutes needs no more to place its 1st and 99th percentiles).
 */
function sample(raw: Float64Array): Float64Array {
  const stride = Math.max(1, Math.ceil(raw.length / 65_536));
  const out = new Float64Array(Math.ceil(raw.length / stride));
  let k = 0;
  for (let s = 0; s < raw.length; s += stride)
    if (!Number.isNaN(raw[s] as number)) out[k++] = raw[s] as number;
  return out.subarray(0, k).sort();
}

function runs(
  slots: number,
  test: (s: number) => boolean,
  emit: (from: number, to: number) => void,
): void {
  for (let s = 0; s < slots; ) {
    if (!test(s)) {
      s++;
      continue;
    }
    let e = s;
    while (e + 1 < slots && test(e + 1)) e++;
    emit(s, e);
    s = e + 1;
  }
}

function extreme(a: Float64Array, from: number, to: number, sign: 1 | -1): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let s = from; s <= to; s++) m = Math.max(m, sign * (a[s] as number));
  return sign * m;
}

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

/** The regular time axis of a series, its raw readings, and what it found on the way. */
interface Slots {
  readonly stepMs: number;
  readonly times: Float64Array;
  readonly raw: Float64Array;
  readonly rowOf: Int32Array;
  readonly findings: Finding[];
  readonly finding: (FindingKind | null)[];
  readonly flags: Flag[];
  mark(kind: FindingKind, from: number, to: number, detail: string): void;
  slotOfDay(s: number): number;
  readonly perDay: number;
}

function hoursText(slots: number, stepMs: number): string {
  const h = (slots * stepMs) / HOUR_MS;
  return h >= 48 ? `${fmt(h / 24)} days` : `${fmt(h)} h`;
}

type RowFinding = (kind: FindingKind, row: number, detail: string) => void;

/**
 * The readable rows in time order, duplicates left out; among rows with the same time the first
 * in the file leads. Reports unreadable, duplicate and out-of-order rows on the way.
 */
function rowsInTimeOrder(input: QualityInput, rowFinding: RowFinding): Int32Array {
  const { times: t, values } = input;
  const n = t.length;
  const all = new Int32Array(n);
  let readableCount = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(t[i] as number))
      rowFinding("unreadable_time", i, "the timestamp cannot be read; the row is left out");
    else all[readableCount++] = i;
  }
  const readable = all.subarray(0, readableCount);
  // Sorting is needed only when a row goes back in time (duplicates alone stay adjacent).
  let increasing = true;
  let inOrder = true;
  for (let j = 1; j < readable.length && inOrder; j++) {
    const d = (t[readable[j] as number] as number) - (t[readable[j - 1] as number] as number);
    if (d <= 0) increasing = false;
    if (d < 0) inOrder = false;
  }
  const byTime = inOrder
    ? readable
    : Int32Array.from(readable).sort((a, b) => (t[a] as number) - (t[b] as number) || a - b);
  const duplicate = new Uint8Array(n);
  for (let j = 1; j < byTime.length; j++) {
    const i = byTime[j] as number;
    if (t[i] !== t[byTime[j - 1] as number]) continue;
    let first = j - 1;
    while (first > 0 && t[byTime[first - 1] as number] === t[i]) first--;
    const earlier = byTime[first] as number;
    duplicate[i] = 1;
    const same =
      values[earlier] === values[i] ||
      (Number.isNaN(values[earlier] as number) && Number.isNaN(values[i] as number));
    rowFinding(
      "duplicate",
      i,
      same
        ? `the same time and value as row ${earlier + 1}; left out`
        : `the same time as row ${earlier + 1} with another value (${fmt(values[i] as number)} against ${fmt(values[earlier] as number)}); the first is kept`,
    );
  }
  if (!inOrder) {
    let latest = Number.NEGATIVE_INFINITY;
    for (const i of readable) {
      if (duplicate[i]) continue;
      if ((t[i] as number) < latest)
        rowFinding("out_of_order", i, "earlier than a row before it; put back in time order");
      latest = Math.max(latest, t[i] as number);
    }
  }
  return increasing ? byTime : byTime.filter((i) => !duplicate[i]);
}

/** The step: the most common difference between consecutive times (ties: the shorter). */
function commonStep(t: Float64Array, order: Int32Array): number {
  const counts = new Map<number, number>();
  let runD = Number.NaN;
  let runCount = 0;
  for (let j = 1; j <= order.length; j++) {
    const d =
      j < order.length
        ? (t[order[j] as number] as number) - (t[order[j - 1] as number] as number)
        : Number.NaN;
    if (d === runD) runCount++;
    else {
      if (runCount > 0) counts.set(runD, (counts.get(runD) ?? 0) + runCount);
      runD = d;
      runCount = 1;
    }
  }
  let stepMs = HOUR_MS;
  let best = 0;
  for (const [d, c] of counts)
    if (c > best || (c === best && d < stepMs)) {
      stepMs = d;
      best = c;
    }
  return stepMs;
}

/** Timestamps: unreadable, duplicate, out of order; then the step and the regular time axis. */
function buildSlots(input: QualityInput): Slots {
  const { times: t, values } = input;
  const findings: Finding[] = [];
  const order = rowsInTimeOrder(input, (kind, row, detail) =>
    findings.push({ kind, fromMs: t[row] as number, toMs: t[row] as number, row, detail }),
  );
  const stepMs = commonStep(t, order);
  const slots =
    order.length === 0
      ? 0
      : Math.floor(
          ((t[order[order.length - 1] as number] as number) - (t[order[0] as number] as number)) /
            stepMs,
        ) + 1;
  const t0 = order.length === 0 ? 0 : (t[order[0] as number] as number);
  const times = new Float64Array(slots);
  const raw = new Float64Array(slots).fill(Number.NaN);
  const rowOf = new Int32Array(slots).fill(-1);
  for (let s = 0; s < slots; s++) times[s] = t0 + s * stepMs;
  for (let j = 0; j < order.length; j++) {
    const i = order[j] as number;
    const s = Math.round(((t[i] as number) - t0) / stepMs);
    if (rowOf[s] === -1) {
      rowOf[s] = i;
      raw[s] = values[i] as number;
    }
  }
  const finding: (FindingKind | null)[] = new Array(slots).fill(null);
  const perDay = Math.max(1, Math.round(DAY_MS / stepMs));
  const out: Slots = {
    stepMs,
    times,
    raw,
    rowOf,
    findings,
    finding,
    flags: new Array<Flag>(slots).fill("measured"),
    perDay,
    mark(kind, from, to, detail) {
      findings.push({ kind, fromMs: times[from] as number, toMs: times[to] as number, detail });
      for (let s = from; s <= to; s++) finding[s] ??= kind;
    },
    slotOfDay: (s) =>
      Math.floor(((((times[s] as number) % DAY_MS) + DAY_MS) % DAY_MS) / stepMs) % perDay,
  };
  runs(
    slots,
    (s) => Number.isNaN(raw[s] as number),
    (a, b) =>
      out.mark("gap", a, b, `${b - a + 1} missing reading(s), ${hoursText(b - a + 1, stepMs)}`),
  );
  if (input.sourceFilled)
    for (let s = 0; s < slots; s++)
      if ((rowOf[s] as number) >= 0 && input.sourceFilled[rowOf[s] as number])
        out.flags[s] = "source_filled";
  return out;
}

/** A clock-change day with the row count of any other day: its labels ignore the change. */
function checkDst(input: QualityInput, axis: Slots): void {
  if (!input.localDates || !input.dstDates) return;
  const perDate = new Map<string, { first: number; last: number; count: number }>();
  input.localDates.forEach((d, i) => {
    const e = perDate.get(d);
    if (e) {
      e.count++;
      e.last = i;
    } else perDate.set(d, { first: i, last: i, count: 1 });
  });
  const hourSteps = Math.round(HOUR_MS / axis.stepMs);
  for (const day of input.dstDates) {
    const e = perDate.get(day);
    if (e === undefined || e.count !== axis.perDay) continue;
    axis.findings.push({
      kind: "dst",
      fromMs: input.times[e.first] as number,
      toMs: input.times[e.last] as number,
      row: e.first,
      detail: `clocks change on ${day} but the file has ${e.count} rows for it like any other day (expected ${axis.perDay - hourSteps} or ${axis.perDay + hourSteps}): its labels look like standard time all year; read it in a fixed-offset zone`,
    });
  }
}

/** Value checks of a load or PV series; the slots they touch lose their reading. */
function checkValues(input: QualityInput, axis: Slots): void {
  const present = sample(axis.raw);
  const p99 = quantileSorted(present, 0.99);
  const range = Math.max(1e-9, p99 - quantileSorted(present, 0.01));
  if (input.kind === "pv") checkNightPv(axis, p99);
  checkSignAndLimit(input, axis, p99);
  checkSpikes(axis, range);
  checkStuck(axis, p99);
}

/**
 * Night: a time of day at which, over the 15 days either side, output above 2 % of the peak is
 * seen on fewer than 5 % as many days as at the brightest time of day; output there above 5 % of
 * the peak is flagged. The window follows the seasons' sunrise and sunset, and a system that is
 * mostly dead (its few live days) is not mistaken for night.
 */
function checkNightPv(axis: Slots, p99: number): void {
  const { raw, perDay } = axis;
  const slots = raw.length;
  const threshold = 0.02 * p99;
  const days = Math.ceil(slots / perDay) + 1;
  const first = axis.slotOfDay(0);
  const dayOf = (s: number) => Math.floor((s + first) / perDay);
  const lit = new Int32Array((days + 1) * perDay);
  // Prefix sums over days, per time of day: index (day + 1) * perDay + slot.
  for (let s = 0; s < slots; s++) {
    const v = raw[s] as number;
    if (Number.isNaN(v)) continue;
    const i = (dayOf(s) + 1) * perDay + axis.slotOfDay(s);
    if (v > threshold) lit[i] = 1;
  }
  for (let i = perDay; i < lit.length; i++) {
    lit[i] = (lit[i] as number) + (lit[i - perDay] as number);
  }
  const WINDOW = 15;
  const litIn = (d: number, t: number) =>
    (lit[(Math.min(days - 1, d + WINDOW) + 1) * perDay + t] as number) -
    (lit[Math.max(0, d - WINDOW) * perDay + t] as number);
  // The most lit time of day in each day's window: the yardstick for "dark".
  const brightest = new Int32Array(days);
  for (let d = 0; d < days; d++)
    for (let t = 0; t < perDay; t++) brightest[d] = Math.max(brightest[d] as number, litIn(d, t));
  const isNight = (s: number) => {
    const d = dayOf(s);
    const self = (raw[s] as number) > threshold ? 1 : 0;
    const most = (brightest[d] as number) - self;
    return most >= 3 && litIn(d, axis.slotOfDay(s)) - self < 0.05 * most;
  };
  runs(
    slots,
    (s) => (raw[s] as number) > 2.5 * threshold && isNight(s),
    (a, b) => {
      // Output that runs on from the day's lit hours is an early sunrise or a late sunset.
      const litNext = (s: number) => s >= 0 && s < slots && (raw[s] as number) > threshold;
      if (litNext(a - 1) || litNext(b + 1)) return;
      axis.mark(
        "night_pv",
        a,
        b,
        `PV output of up to ${fmt(extreme(raw, a, b, 1))} at a time of day at which this system is dark on the days around`,
      );
    },
  );
}

/** Negative readings (PV: below -1 % of its peak), and readings beyond the physical limit. */
function checkSignAndLimit(input: QualityInput, axis: Slots, p99: number): void {
  const { raw } = axis;
  const slots = raw.length;
  const floor = input.kind === "pv" ? -0.01 * Math.max(1e-9, p99) : 0;
  runs(
    slots,
    (s) => (raw[s] as number) < floor,
    (a, b) =>
      axis.mark(
        "negative",
        a,
        b,
        `negative ${input.kind === "pv" ? "generation" : "consumption"}, down to ${fmt(extreme(raw, a, b, -1))}`,
      ),
  );
  if (input.limit !== undefined) {
    const limit = input.limit;
    runs(
      slots,
      (s) => Math.abs(raw[s] as number) > limit,
      (a, b) =>
        axis.mark(
          "over_limit",
          a,
          b,
          `beyond the physical limit ${limit}: up to ${fmt(extreme(raw, a, b, 1))}`,
        ),
    );
  }
}

/**
 * Spikes: a reading further from its neighbours' median than 6 scaled MADs and than twice the
 * series' 1-99 % range (the Hampel filter; Pearson 2002), the reading itself left out.
 */
function checkSpikes(axis: Slots, range: number): void {
  const { raw } = axis;
  const slots = raw.length;
  const around: number[] = [];
  for (let s = 0; s < slots; s++) {
    const v = raw[s] as number;
    if (Number.isNaN(v)) continue;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const a = Math.max(0, s - HAMPEL_HALF_WINDOW);
    const b = Math.min(slots - 1, s + HAMPEL_HALF_WINDOW);
    for (let k = a; k <= b; k++) {
      const x = raw[k] as number;
      if (k === s || Number.isNaN(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (v <= hi + SPIKE_RANGES * range && v >= lo - SPIKE_RANGES * range) continue; // cannot be a spike: cheap test first
    around.length = 0;
    for (let k = a; k <= b; k++)
      if (k !== s && !Number.isNaN(raw[k] as number)) around.push(raw[k] as number);
    if (around.length < 3) continue;
    const m = medianInPlace(around);
    const mad = 1.4826 * medianInPlace(around.map((x) => Math.abs(x - m)));
    const dev = Math.abs(v - m);
    if (dev > HAMPEL_K * mad && dev > SPIKE_RANGES * range)
      axis.mark("spike", s, s, `${fmt(v)} against ${fmt(m)} around it`);
  }
}

/** Stuck: the same non-zero reading for 3 h or more. */
function checkStuck(axis: Slots, p99: number): void {
  const { raw } = axis;
  const slots = raw.length;
  const minRun = Math.max(STUCK_MIN_READINGS, Math.ceil((STUCK_HOURS * HOUR_MS) / axis.stepMs));
  for (let s = 0; s < slots; ) {
    const v = raw[s] as number;
    let e = s;
    while (e + 1 < slots && raw[e + 1] === v) e++;
    if (!Number.isNaN(v) && Math.abs(v) > 0.01 * p99 && e - s + 1 >= minRun)
      axis.mark(
        "stuck",
        s,
        e,
        `the same reading ${fmt(v)} for ${hoursText(e - s + 1, axis.stepMs)}`,
      );
    s = e + 1;
  }
}

/** The mean of the kept values at each time of day (0 where none). */
function typicalProfile(value: Float64Array, axis: Slots): Float64Array {
  const sum = new Float64Array(axis.perDay);
  const cnt = new Float64Array(axis.perDay);
  for (let s = 0; s < value.length; s++) {
    const v = value[s] as number;
    if (Number.isNaN(v)) continue;
    const d = axis.slotOfDay(s);
    sum[d] = (sum[d] as number) + v;
    cnt[d] = (cnt[d] as number) + 1;
  }
  return sum.map((x, d) => ((cnt[d] as number) > 0 ? x / (cnt[d] as number) : 0));
}

/** Fills NaN runs: short ones linearly between their neighbours, long ones from the profile. */
function estimate(value: Float64Array, flags: Flag[], axis: Slots, maxInterp: number): void {
  const profile = typicalProfile(value, axis);
  const slots = value.length;
  runs(
    slots,
    (s) => Number.isNaN(value[s] as number),
    (s, e) => {
      const before = s > 0 ? (value[s - 1] as number) : Number.NaN;
      const after = e + 1 < slots ? (value[e + 1] as number) : Number.NaN;
      const len = e - s + 1;
      // Before the first reading or after the last there is nothing to estimate from.
      if (Number.isNaN(before) || Number.isNaN(after)) return;
      const linear = len <= maxInterp;
      for (let k = s; k <= e; k++) {
        value[k] = linear
          ? before + ((after - before) * (k - s + 1)) / (len + 1)
          : (profile[axis.slotOfDay(k)] as number);
        flags[k] = linear ? "interpolated" : "profile";
      }
    },
  );
}

/**
 * A cumulative counter becomes the energy of each interval. A single reading out of line with
 * both neighbours is a bad reading (a spike); a fall that stays is a reset or roll-over (the
 * interval is not known and is estimated); a rise across a gap is spread over the gap in the
 * shape of the typical profile.
 */
function checkCounter(input: QualityInput, axis: Slots, maxInterp: number): Float64Array {
  const { raw } = axis;
  const slots = raw.length;
  const reading = Float64Array.from(raw);
  const present: number[] = [];
  for (let s = 0; s < slots; s++) if (!Number.isNaN(raw[s] as number)) present.push(s);
  for (let j = 1; j + 1 < present.length; j++) {
    const [p, s, q] = [present[j - 1], present[j], present[j + 1]] as [number, number, number];
    const [a, b, c] = [raw[p] as number, raw[s] as number, raw[q] as number];
    if ((b > c && a <= c) || (b < a && c >= a)) {
      axis.mark(
        "spike",
        s,
        s,
        `counter reading ${fmt(b)} out of line with ${fmt(a)} before and ${fmt(c)} after`,
      );
      reading[s] = Number.NaN;
    }
  }
  const energy = new Float64Array(slots).fill(Number.NaN);
  const across: [number, number, number][] = [];
  let prev = -1;
  for (let s = 0; s < slots; s++) {
    const v = reading[s] as number;
    if (Number.isNaN(v)) continue;
    if (prev >= 0) {
      const d = v - (reading[prev] as number);
      if (d < 0) {
        axis.mark(
          "reset",
          s,
          s,
          `the counter fell from ${fmt(reading[prev] as number)} to ${fmt(v)}: reset or roll-over; the interval is estimated`,
        );
      } else if (s - prev > 1) {
        across.push([prev, s, d]);
      } else {
        energy[s] = d;
        if (input.limit !== undefined && d > input.limit)
          axis.mark(
            "over_limit",
            s,
            s,
            `${fmt(d)} in one interval, beyond the limit ${input.limit}`,
          );
      }
    }
    prev = s;
  }
  for (let s = 0; s < slots; s++) if (axis.finding[s] === "over_limit") energy[s] = Number.NaN;
  const profile = typicalProfile(energy, axis);
  for (const [p, s, d] of across) {
    let weight = 0;
    for (let k = p + 1; k <= s; k++) weight += profile[axis.slotOfDay(k)] as number;
    const gapHours = hoursText(s - p - 1, axis.stepMs);
    if (d > 0 && s - p - 1 > maxInterp)
      axis.mark(
        "jump_after_gap",
        p + 1,
        s,
        `the counter rose ${fmt(d)} across a ${gapHours} gap: spread over it in the shape of the typical profile`,
      );
    for (let k = p + 1; k <= s; k++) {
      energy[k] = weight > 0 ? (d * (profile[axis.slotOfDay(k)] as number)) / weight : d / (s - p);
      if (axis.flags[k] === "measured") axis.flags[k] = "spread";
    }
  }
  const flags = axis.flags;
  estimate(energy, flags, axis, maxInterp);
  return energy;
}

/** Validates, estimates and flags one series. */
export function checkSeries(input: QualityInput): QualityResult {
  const axis = buildSlots(input);
  checkDst(input, axis);
  const slots = axis.times.length;
  const maxInterp =
    input.maxInterpolateSteps ?? Math.max(1, Math.round((2 * HOUR_MS) / axis.stepMs));
  let value: Float64Array;
  if (input.kind === "cumulative") value = checkCounter(input, axis, maxInterp);
  else {
    checkValues(input, axis);
    value = Float64Array.from(axis.raw);
    for (let s = 0; s < slots; s++) if (axis.finding[s] !== null) value[s] = Number.NaN;
    estimate(value, axis.flags, axis, maxInterp);
  }
  for (let s = 0; s < slots; s++) if (Number.isNaN(value[s] as number)) axis.flags[s] = "missing";
  axis.findings.sort(
    (a, b) => a.fromMs - b.fromMs || FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind),
  );
  return {
    stepMs: axis.stepMs,
    times: axis.times,
    raw: axis.raw,
    value,
    flags: axis.flags,
    finding: axis.finding,
    findings: axis.findings,
  };
}

/** How many findings of each kind. */
export function countFindings(findings: readonly Finding[]): Partial<Record<FindingKind, number>> {
  const out: Partial<Record<FindingKind, number>> = {};
  for (const f of findings) out[f.kind] = (out[f.kind] ?? 0) + 1;
  return out;
}
