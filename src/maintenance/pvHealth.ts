/**
 * PV health by peer comparison: each system's specific yield (kWh per kWp) day by day against its
 * neighbours', and the shape of any shortfall named.
 *
 * Systems in one community see the same sky, but not the same geometry: orientation and tilt
 * make the ratio of two healthy systems' yields swing with the seasons. So each system is
 * compared with its peers, the k other systems whose daily yields correlate best with its own
 * (hour by hour, so that peers share the array's daily shape as well as its weather; their median is the reference), on usable days only (the reference above 30 % of its 90th
 * percentile: overcast days make ratios noisy). The daily performance ratio r(d) = yield /
 * reference is then read for the shapes of known faults (in this order):
 *
 * - outage: output near zero (r < 0.05) on usable days;
 * - shading: a loss at certain hours of the day, the rest of the day normal (hourly ratios);
 * - wrong kWp on record: a constant ratio far from 1 (the record's kWp is not the array's);
 * - derate: a sudden lasting loss (a failed string, a faulty inverter): the best single change
 *   point of r, with the level after it lower and not restored;
 * - soiling: losses that build up over weeks and are restored suddenly (rain, cleaning);
 * - degradation: a slow steady decline, measured between days on which the sun stands at the
 *   same declination (before and after a solstice), so that the seasonal swing of the ratio
 *   between arrays facing different ways cancels (median of the pairs' rates).
 *
 * A system is flagged when the evidence is beyond what healthy systems show: the thresholds are
 * set so that the 14 healthy systems of the CityLearn 2022 community raise nothing (see
 * docs/maintenance.md for how that was measured). Confidence is a logistic of the effect in
 * units of the system's own day-to-day noise.
 */

import { median } from "../core/stats.js";
import { MS_PER_DAY } from "../core/time.js";

export type PvCause = "outage" | "shading" | "wrong_kwp" | "derate" | "soiling" | "degradation";

export interface PvSystemInput {
  readonly id: string;
  readonly kwp: number;
  /** kWh per hour, one value per hour from `startMs`. */
  readonly energyKwh: Float64Array;
}

export interface PvVerdict {
  readonly id: string;
  readonly flagged: boolean;
  readonly cause: PvCause | null;
  /** Expected and measured energy over the days affected (the whole record when healthy), kWh. */
  readonly expectedKwh: number;
  readonly measuredKwh: number;
  readonly confidence: number;
  /** Dates (YYYY-MM-DD, UTC) affected. */
  readonly daysAffected: string[];
  /** The peers the system was compared with. */
  readonly peers: string[];
  /** The system's level against its peers (median daily ratio) and what else was seen. */
  readonly ratio: number;
  readonly detail: string;
}

/** A verdict as files and JSON carry it (snake_case, the shape of `health pv --json`). */
export function pvVerdictRecord(v: PvVerdict) {
  return {
    id: v.id,
    flagged: v.flagged,
    cause: v.cause,
    expected_kwh: v.expectedKwh,
    measured_kwh: v.measuredKwh,
    confidence: v.confidence,
    days_affected: v.daysAffected,
    ratio_to_peers: v.ratio,
    peers: v.peers,
    detail: v.detail,
  };
}

export interface PvHealthOptions {
  /** Peers per system (default 5: an odd count, so one faulty peer barely moves the median). */
  readonly peers?: number;
  /** UTC offset of the data's local day, hours (default 0): days run from local midnight. */
  readonly utcOffsetHours?: number;
}

const DAY_HOURS = 24;

function mad(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : -1;
}

/** Logistic confidence of an effect measured in noise units: 0.5 at 3, 0.95 at about 6. */
function confidenceOf(z: number): number {
  return Math.round((1 / (1 + Math.exp(-(z - 3)))) * 100) / 100;
}

