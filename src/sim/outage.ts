/**
 * An outage of the upstream grid: for a period the community has only its own PV (and wind) and
 * batteries. Each interval, critical load is served first, then the rest; surplus charges the
 * batteries. Four set-ups are compared on the same homes and weather:
 *
 *   alone, PV only         every home on its own generation
 *   alone, with batteries  every home on its own generation and battery
 *   shared, PV only        the community's generation pooled (a microgrid without storage)
 *   shared, with batteries generation and every battery pooled
 *
 * In a shared set-up, when energy is short, whole homes lose their critical supply, the largest
 * critical demands first, so that as many homes as possible keep theirs (load shedding by home);
 * energy too little for any whole home still goes to critical demand, and non-critical demand
 * shares what is left, pro rata. The batteries start the outage with the state of charge the normal
 * simulation (self-consumption rule) gave them at that moment; the community battery, if any,
 * joins the shared set-up. EV charging waits for the grid.
 *
 * This is an energy balance per interval: it says whether there is enough energy, not whether
 * the islanded network holds its voltage and frequency.
 */
import { BatteryState } from "../home/battery.js";
import { homeFlows } from "./physics.js";
import type { SimulationInput } from "./types.js";

export type OutageSetup =
  | "alone, PV only"
  | "alone, with batteries"
  | "shared, PV only"
  | "shared, with batteries";

export const OUTAGE_SETUPS: readonly OutageSetup[] = [
  "alone, PV only",
  "alone, with batteries",
  "shared, PV only",
  "shared, with batteries",
];

export interface OutageOptions {
  /** First interval of the outage and its length in intervals. */
  readonly start: number;
  readonly intervals: number;
  /** Share of each home's load that is critical (0-1). */
  readonly criticalShare: number;
}

export interface OutageResult {
  readonly setup: OutageSetup;
  readonly demandKwh: number;
  readonly criticalDemandKwh: number;
  readonly notServedKwh: number;
  readonly criticalNotServedKwh: number;
  /** Homes whose critical load was served in every interval of the outage. */
  readonly homesKeepingPower: number;
  /** Hours from the start until the first interval in which any home's critical load went unmet (the whole outage if never). */
  readonly autonomyHours: number;
  /** Mean over homes of the hours until their own critical load first went unmet. */
  readonly meanHomeAutonomyHours: number;
  /** Per home: critical energy not served, kWh. */
  readonly homeCriticalNotServedKwh: Float64Array;
}

const EPS = 1e-9;

/** What every set-up shares: the homes' demand and generation, and their batteries at the start. */
interface Outage {
  readonly input: SimulationInput;
  readonly homes: number;
  readonly dtH: number;
  readonly intervals: number;
  readonly criticalShare: number;
  /** Home i's load and generation (PV and wind) in interval t of the outage, kWh. */
  readonly demand: (i: number, t: number) => number;
  readonly gen: (i: number, t: number) => number;
  /** Home i's state of charge (share of capacity) when the outage starts; NaN at interval 0. */
  readonly socAtStart: readonly number[];
}

/** One set-up's running state over the outage. */
interface SetupState {
  readonly shared: boolean;
  /** Each home's battery (null without one or in a PV-only set-up), and the community's. */
  readonly batteries: readonly (BatteryState | null)[];
  readonly community: BatteryState | null;
  /** Per home: critical energy not served so far, and the first interval it went unmet. */
  readonly critUnmet: Float64Array;
  readonly firstOut: Float64Array;
  notServed: number;
  totalDemand: number;
  /** The first interval in which any home's critical load went unmet. */
  firstAny: number;
}

/** One interval's demand per home, split into its critical part and the rest. */
interface IntervalDemand {
  readonly crit: Float64Array;
  readonly rest: Float64Array;
}

/** One interval's unmet demand per home. */
interface IntervalShortfall {
  readonly unmetCrit: Float64Array;
  readonly unmetRest: Float64Array;
}

/** The outage under each of the four set-ups, on the same homes, weather and batteries. */
export function simulateOutage(input: SimulationInput, options: OutageOptions): OutageResult[] {
  const outage = prepareOutage(input, options);
  return OUTAGE_SETUPS.map((setup) => simulateSetup(outage, setup));
}

