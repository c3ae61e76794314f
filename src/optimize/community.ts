/**
 * Joint optimisation of a community: every home's battery (and EV, flexible loads) plus a shared
 * community battery, scheduled together for the lowest cost at the community's grid connection.
 * Energy moving between homes is free here (the market decides who pays whom); the grid tariff,
 * the connection's limits, the peak-demand charge and demand-response events apply to the
 * community's net exchange with the grid.
 *
 * The community battery's benefit is the cost of the optimum without it minus the cost with it;
 * each member is credited its share (by default equal).
 */
import { InputError } from "../core/errors.js";
import { LinearProgram, type LpSolver } from "../core/lp.js";
import { addBatteryRows, type BatterySpec } from "../home/battery.js";
import {
  addHousehold,
  checkHousehold,
  type DemandResponseEvent,
  emptySchedule,
  eventsAt,
  type HouseholdProblem,
  type HouseholdState,
  type HouseholdVariables,
  initialState,
  netRows,
  readHousehold,
  type Schedule,
  stateAfter,
} from "./household.js";

export interface CommunityProblem {
  readonly dtHours: number;
  readonly labels: readonly string[];
  /** The homes; their prices and events are not used (the community's are). */
  readonly homes: readonly HouseholdProblem[];
  readonly importPrice: Float64Array;
  readonly exportPrice: Float64Array;
  /** The community's connection to the grid (e.g. its transformer), kW. */
  readonly importLimitKw: number;
  readonly exportLimitKw: number;
  readonly peakChargePerKw: number;
  readonly communityBattery?: BatterySpec | undefined;
  /** Each member's share of the community battery (summing to 1); equal when absent. */
  readonly shares?: readonly number[] | undefined;
  readonly events: readonly DemandResponseEvent[];
}

export interface CommunitySchedule {
  readonly homes: readonly Schedule[];
  readonly importKw: Float64Array;
  readonly exportKw: Float64Array;
  readonly batteryChargeKw: Float64Array;
  readonly batteryDischargeKw: Float64Array;
  readonly batterySocKwh: Float64Array;
  /** The community's cost at its grid connection over the period. */
  readonly cost: number;
  readonly peakImportKw: number;
}

/** How a long period is optimised: in windows, each seeing ahead perfectly, state carried over. */
export interface CommunityOptions {
  /** Steps each window plans over; the whole period when absent. */
  readonly windowSteps?: number | undefined;
  /** Steps of each window kept before the next window starts (receding horizon); all by default. */
  readonly commitSteps?: number | undefined;
}

function communityCost(p: CommunityProblem, imp: Float64Array, exp: Float64Array): number {
  let cost = 0;
  let peak = 0;
  for (let t = 0; t < imp.length; t++) {
    const price = (p.importPrice[t] as number) + eventsAt(asHousehold(p), t).adder;
    cost +=
      (price * (imp[t] as number) - (p.exportPrice[t] as number) * (exp[t] as number)) * p.dtHours;
    peak = Math.max(peak, imp[t] as number);
  }
  return cost + p.peakChargePerKw * peak;
}

/** The community's connection seen as a household (for the event helpers). */
function asHousehold(p: CommunityProblem): HouseholdProblem {
  return {
    dtHours: p.dtHours,
    labels: p.labels,
    loadKw: new Float64Array(0),
    pvKw: new Float64Array(0),
    importPrice: p.importPrice,
    exportPrice: p.exportPrice,
    importLimitKw: p.importLimitKw,
    exportLimitKw: p.exportLimitKw,
    peakChargePerKw: p.peakChargePerKw,
    curtailment: true,
    flexibleLoads: [],
    events: p.events,
  };
}

function checkCommunity(p: CommunityProblem): void {
  const T = p.labels.length;
  p.homes.forEach((h, i) => {
    if (h.loadKw.length !== T)
      throw new InputError(
        "E_INPUT",
        `home ${i}: ${h.loadKw.length} steps, the community has ${T}`,
      );
    try {
      checkHousehold(h);
    } catch (error) {
      if (error instanceof InputError)
        throw new InputError(error.code, `home ${i}: ${error.message}`, { cause: error });
      throw error;
    }
  });
  if (p.shares) {
    if (p.shares.length !== p.homes.length)
      throw new InputError(
        "E_INPUT",
        `shares: ${p.shares.length} given for ${p.homes.length} homes`,
      );
    const sum = p.shares.reduce((a, x) => a + x, 0);
    if (p.shares.some((x) => x < 0) || Math.abs(sum - 1) > 1e-6)
      throw new InputError(
        "E_INPUT",
        `shares: must be 0 or more and sum to 1 (they sum to ${sum})`,
      );
  }
}