/** Theil-Sen slope of y against x (pairs subsampled evenly to at most ~10,000). */
function theilSen(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const stride = Math.max(1, Math.floor((n * (n - 1)) / 2 / 10_000));
  const slopes = new Float64Array(Math.ceil((n * (n - 1)) / 2 / stride) + 1);
  let count = 0;
  let k = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (k++ % stride === 0 && x[j] !== x[i])
        slopes[count++] =
          ((y[j] as number) - (y[i] as number)) / ((x[j] as number) - (x[i] as number));
  const sorted = slopes.subarray(0, count).sort();
  if (count === 0) return Number.NaN;
  return count % 2
    ? (sorted[(count - 1) / 2] as number)
    : ((sorted[count / 2 - 1] as number) + (sorted[count / 2] as number)) / 2;
}

interface Daily {
  /** Specific yield per day, kWh/kWp. */
  readonly yieldPerDay: number[][];
  /** Specific yield per hour, kWh/kWp. */
  readonly hourly: Float64Array[];
  readonly days: number;
  readonly firstDayMs: number;
}

function dailyYields(systems: readonly PvSystemInput[], startMs: number, offsetH: number): Daily {
  // Days from the first local midnight on or after the start.
  const localStartH =
    Math.round(((startMs / 3_600_000 + offsetH) % DAY_HOURS) + DAY_HOURS) % DAY_HOURS;
  const skip = (DAY_HOURS - localStartH) % DAY_HOURS;
  const hours = Math.min(...systems.map((s) => s.energyKwh.length)) - skip;
  const days = Math.floor(hours / DAY_HOURS);
  const hourly = systems.map((s) =>
    Float64Array.from(s.energyKwh.subarray(skip, skip + days * DAY_HOURS), (e) => e / s.kwp),
  );
  const yieldPerDay = hourly.map((h) =>
    Array.from({ length: days }, (_, d) => {
      let sum = 0;
      for (let k = 0; k < DAY_HOURS; k++) sum += h[d * DAY_HOURS + k] as number;
      return sum;
    }),
  );
  return { yieldPerDay, hourly, days, firstDayMs: startMs + skip * 3_600_000 };
}