/** The outage's demand and generation, and each battery's charge from the normal run up to it. */
function prepareOutage(input: SimulationInput, options: OutageOptions): Outage {
  const { start, intervals, criticalShare } = options;
  // Battery states at the outage's start from the normal run (rule dispatch) up to then.
  const before = input.members.map((member) =>
    homeFlows(member, { count: Math.max(start, 1), stepMinutes: input.stepMinutes }),
  );
  return {
    input,
    homes: input.members.length,
    dtH: input.stepMinutes / 60,
    intervals,
    criticalShare,
    demand: (i, t) => input.members[i]?.loadKwh[start + t] as number,
    gen: (i, t) =>
      (input.members[i]?.pvKwh?.[start + t] ?? 0) + (input.members[i]?.windKwh?.[start + t] ?? 0),
    socAtStart: before.map((f) => (start > 0 ? (f.soc[start - 1] as number) : Number.NaN)),
  };
}

/** Home i's battery as the outage finds it; null when it has none. */
function batteryAtStart(outage: Outage, i: number): BatteryState | null {
  const b = outage.input.members[i]?.battery;
  if (!b) return null;
  const soc = outage.socAtStart[i] as number;
  return new BatteryState(b, outage.dtH, Number.isNaN(soc) ? b.initialKwh : soc * b.capacityKwh);
}

/** One set-up through every interval of the outage, summed up. */
function simulateSetup(outage: Outage, setup: OutageSetup): OutageResult {
  const state = setUp(outage, setup);
  for (let t = 0; t < outage.intervals; t++) {
    const demand = intervalDemand(outage, state, t);
    const shortfall = state.shared
      ? serveShared(outage, state, t, demand)
      : serveAlone(outage, state, t, demand);
    record(outage, state, t, shortfall);
  }
  return summarise(outage, setup, state);
}

/** A set-up's batteries (its homes', and the community's when shared) and empty tallies. */
function setUp(outage: Outage, setup: OutageSetup): SetupState {
  const { input, homes, dtH, intervals } = outage;
  const shared = setup.startsWith("shared");
  const withBatteries = setup.endsWith("with batteries");
  return {
    shared,
    batteries: input.members.map((_, i) => (withBatteries ? batteryAtStart(outage, i) : null)),
    community:
      withBatteries && shared && input.communityBattery
        ? new BatteryState(input.communityBattery, dtH)
        : null,
    critUnmet: new Float64Array(homes),
    firstOut: new Float64Array(homes).fill(intervals),
    notServed: 0,
    totalDemand: 0,
    firstAny: intervals,
  };
}

/** Interval t's demand per home, critical and the rest; counted into the set-up's total. */
function intervalDemand(outage: Outage, state: SetupState, t: number): IntervalDemand {
  const crit = new Float64Array(outage.homes);
  const rest = new Float64Array(outage.homes);
  for (let i = 0; i < outage.homes; i++) {
    const d = outage.demand(i, t);
    crit[i] = d * outage.criticalShare;
    rest[i] = d - (crit[i] as number);
    state.totalDemand += d;
  }
  return { crit, rest };
}

/** Every home on its own generation and battery: critical load first, surplus to the battery. */
function serveAlone(
  outage: Outage,
  state: SetupState,
  t: number,
  { crit, rest }: IntervalDemand,
): IntervalShortfall {
  const unmetCrit = new Float64Array(outage.homes);
  const unmetRest = new Float64Array(outage.homes);
  for (let i = 0; i < outage.homes; i++) {
    let supply = outage.gen(i, t);
    const b = state.batteries[i];
    const need = (crit[i] as number) + (rest[i] as number);
    if (b && supply < need) supply += b.discharge(need - supply);
    const servedCrit = Math.min(crit[i] as number, supply);
    unmetCrit[i] = (crit[i] as number) - servedCrit;
    const servedRest = Math.min(rest[i] as number, supply - servedCrit);
    unmetRest[i] = (rest[i] as number) - servedRest;
    const surplus = supply - servedCrit - servedRest;
    if (b && surplus > 0) b.charge(surplus);
  }
  return { unmetCrit, unmetRest };
}

