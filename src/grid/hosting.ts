/**
 * Hosting capacity: for each bus alone, the largest PV (kWp, at 1 kW per kWp, unity power
 * factor) it can take on top of a base case before any limit is broken: a voltage outside the
 * limits anywhere, a line above its rating, or the transformer above its own. Found by
 * bisection on the power flow, each solve starting from the base case's solution.
 */
import { assess, EN50160, type Limits, type Snapshot } from "./day.js";
import type { Feeder } from "./feeder.js";
import { PowerFlow } from "./powerflow.js";

export type BindingLimit = "voltage" | "line" | "transformer" | "base case" | "none";

export interface HostingOptions {
  /** PV split evenly over the three phases ("abc", the default) or on one phase (0, 1, 2). */
  readonly phase?: "abc" | 0 | 1 | 2;
  /** Upper end of the search, kWp. */
  readonly maxKwp?: number;
  /** Resolution of the answer, kWp. */
  readonly resolutionKwp?: number;
  readonly limits?: Limits;
  /** Only these buses (indices); every bus by default. The others are reported as NaN. */
  readonly buses?: readonly number[];
}

export interface HostingResult {
  /** Per bus (the feeder's order): the capacity, kWp, and what limits it. */
  readonly kwp: Float64Array;
  readonly limit: BindingLimit[];
  readonly solves: number;
}

function broken(
  feeder: Feeder,
  snap: Snapshot,
  pf: PowerFlow,
  limits: Limits,
  warm: boolean,
): BindingLimit | undefined {
  let r: ReturnType<PowerFlow["solve"]>;
  try {
    r = pf.solve(snap.pKw, snap.qKvar, { warm });
  } catch {
    return "voltage"; // the sweep diverged or collapsed: far beyond any limit
  }
  if (!r.converged) return "voltage";
  const s = assess(feeder, snap, r, limits);
  if (s.violations > 0) return "voltage";
  if (s.lineLoadingPct > 100) return "line";
  if (s.transformerLoadingPct > 100) return "transformer";
  return undefined;
}

export function hostingCapacity(
  feeder: Feeder,
  base: Snapshot,
  options: HostingOptions = {},
): HostingResult {
  const limits = options.limits ?? EN50160;
  const maxKwp = options.maxKwp ?? 200;
  const resolution = options.resolutionKwp ?? 0.1;
  const phase = options.phase ?? "abc";
  const n = feeder.buses.length;
  const kwp = new Float64Array(n);
  const limit: BindingLimit[] = new Array(n).fill("none");
  const pf = new PowerFlow(feeder);
  let solves = 1;
  const baseBroken = broken(feeder, base, pf, limits, false);
  if (baseBroken) return { kwp, limit: limit.fill("base case"), solves };
  const p = Float64Array.from(base.pKw);
  const snap = { pKw: p, qKvar: base.qKvar };
  const set = (b: number, kw: number) => {
    for (let ph = 0; ph < 3; ph++) {
      const share = phase === "abc" ? kw / 3 : ph === phase ? kw : 0;
      p[3 * b + ph] = (base.pKw[3 * b + ph] as number) - share;
    }
  };
  const which = options.buses ?? Array.from({ length: n }, (_, b) => b);
  if (options.buses) kwp.fill(Number.NaN);
  for (const b of which) {
    let lo = 0;
    let hi = maxKwp;
    set(b, hi);
    solves++;
    let why = broken(feeder, snap, pf, limits, false);
    if (!why) {
      kwp[b] = maxKwp;
      limit[b] = "none";
      set(b, 0);
      continue;
    }
    while (hi - lo > resolution) {
      const mid = (lo + hi) / 2;
      set(b, mid);
      solves++;
      const w = broken(feeder, snap, pf, limits, false);
      if (w) {
        hi = mid;
        why = w;
      } else lo = mid;
    }
    kwp[b] = lo;
    limit[b] = why;
    set(b, 0);
  }
  return { kwp, limit, solves };
}

/**
 * The minute of the day (1 to `minutes`) with the least total load: PV at its peak against the
 * least load is the hardest case for voltage rise. The first such minute wins ties.
 */
export function lightestMinute(snapshotAt: (minute: number) => Snapshot, minutes = 1440): number {
  let minute = 1;
  let least = Number.POSITIVE_INFINITY;
  for (let m = 1; m <= minutes; m++) {
    const total = snapshotAt(m).pKw.reduce((a, x) => a + x, 0);
    if (total < least) {
      least = total;
      minute = m;
    }
  }
  return minute;
}
