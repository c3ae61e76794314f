/**
 * Known faults injected into copies of real metered series at seeded random places, and the
 * precision and recall with which `checkSeries` finds them. Shared by the tests and the bench.
 */
import type { Rng } from "../../src/core/rng.js";
import type { Finding, FindingKind } from "../../src/maintenance/dataQuality.js";

export interface Rows {
  times: number[];
  values: number[];
}

export interface Injected {
  readonly kind: FindingKind;
  readonly fromMs: number;
  readonly toMs: number;
}

export type FaultKind =
  | "gap"
  | "duplicate"
  | "out_of_order"
  | "spike"
  | "stuck"
  | "negative"
  | "night_pv"
  | "over_limit"
  | "reset";

const HOUR = 3_600_000;

function sortedCopy(values: readonly number[]): number[] {
  return values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
}

/** Statistics of a series the injections are scaled by. */
export function seriesScale(values: readonly number[]) {
  const s = sortedCopy(values);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return { p50: q(0.5), p99: q(0.99), range: q(0.99) - q(0.01), max: s[s.length - 1] as number };
}

/** The time of day (ms since UTC midnight) at which the series is largest on average. */
function brightestTimeOfDay(rows: Rows, stepMs: number): number {
  const sums = new Map<number, number>();
  rows.times.forEach((t, i) => {
    const v = rows.values[i] as number;
    if (!Number.isNaN(v)) sums.set(t % 86_400_000, (sums.get(t % 86_400_000) ?? 0) + v);
  });
  let best = 0;
  let top = Number.NEGATIVE_INFINITY;
  for (const [tod, sum] of sums)
    if (sum > top) {
      top = sum;
      best = tod;
    }
  return best - (best % stepMs);
}

/**
 * Injects `count` faults of one kind, one in each of `count` equal stretches of the series (so
 * they never overlap), at a seeded random place in the stretch. `limit` is the physical limit
 * the over_limit faults exceed.
 */