/** The connection's variables in one window: import, export, community battery (-1: none). */
interface ConnectionVariables {
  readonly imp: Int32Array;
  readonly exp: Int32Array;
  readonly charge: Int32Array;
  readonly discharge: Int32Array;
  readonly soc: Int32Array;
}

/** The community's series at its connection over the period. */
interface ConnectionSeries {
  readonly imp: Float64Array;
  readonly exp: Float64Array;
  readonly charge: Float64Array;
  readonly discharge: Float64Array;
  readonly soc: Float64Array;
}

/** Where a window starts: the steps it covers and the state carried into it. */
interface Window {
  readonly from: number;
  readonly to: number;
  readonly peakSoFar: number;
  readonly batteryKwh: number;
}

/**
 * The connection's rows for one window: import and export within the limits and events, the
 * peak above what the period has seen, and the balance G - X = the homes' net draw + community
 * battery charge - discharge.
 */
function addConnectionRows(
  lp: LinearProgram,
  p: CommunityProblem,
  net: ReturnType<typeof netRows>,
  w: Window,
): ConnectionVariables {
  const n = w.to - w.from;
  const conn = asHousehold(p);
  const peak =
    p.peakChargePerKw > 0 ? lp.addVariable({ lower: w.peakSoFar }, p.peakChargePerKw) : -1;
  const G = new Int32Array(n);
  const X = new Int32Array(n);
  const C = new Int32Array(n).fill(-1);
  const D = new Int32Array(n).fill(-1);
  const S = new Int32Array(n).fill(-1);
  const b = p.communityBattery;
  for (let k = 0; k < n; k++) {
    const t = w.from + k;
    const { capKw, adder } = eventsAt(conn, t);
    G[k] = lp.addVariable(
      { upper: Math.min(p.importLimitKw, capKw) },
      ((p.importPrice[t] as number) + adder) * p.dtHours,
    );
    X[k] = lp.addVariable({ upper: p.exportLimitKw }, -(p.exportPrice[t] as number) * p.dtHours);
    if (peak >= 0) lp.addConstraint({ vars: [peak, G[k] as number], coefs: [1, -1] }, { lower: 0 });
    const rv = [G[k] as number, X[k] as number, ...(net.vars[k] as number[])];
    const rc = [1, -1, ...(net.coefs[k] as number[])];
    if (b) {
      const v = addBatteryRows(
        lp,
        b,
        p.dtHours,
        k > 0 ? { variable: S[k - 1] as number } : { kwh: w.batteryKwh },
      );
      C[k] = v.charge;
      D[k] = v.discharge;
      S[k] = v.soc;
      rv.push(v.charge, v.discharge);
      rc.push(-1, 1);
    }
    lp.addEquality({ vars: rv, coefs: rc }, net.constant[k] as number);
  }
  if (b && w.to === p.labels.length && b.finalMinKwh !== undefined)
    lp.addConstraint({ vars: [S[n - 1] as number], coefs: [1] }, { lower: b.finalMinKwh });
  return { imp: G, exp: X, charge: C, discharge: D, soc: S };
}

/** Reads the kept steps of a window's connection into the series; the peak so far after them. */
function readConnection(
  x: Float64Array,
  v: ConnectionVariables,
  hasBattery: boolean,
  w: Window,
  kept: number,
  out: ConnectionSeries,
): number {
  let peakSoFar = w.peakSoFar;
  for (let k = 0; k < kept; k++) {
    const t = w.from + k;
    let g = x[v.imp[k] as number] as number;
    let e = x[v.exp[k] as number] as number;
    const m = Math.min(g, e); // importing and exporting at once only ever nets out
    g -= m;
    e -= m;
    out.imp[t] = Math.max(0, g);
    out.exp[t] = Math.max(0, e);
    if (hasBattery) {
      out.charge[t] = Math.max(0, x[v.charge[k] as number] as number);
      out.discharge[t] = Math.max(0, x[v.discharge[k] as number] as number);
      out.soc[t] = x[v.soc[k] as number] as number;
    }
    peakSoFar = Math.max(peakSoFar, out.imp[t] as number);
  }
  return peakSoFar;
}