/** The community's generation and storage pooled: whole homes shed when short, surplus stored. */
function serveShared(
  outage: Outage,
  state: SetupState,
  t: number,
  { crit, rest }: IntervalDemand,
): IntervalShortfall {
  const m = outage.homes;
  const unmetCrit = new Float64Array(m);
  const unmetRest = new Float64Array(m);
  let supply = 0;
  let need = 0;
  let needCrit = 0;
  for (let i = 0; i < m; i++) {
    supply += outage.gen(i, t);
    need += (crit[i] as number) + (rest[i] as number);
    needCrit += crit[i] as number;
  }
  // Pooled storage: the community battery first, then the homes' in turn.
  const stores = [state.community, ...state.batteries].filter((b): b is BatteryState => b !== null);
  for (const b of stores) if (supply < need) supply += b.discharge(need - supply);
  const { servedCrit, left } = serveCritical(crit, supply, needCrit, unmetCrit);
  const restNeed = need - needCrit;
  const servedRest = Math.min(restNeed, left);
  const restFactor = restNeed > 0 ? 1 - servedRest / restNeed : 0;
  for (let i = 0; i < m; i++) unmetRest[i] = (rest[i] as number) * restFactor;
  let surplus = supply - servedCrit - servedRest;
  for (const b of stores) if (surplus > 0) surplus -= b.charge(surplus);
  return { unmetCrit, unmetRest };
}

/**
 * The pooled supply to critical demand; short of energy, whole homes keep theirs, the smallest
 * critical demands first, and the rest is spread pro rata (written into `unmetCrit`).
 */
function serveCritical(
  crit: Float64Array,
  supply: number,
  needCrit: number,
  unmetCrit: Float64Array,
): { servedCrit: number; left: number } {
  if (supply >= needCrit) return { servedCrit: needCrit, left: supply - needCrit };
  let left = supply;
  let servedCrit = 0;
  const order = Array.from({ length: crit.length }, (_, i) => i).sort(
    (a, b) => (crit[a] as number) - (crit[b] as number),
  );
  let short = 0;
  for (const i of order) {
    const c = crit[i] as number;
    if (c <= left) {
      left -= c;
      servedCrit += c;
    } else {
      unmetCrit[i] = c;
      short += c;
    }
  }
  // What no whole home can use still goes to critical demand, pro rata.
  if (short > 0 && left > 0) {
    const f = left / short;
    for (let i = 0; i < crit.length; i++) unmetCrit[i] = (unmetCrit[i] as number) * (1 - f);
    servedCrit += left;
    left = 0;
  }
  return { servedCrit, left };
}

/** Interval t's shortfall into the set-up's tallies, and when each home first lost power. */
function record(outage: Outage, state: SetupState, t: number, s: IntervalShortfall): void {
  for (let i = 0; i < outage.homes; i++) {
    state.critUnmet[i] = (state.critUnmet[i] as number) + (s.unmetCrit[i] as number);
    state.notServed += (s.unmetCrit[i] as number) + (s.unmetRest[i] as number);
    if ((s.unmetCrit[i] as number) > EPS && (state.firstOut[i] as number) === outage.intervals) {
      state.firstOut[i] = t;
      state.firstAny = Math.min(state.firstAny, t);
    }
  }
}

/** A set-up's result: energy not served, homes keeping power, and autonomy. */
function summarise(outage: Outage, setup: OutageSetup, state: SetupState): OutageResult {
  const { homes: m, intervals, dtH } = outage;
  let critDemand = 0;
  for (let t = 0; t < intervals; t++)
    for (let i = 0; i < m; i++) critDemand += outage.demand(i, t) * outage.criticalShare;
  let critNotServed = 0;
  let keeping = 0;
  let autonomy = 0;
  for (let i = 0; i < m; i++) {
    critNotServed += state.critUnmet[i] as number;
    if ((state.critUnmet[i] as number) <= EPS * intervals) keeping++;
    autonomy += (state.firstOut[i] as number) * dtH;
  }
  return {
    setup,
    demandKwh: state.totalDemand,
    criticalDemandKwh: critDemand,
    notServedKwh: state.notServed,
    criticalNotServedKwh: critNotServed,
    homesKeepingPower: keeping,
    autonomyHours: state.firstAny * dtH,
    meanHomeAutonomyHours: m > 0 ? autonomy / m : 0,
    homeCriticalNotServedKwh: state.critUnmet,
  };
}