export function inject(
  original: Rows,
  kind: FaultKind,
  count: number,
  rng: Rng,
  stepMs: number,
  limit = Number.POSITIVE_INFINITY,
): { rows: Rows; events: Injected[] } {
  const times = [...original.times];
  const values = [...original.values];
  const scale = seriesScale(values);
  const events: Injected[] = [];
  const n = times.length;
  const stretch = Math.floor(n / count);
  const margin = Math.round((24 * HOUR) / stepMs);
  const noon = brightestTimeOfDay(original, stepMs);
  const deletions = new Set<number>();
  const insertions = new Map<number, number>();
  const uniform = (a: number, b: number) => a + (b - a) * rng.next();
  for (let k = 0; k < count; k++) {
    const lo = k * stretch + margin;
    const hi = (k + 1) * stretch - margin;
    let i = rng.int(lo, hi);
    const slotsFor = (hours: number) => Math.max(1, Math.round((hours * HOUR) / stepMs));
    switch (kind) {
      case "gap": {
        const len = slotsFor(uniform(0.5, 24));
        for (let j = i; j < i + len; j++) deletions.add(j);
        events.push({ kind, fromMs: times[i] as number, toMs: times[i + len - 1] as number });
        break;
      }
      case "duplicate": {
        insertions.set(i, rng.next() < 0.5 ? (values[i] as number) : (values[i] as number) + 1);
        events.push({ kind, fromMs: times[i] as number, toMs: times[i] as number });
        break;
      }
      case "out_of_order": {
        [times[i], times[i + 1]] = [times[i + 1] as number, times[i] as number];
        [values[i], values[i + 1]] = [values[i + 1] as number, values[i] as number];
        events.push({ kind, fromMs: times[i + 1] as number, toMs: times[i] as number });
        break;
      }
      case "spike": {
        if (Number.isNaN(values[i] as number)) i = nextPresent(values, i);
        values[i] = (values[i] as number) + uniform(3, 6) * scale.range;
        events.push({ kind, fromMs: times[i] as number, toMs: times[i] as number });
        break;
      }
      case "stuck": {
        while (!((values[i] as number) > 0.05 * scale.p99) && i < hi) i++;
        const len = slotsFor(uniform(6, 12));
        for (let j = i; j < i + len; j++) values[j] = values[i] as number;
        events.push({ kind, fromMs: times[i] as number, toMs: times[i + len - 1] as number });
        break;
      }
      case "negative": {
        const len = rng.int(1, 3);
        for (let j = i; j < i + len; j++) values[j] = -uniform(0.2, 1) * Math.max(scale.p50, 0.01);
        events.push({ kind, fromMs: times[i] as number, toMs: times[i + len - 1] as number });
        break;
      }
      case "night_pv": {
        // Move to the darkest hours: 10 to 14 h from the brightest time of day.
        const target = (noon + Math.round(uniform(10, 14) * HOUR)) % 86_400_000;
        while (i < hi && (times[i] as number) % 86_400_000 !== target - (target % stepMs)) i++;
        const len = rng.int(1, 3);
        for (let j = i; j < i + len; j++) values[j] = uniform(0.1, 0.5) * scale.p99;
        events.push({ kind, fromMs: times[i] as number, toMs: times[i + len - 1] as number });
        break;
      }
      case "over_limit": {
        if (Number.isNaN(values[i] as number)) i = nextPresent(values, i);
        values[i] = limit * uniform(1.1, 2);
        events.push({ kind, fromMs: times[i] as number, toMs: times[i] as number });
        break;
      }
      case "reset": {
        // The counter restarts from zero at row i: every later reading loses the count so far.
        i = nextPresent(values, Math.max(i, nextPresent(values, 0) + 1));
        const before = values[previousPresent(values, i)] as number;
        for (let j = i; j < n; j++) values[j] = (values[j] as number) - before;
        events.push({ kind, fromMs: times[i] as number, toMs: times[i] as number });
        break;
      }
    }
  }
  const out: Rows = { times: [], values: [] };
  for (let j = 0; j < n; j++) {
    if (deletions.has(j)) continue;
    out.times.push(times[j] as number);
    out.values.push(values[j] as number);
    const dup = insertions.get(j);
    if (dup !== undefined) {
      out.times.push(times[j] as number);
      out.values.push(dup);
    }
  }
  return { rows: out, events };
}

function nextPresent(values: readonly number[], i: number): number {
  let j = i;
  while (j < values.length - 1 && Number.isNaN(values[j] as number)) j++;
  return j;
}

function previousPresent(values: readonly number[], i: number): number {
  let j = i - 1;
  while (j > 0 && Number.isNaN(values[j] as number)) j--;
  return j;
}

/**
 * Precision and recall of the findings of `kind` against the injected events, leaving out
 * findings the clean series already had (`baseline`). A finding matches an event when their
 * spans overlap, one step of slack either side.
 */
export function score(
  kind: FindingKind,
  findings: readonly Finding[],
  baseline: readonly Finding[],
  events: readonly Injected[],
  stepMs: number,
): { precision: number; recall: number; found: number; events: number } {
  const known = new Set(baseline.filter((f) => f.kind === kind).map((f) => f.fromMs));
  const mine = findings.filter((f) => f.kind === kind && !known.has(f.fromMs));
  const overlaps = (f: Finding, e: Injected) =>
    f.fromMs - stepMs <= e.toMs && f.toMs + stepMs >= e.fromMs;
  const hit = mine.filter((f) => events.some((e) => overlaps(f, e))).length;
  const caught = events.filter((e) => mine.some((f) => overlaps(f, e))).length;
  return {
    precision: mine.length === 0 ? (events.length === 0 ? 1 : 0) : hit / mine.length,
    recall: events.length === 0 ? 1 : caught / events.length,
    found: mine.length,
    events: events.length,
  };
}