/** The community's optimum; with `windowSteps`, window by window with perfect foresight in each. */
export async function optimizeCommunity(
  p: CommunityProblem,
  solver: LpSolver,
  options: CommunityOptions = {},
): Promise<CommunitySchedule> {
  checkCommunity(p);
  const T = p.labels.length;
  const window = options.windowSteps ?? T;
  const commit = Math.max(1, Math.min(window, options.commitSteps ?? window));
  const homes = p.homes.map((h) => emptySchedule(T, h.flexibleLoads.length));
  const series: ConnectionSeries = {
    imp: new Float64Array(T),
    exp: new Float64Array(T),
    charge: new Float64Array(T),
    discharge: new Float64Array(T),
    soc: new Float64Array(T),
  };
  const states = p.homes.map(initialState);
  let batteryKwh = p.communityBattery?.initialKwh ?? 0;
  let peakSoFar = 0;

  for (let from = 0; from < T; from += commit) {
    const w: Window = { from, to: Math.min(T, from + window), peakSoFar, batteryKwh };
    const n = w.to - from;
    const kept = Math.min(commit, n);
    const end = from + kept;
    const lp = new LinearProgram();
    const net = netRows(n);
    const vars: HouseholdVariables[] = p.homes.map((h, i) =>
      addHousehold(lp, h, from, w.to, states[i] as (typeof states)[number], {
        gridCosts: false,
        netInto: net,
      }),
    );
    const connection = addConnectionRows(lp, p, net, w);
    const solution = await solver.solve(lp);
    if (solution.status !== "optimal")
      throw new InputError(
        "E_INFEASIBLE",
        `community optimisation, steps ${from}-${w.to - 1} (${p.labels[from]} to ${p.labels[w.to - 1]}): no schedule meets every limit at once (solver: ${solution.solverStatus}); check the connection's import limit and the events against the homes' loads`,
      );
    const x = solution.values;
    vars.forEach((v, i) => {
      const h = p.homes[i] as HouseholdProblem;
      const s = homes[i] as Schedule;
      readHousehold(x, v, h, s, kept);
      if ((v.imp[0] as number) < 0) homeExchange(h, s, from, end);
    });
    peakSoFar = readConnection(x, connection, p.communityBattery !== undefined, w, kept, series);
    // Carry each home's state into the next window (the peak is the community's, not theirs).
    p.homes.forEach((h, i) => {
      states[i] = stateAfter(h, states[i] as HouseholdState, homes[i] as Schedule, from, end);
    });
    if (p.communityBattery) batteryKwh = series.soc[end - 1] as number;
  }
  let peakImportKw = 0;
  for (const v of series.imp) peakImportKw = Math.max(peakImportKw, v);
  return {
    homes,
    importKw: series.imp,
    exportKw: series.exp,
    batteryChargeKw: series.charge,
    batteryDischargeKw: series.discharge,
    batterySocKwh: series.soc,
    cost: communityCost(p, series.imp, series.exp),
    peakImportKw,
  };
}

export interface CommunityBatteryBenefit {
  readonly costWithout: number;
  readonly costWith: number;
  /** costWithout - costWith: what the community battery saves the community. */
  readonly benefit: number;
  /** Each member's share of the benefit. */
  readonly members: readonly number[];
}

/** Optimises with and without the community battery and splits the saving by the shares. */
export async function communityBatteryBenefit(
  p: CommunityProblem,
  solver: LpSolver,
  options: CommunityOptions = {},
): Promise<{ withBattery: CommunitySchedule; benefit: CommunityBatteryBenefit }> {
  const withBattery = await optimizeCommunity(p, solver, options);
  const without = await optimizeCommunity({ ...p, communityBattery: undefined }, solver, options);
  const benefit = without.cost - withBattery.cost;
  const n = p.homes.length;
  const shares = p.shares ?? p.homes.map(() => 1 / n);
  return {
    withBattery,
    benefit: {
      costWithout: without.cost,
      costWith: withBattery.cost,
      benefit,
      members: shares.map((s) => s * benefit),
    },
  };
}

/** A home's import and export, from its flows, where the model folded them into the community's. */
function homeExchange(h: HouseholdProblem, s: Schedule, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    let net =
      (h.loadKw[t] as number) -
      Math.max(0, h.pvKw[t] as number) +
      (s.curtailKw[t] as number) +
      (s.chargeKw[t] as number) -
      (s.dischargeKw[t] as number) +
      (s.evChargeKw[t] as number) -
      (s.evDischargeKw[t] as number);
    for (const f of s.flexKw) net += f[t] as number;
    s.importKw[t] = Math.max(0, net);
    s.exportKw[t] = Math.max(0, -net);
  }
}