/** Judges every system against its peers. `startMs` is the time of each series' first hour. */
export function assessPv(
  systems: readonly PvSystemInput[],
  startMs: number,
  options: PvHealthOptions = {},
): PvVerdict[] {
  const offsetH = options.utcOffsetHours ?? 0;
  const k = Math.min(options.peers ?? 5, systems.length - 1);
  const daily = dailyYields(systems, startMs, offsetH);
  const { yieldPerDay, days } = daily;
  const dayOfYear = (d: number) => {
    const t = new Date(daily.firstDayMs + d * MS_PER_DAY + offsetH * 3_600_000);
    return (t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / MS_PER_DAY + 1;
  };
  const dateOf = (d: number) =>
    new Date(daily.firstDayMs + d * MS_PER_DAY + offsetH * 3_600_000).toISOString().slice(0, 10);
  const assess = (pool: readonly number[]) =>
    systems.map((sys, s) => {
      const own = yieldPerDay[s] as number[];
      const ownHourly = daily.hourly[s] as Float64Array;
      const peers = pool
        .filter((p) => p !== s)
        .map((p) => ({ p, c: correlation(ownHourly, daily.hourly[p] as Float64Array) }))
        .sort((a, b) => b.c - a.c)
        .slice(0, k)
        .map(({ p }) => p);
      const rawReference = Array.from({ length: days }, (_, d) =>
        median(peers.map((p) => (yieldPerDay[p] as number[])[d] as number)),
      );
      const sortedRef = [...rawReference].sort((a, b) => a - b);
      const bright = sortedRef[Math.floor(0.9 * (days - 1))] as number;
      const usable: number[] = [];
      for (let d = 0; d < days; d++) if ((rawReference[d] as number) > 0.3 * bright) usable.push(d);
      // Each peer scaled to this system's level (the median ratio over usable days), so that the
      // median of the peers is not moved by which peers happen to be brighter.
      const scale = peers.map((p) => {
        const r = usable
          .map((d) => (own[d] as number) / ((yieldPerDay[p] as number[])[d] as number))
          .filter(Number.isFinite);
        const c = median(r);
        return c > 0 ? c : 1;
      });
      const reference = Array.from({ length: days }, (_, d) =>
        median(
          peers.map((p, j) => ((yieldPerDay[p] as number[])[d] as number) * (scale[j] as number)),
        ),
      );
      const ratio = usable.map((d) => (own[d] as number) / (reference[d] as number));
      const rawLevel = median(usable.map((d) => (own[d] as number) / (rawReference[d] as number)));
      const judged = judge({
        ratio,
        rawLevel,
        usable,
        hourly: daily.hourly,
        system: s,
        peers,
        scale,
        days,
        dayOfYear,
      });
      const affected = judged.days ?? usable;
      let expected = 0;
      let measured = 0;
      for (const d of affected) {
        if (judged.hourlyLoss !== undefined) {
          measured += (own[d] as number) * sys.kwp;
          expected += ((own[d] as number) * sys.kwp) / (1 - judged.hourlyLoss);
          continue;
        }
        expected += judged.onRecord
          ? (rawReference[d] as number) * sys.kwp
          : judged.level * (reference[d] as number) * sys.kwp;
        measured += (own[d] as number) * sys.kwp;
      }
      return {
        id: sys.id,
        flagged: judged.cause !== null,
        cause: judged.cause,
        expectedKwh: Math.round(expected * 10) / 10,
        measuredKwh: Math.round(measured * 10) / 10,
        confidence: judged.confidence,
        daysAffected: judged.cause === null ? [] : affected.map(dateOf),
        peers: peers.map((p) => (systems[p] as PvSystemInput).id),
        ratio: Math.round(rawLevel * 1000) / 1000,
        detail: judged.detail,
      };
    });
  // Twice: the second time with the systems the first pass flagged left out of every peer group,
  // so that one faulty neighbour does not colour the others' reference.
  const everyone = systems.map((_, i) => i);
  const first = assess(everyone);
  const sound = everyone.filter((i) => !(first[i] as PvVerdict).flagged);
  return sound.length > k && sound.length < systems.length ? assess(sound) : first;
}

interface Judgement {
  readonly cause: PvCause | null;
  readonly confidence: number;
  /** Day indices affected (null: the whole record). */
  readonly days: number[] | null;
  /** The healthy level against the (scaled) peers, for the expected energy. */
  readonly level: number;
  /** Expect the peers' yield per kWp times the kWp on record (a wrong kWp). */
  readonly onRecord?: boolean;
  /** Share of the energy lost at certain hours (shade): expected = measured / (1 - share). */
  readonly hourlyLoss?: number;
  readonly detail: string;
}

const OUTAGE_RATIO = 0.05;
const WRONG_KWP_OFF = 0.3;
const STEP_DROP = 0.1;
/** A decline is reported from 6 % over the record (about 0.5 %/month over a year). */
const DECLINE = 0.06;
const SHADE_LOSS = 0.4;

/** What the peer comparison found for one system, for judging it. */
interface Evidence {
  /** This system's yield over its scaled peers', per usable day. */
  readonly ratio: readonly number[];
  /** Its median yield per kWp over its unscaled peers' (1 when the kWp on record is right). */
  readonly rawLevel: number;
  /** The usable days' indices. */
  readonly usable: readonly number[];
  readonly hourly: readonly Float64Array[];
  readonly system: number;
  readonly peers: readonly number[];
  /** Each peer's scale to this system's level. */
  readonly scale: readonly number[];
  readonly days: number;
  readonly dayOfYear: (d: number) => number;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** The first cause that fits, in order: outage, shading, soiling, derate, degradation, wrong kWp. */
function judge(e: Evidence): Judgement {
  const { ratio } = e;
  const lit = ratio.filter((r) => r >= OUTAGE_RATIO);
  const level = lit.length > 0 ? median(lit) : 1;
  const outage = outageJudgement(e, lit.length, level);
  if (outage) return outage;
  const noise = Math.max(0.01, mad(ratio.map((r, i) => r - (ratio[i - 1] ?? r))) / Math.SQRT2);
  return (
    shadingJudgement(e, level) ??
    soilingJudgement(e, noise) ??
    derateJudgement(e, noise, level) ??
    degradationJudgement(e) ??
    wrongKwpJudgement(e, level) ?? {
      cause: null,
      confidence: 0,
      days: null,
      level,
      detail: `healthy: ${e.rawLevel.toFixed(3)} of its peers' yield per kWp, day-to-day noise ${pct(noise)}`,
    }
  );
}

/** Outage: near-zero output on usable days. */
function outageJudgement(e: Evidence, litDays: number, level: number): Judgement | undefined {
  const out = e.usable.filter((_, i) => (e.ratio[i] as number) < OUTAGE_RATIO);
  if (out.length === 0) return undefined;
  return {
    cause: "outage",
    confidence: confidenceOf(3 + out.length),
    days: out,
    level: litDays > 0.2 * e.ratio.length ? level : 1,
    detail: `no output on ${out.length} of ${e.usable.length} days on which its peers produced`,
  };
}

/** Shading: certain hours lose much more than the day as a whole. */
function shadingJudgement(e: Evidence, level: number): Judgement | undefined {
  const { hourly, peers, scale, usable } = e;
  const own = hourly[e.system] as Float64Array;
  // Per hour of the day: this system's energy over the usable days, and the median of its
  // (scaled) peers' energies at that hour.
  const hourRatio: number[] = [];
  const peerHour: number[] = [];
  for (let h = 0; h < DAY_HOURS; h++) {
    let a = 0;
    const totals = peers.map(() => 0);
    for (const d of usable) {
      const i = d * DAY_HOURS + h;
      a += own[i] as number;
      for (let j = 0; j < peers.length; j++)
        totals[j] =
          (totals[j] as number) +
          ((hourly[peers[j] as number] as Float64Array)[i] as number) * (scale[j] as number);
    }
    hourRatio.push(a);
    peerHour.push(median(totals));
  }
  // Hours that matter: the peers make at least 30 % of their best hour's energy then (at low sun,
  // arrays facing east or west differ most, and that is geometry, not shade).
  const bestHour = Math.max(...peerHour);
  for (let h = 0; h < DAY_HOURS; h++)
    hourRatio[h] =
      (peerHour[h] as number) >= 0.3 * bestHour
        ? (hourRatio[h] as number) / (peerHour[h] as number)
        : Number.NaN;
  const daylight = hourRatio.filter((r) => !Number.isNaN(r));
  const typical = median(daylight);
  const shaded = hourRatio.flatMap((r, h) =>
    !Number.isNaN(r) && r < (1 - SHADE_LOSS) * typical ? [h] : [],
  );
  // The energy the shaded hours lose, as a share of the day's: shade that costs little is
  // geometry at the edges of the day, not an obstruction worth a visit.
  let lostShare = 0;
  let dayEnergy = 0;
  for (let h = 0; h < DAY_HOURS; h++) dayEnergy += typical * (peerHour[h] as number);
  for (const h of shaded)
    lostShare += ((typical - (hourRatio[h] as number)) * (peerHour[h] as number)) / dayEnergy;
  if (!(shaded.length > 0 && shaded.length <= daylight.length / 2 && lostShare >= 0.03))
    return undefined;
  const loss = 1 - median(shaded.map((h) => hourRatio[h] as number)) / typical;
  return {
    cause: "shading",
    hourlyLoss: lostShare,
    confidence: confidenceOf(3 + (loss - SHADE_LOSS) * 20 + shaded.length),
    days: null,
    level,
    detail: `${pct(loss)} less than the rest of its day at ${shaded.map((h) => `${h}:00`).join(", ")} (hours of the data's day)`,
  };
}

/** Soiling: a loss that builds up, then a sudden recovery at least as large as the noise x 4. */
function soilingJudgement(e: Evidence, noise: number): Judgement | undefined {
  const soil = soilingEvents(e.ratio, noise);
  if (!(soil.length > 0 && soil.reduce((a, x) => a + x.loss, 0) / soil.length > 0.08))
    return undefined;
  const affected = soil.flatMap((x) => e.usable.slice(x.from, x.to + 1));
  const loss = soil.reduce((a, x) => a + x.loss, 0) / soil.length;
  return {
    cause: "soiling",
    confidence: confidenceOf(3 + loss / noise / 2),
    days: affected,
    level: median(soil.map((x) => x.restored)),
    detail: `${soil.length} loss(es) building up over weeks (mean ${pct(loss)} at worst) and restored in a day`,
  };
}

/**
 * Change point: the largest drop between the 7 usable days before a day and the 7 from it
 * (local, so that a slow seasonal drift of the ratio is not read as a step), where both weeks
 * are steady (an erratic stretch of data is not a step). The two weeks may stand up to 2 weeks
 * apart, to step over a short erratic stretch of data.
 */
function largestStep(
  ratio: readonly number[],
  noise: number,
): { split: number; end: number; drop: number } {
  const n = ratio.length;
  let bestSplit = -1;
  let bestEnd = -1;
  let bestDrop = 0;
  for (let c = 7; c <= n - 7; c++) {
    const lastWeek = ratio.slice(c - 7, c);
    const m = median(lastWeek);
    if (m <= bestDrop || mad(lastWeek) > 3 * noise) continue;
    for (let gap = 0; gap <= 14 && c + gap + 7 <= n; gap += 7) {
      const nextWeek = ratio.slice(c + gap, c + gap + 7);
      const d = m - median(nextWeek);
      if (d <= bestDrop || mad(nextWeek) > 3 * noise) continue;
      // A step, not a trend: the weeks before and after it change much less than the step.
      const trend = Math.max(
        c >= 14 ? Math.abs(median(ratio.slice(c - 14, c - 7)) - m) : 0,
        c + gap + 14 <= n
          ? Math.abs(median(ratio.slice(c + gap + 7, c + gap + 14)) - median(nextWeek))
          : 0,
      );
      if (d >= 4 * trend) {
        bestDrop = d;
        bestSplit = c;
        bestEnd = c + gap;
      }
    }
  }
  return { split: bestSplit, end: bestEnd, drop: bestDrop };
}

/** Derate: a drop of 10 % or more within a fortnight that is not restored afterwards. */
function derateJudgement(e: Evidence, noise: number, level: number): Judgement | undefined {
  const { ratio } = e;
  const step = largestStep(ratio, noise);
  const before = step.split > 0 ? median(ratio.slice(step.split - 7, step.split)) : level;
  // Lasting: the 8 weeks after the step (or what is left of the record) stay down.
  const after = step.split > 0 ? median(ratio.slice(step.end, step.end + 56)) : level;
  const drop = step.drop / before;
  if (!(step.split > 0 && drop > STEP_DROP && after <= before * (1 - STEP_DROP / 2)))
    return undefined;
  const z = step.drop / noise;
  if (!(z > 4)) return undefined;
  return {
    cause: "derate",
    confidence: confidenceOf(z / 2),
    days: e.usable.slice(step.split),
    level: before,
    detail: `a sudden lasting loss of ${pct(drop)} (ratio to peers ${before.toFixed(3)} the week before, ${after.toFixed(3)} since)`,
  };
}

/**
 * Degradation: the ratio falls between days on which the sun stands at the same declination
 * (one before, one after a solstice), so that the geometry of arrays facing different ways,
 * which makes the ratio swing with the seasons, cancels; a steady decline does not.
 */
function degradationJudgement(e: Evidence): Judgement | undefined {
  const { ratio, usable } = e;
  const pairRates = matchedDeclinationRates(ratio, usable, e.dayOfYear);
  if (pairRates.length < 30) return undefined;
  const perDay = median(pairRates);
  const perMonth = -perDay * 30.44;
  const spreadMonth = (mad(pairRates) * 30.44) / Math.sqrt(pairRates.length / 10);
  const z = perMonth / Math.max(spreadMonth, 1e-6);
  if (!(perMonth * (e.days / 30.44) > DECLINE && z > 4)) return undefined;
  const x = usable.map((d) => d);
  const slope = theilSen(x, ratio);
  const mid = median(ratio.map((r, i) => r - slope * (x[i] as number)));
  return {
    cause: "degradation",
    confidence: confidenceOf(z / 2),
    days: usable.slice(Math.floor(ratio.length / 2)),
    level: mid,
    detail: `a steady decline of ${pct(perMonth)} of its output per month against its peers (between days of equal sun declination, ${pairRates.length} pairs)`,
  };
}

/** A wrong kWp on record: a steady yield per kWp far from its peers' all year. */
function wrongKwpJudgement(e: Evidence, level: number): Judgement | undefined {
  const { rawLevel } = e;
  if (!(Math.abs(rawLevel - 1) > WRONG_KWP_OFF)) return undefined;
  const spread = mad(e.ratio) / level;
  // Steady: the ratio may swing with the seasons, but by less than half its distance from 1.
  if (!(spread < Math.max(0.1, Math.abs(rawLevel - 1) / 2))) return undefined;
  return {
    cause: "wrong_kwp",
    confidence: confidenceOf(3 + (Math.abs(rawLevel - 1) - WRONG_KWP_OFF) / Math.max(spread, 0.01)),
    days: null,
    level: 1,
    onRecord: true,
    detail: `a constant ${rawLevel.toFixed(3)} of its peers' yield per kWp all year (spread ${pct(spread)}): the array is likely ${rawLevel.toFixed(2)} x the kWp on record`,
  };
}

/** Solar declination, degrees, on a day of the year (Cooper 1969). */
function declination(dayOfYear: number): number {
  return 23.45 * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
}

/**
 * The daily rate of change of the log ratio between pairs of usable days at least 60 days apart
 * on which the sun's declination differs by less than 0.5 degrees.
 */
function matchedDeclinationRates(
  ratio: readonly number[],
  usable: readonly number[],
  dayOfYear: (d: number) => number,
): number[] {
  const dec = usable.map((d) => declination(dayOfYear(d)));
  const out: number[] = [];
  for (let i = 0; i < usable.length; i++)
    for (let j = i + 1; j < usable.length; j++) {
      const gap = (usable[j] as number) - (usable[i] as number);
      if (gap < 60 || Math.abs((dec[i] as number) - (dec[j] as number)) > 0.5) continue;
      const a = ratio[i] as number;
      const b = ratio[j] as number;
      if (a > 0 && b > 0) out.push(Math.log(b / a) / gap);
    }
  return out;
}

interface SoilingEvent {
  readonly from: number;
  readonly to: number;
  readonly loss: number;
  readonly restored: number;
}

/**
 * Sawtooth losses: a recovery of at least 4 x the day-to-day noise and 6 % within a day, after a
 * decline over at least 10 usable days from a level the recovery restores.
 */
function soilingEvents(ratio: readonly number[], noise: number): SoilingEvent[] {
  const smooth = ratio.map((_, i) => median(ratio.slice(Math.max(0, i - 1), i + 2)));
  const out: SoilingEvent[] = [];
  let lastEnd = 0;
  for (let i = 12; i < ratio.length - 3; i++) {
    const before = smooth[i - 1] as number;
    const after = median(ratio.slice(i, i + 4));
    const jump = after - before;
    if (jump < Math.max(4 * noise, 0.06 * after)) continue;
    // Walk back while the series declines towards `before`, no day falling by much.
    let start = i - 1;
    let steepest = 0;
    while (start > lastEnd && (smooth[start - 1] as number) >= (smooth[start] as number) - noise) {
      steepest = Math.max(steepest, (smooth[start - 1] as number) - (smooth[start] as number));
      start--;
    }
    if (i - start < 10) continue;
    const top = median(ratio.slice(Math.max(0, start - 3), start + 3));
    if (top < after - 2 * noise) continue;
    // Gradual: the loss builds up over the days; no single day makes a third of it.
    if (top - before < 0.06 * top || steepest > (top - before) / 3) continue;
    // Clean: the restored days agree with each other, and the build-up is smooth (an erratic
    // stretch of data rises and falls by more than the noise from day to day).
    const restored = ratio.slice(i, i + 4);
    const wiggle = ratio
      .slice(start + 1, i)
      .map((r, j) => Math.abs(r - (smooth[start + 1 + j] as number)));
    if (mad(restored) > 2 * noise || median(wiggle) > 2 * noise) continue;
    out.push({ from: start, to: i - 1, loss: jump / after, restored: after });
    lastEnd = i;
  }
  return out;
}
