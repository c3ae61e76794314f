/**
 * One household as a linear program: home battery, EV charging sessions (optionally
 * vehicle-to-home), flexible loads, grid import/export limits, time-of-use prices, a
 * peak-demand charge, PV curtailment and demand-response events.
 *
 * Power is in kW (constant over a step of `dtHours`), energy in kWh, money in the currency of the
 * prices. The same builder serves the whole period (perfect foresight) and one window of a
 * rolling horizon (MPC): a window starts from a state (battery and EV charge, flexible energy
 * already served, peak so far) and keeps the rest of the period feasible at its end.
 */

import { InputError } from "../core/errors.js";
import type { LinearProgram } from "../core/lp.js";
import { roundTo } from "../core/units.js";
import { addBatteryRows, type BatterySpec, socFloor } from "../home/battery.js";
import { type EvSpec, sessionAt } from "../home/ev.js";
import type { FlexibleLoad } from "../home/flexibleLoad.js";

/** A demand-response event over steps [startStep, endStep): a cap on import or a price. */
export interface DemandResponseEvent {
  readonly name: string;
  readonly startStep: number;
  readonly endStep: number;
  readonly importCapKw?: number | undefined;
  /** Added to the import price during the event, per kWh. */
  readonly priceAdderPerKwh?: number | undefined;
}

export interface HouseholdProblem {
  readonly dtHours: number;
  /** Step labels (the data's timestamps), for messages and outputs. */
  readonly labels: readonly string[];
  readonly loadKw: Float64Array;
  readonly pvKw: Float64Array;
  readonly importPrice: Float64Array;
  readonly exportPrice: Float64Array;
  readonly importLimitKw: number;
  readonly exportLimitKw: number;
  /** Charge per kW of the highest import over the period. */
  readonly peakChargePerKw: number;
  readonly curtailment: boolean;
  /** Price of energy not served; undefined: every load must be served. */
  readonly valueOfLostLoadPerKwh?: number | undefined;
  readonly battery?: BatterySpec | undefined;
  readonly ev?: EvSpec | undefined;
  readonly flexibleLoads: readonly FlexibleLoad[];
  readonly events: readonly DemandResponseEvent[];
}

/** Where a window starts from. */
export interface HouseholdState {
  readonly batteryKwh: number;
  /** EV charge when the car is at home at the window's first step. */
  readonly evKwh: number;
  /** Flexible energy already served, per flexible load, kWh. */
  readonly flexServedKwh: readonly number[];
  /** Highest import so far in the period, kW. */
  readonly peakKw: number;
}

export interface WindowOptions {
  /** Load and PV to plan with (forecasts); the problem's own values when absent. */
  readonly loadKw?: Float64Array | undefined;
  readonly pvKw?: Float64Array | undefined;
  /** Value given to each kWh left in the battery at the window's end. */
  readonly terminalValuePerKwh?: number | undefined;
  /**
   * False when the home is one node of a community: its exchange with the community bus is
   * free and limited only by its connection; prices, peak charge and events apply at the
   * community's grid connection instead.
   */
  readonly gridCosts?: boolean | undefined;
  /**
   * With `gridCosts: false`: where the home's exchange with the community bus goes. Each step
   * receives terms whose sum, plus the constant, is the home's net draw with the opposite sign
   * (supply terms positive), ready for the community's balance row. A home without connection
   * limits then needs no import/export variables or balance row of its own.
   */
  readonly netInto?: NetRows | undefined;
  /** Lets forecast steps (all but the first) shed load at this price rather than be infeasible. */
  readonly forecastSlackPerKwh?: number | undefined;
  /**
   * A tiny cost on import and curtailment that decreases over the window, so that among plans
   * of equal cost the one that imports and curtails as late as possible wins (Haessig's MPC tie
   * break): charge from surplus now, draw from the grid only when the forecast says it must.
   */
  readonly preferLater?: number | undefined;
}

/** Per step of a window: terms and constant of the homes' balance, summed into one row. */
export interface NetRows {
  readonly vars: number[][];
  readonly coefs: number[][];
  readonly constant: Float64Array;
}

export function netRows(steps: number): NetRows {
  return {
    vars: Array.from({ length: steps }, () => []),
    coefs: Array.from({ length: steps }, () => []),
    constant: new Float64Array(steps),
  };
}

/** The operating schedule: one value per step. */
export interface Schedule {
  readonly importKw: Float64Array;
  readonly exportKw: Float64Array;
  readonly curtailKw: Float64Array;
  readonly chargeKw: Float64Array;
  readonly dischargeKw: Float64Array;
  /** Battery state of charge at the end of each step, kWh. */
  readonly socKwh: Float64Array;
  readonly evChargeKw: Float64Array;
  readonly evDischargeKw: Float64Array;
  /** EV charge at the end of each step while at home (NaN when away), kWh. */
  readonly evSocKwh: Float64Array;
  /** Power of each flexible load, kW. */
  readonly flexKw: readonly Float64Array[];
  readonly unservedKw: Float64Array;
}

export function emptySchedule(steps: number, flexibleLoads = 0): Schedule {
  const a = () => new Float64Array(steps);
  return {
    importKw: a(),
    exportKw: a(),
    curtailKw: a(),
    chargeKw: a(),
    dischargeKw: a(),
    socKwh: a(),
    evChargeKw: a(),
    evDischargeKw: a(),
    evSocKwh: new Float64Array(steps).fill(Number.NaN),
    flexKw: Array.from({ length: flexibleLoads }, a),
    unservedKw: a(),
  };
}

export function initialState(problem: HouseholdProblem): HouseholdState {
  const first = problem.ev?.sessions.find((s) => s.arriveStep === 0);
  return {
    batteryKwh: problem.battery?.initialKwh ?? 0,
    evKwh: first?.arrivalKwh ?? 0,
    flexServedKwh: problem.flexibleLoads.map(() => 0),
    peakKw: 0,
  };
}

/** The state after steps [from, end) of `schedule` have been applied to `state`. */
export function stateAfter(
  problem: HouseholdProblem,
  state: HouseholdState,
  s: Schedule,
  from: number,
  end: number,
): HouseholdState {
  const last = end - 1;
  const evSoc = s.evSocKwh[last] as number;
  const next = problem.ev?.sessions.find((x) => x.arriveStep === end);
  let peak = state.peakKw;
  for (let t = from; t < end; t++) peak = Math.max(peak, s.importKw[t] as number);
  return {
    batteryKwh: problem.battery ? (s.socKwh[last] as number) : 0,
    evKwh: next ? next.arrivalKwh : Number.isNaN(evSoc) ? state.evKwh : evSoc,
    flexServedKwh: problem.flexibleLoads.map((f, j) => {
      let served = state.flexServedKwh[j] as number;
      for (let t = Math.max(from, f.startStep); t < Math.min(end, f.endStep); t++)
        served += ((s.flexKw[j] as Float64Array)[t] as number) * problem.dtHours;
      return served;
    }),
    peakKw: peak,
  };
}

/** Import cap and price adder at step `t` from the demand-response events. */
export function eventsAt(problem: HouseholdProblem, t: number): { capKw: number; adder: number } {
  let capKw = Number.POSITIVE_INFINITY;
  let adder = 0;
  for (const e of problem.events) {
    if (t < e.startStep || t >= e.endStep) continue;
    if (e.importCapKw !== undefined) capKw = Math.min(capKw, e.importCapKw);
    adder += e.priceAdderPerKwh ?? 0;
  }
  return { capKw, adder };
}

/** Variable indices of one window, by step offset (-1 where a variable does not exist). */
export interface HouseholdVariables {
  readonly from: number;
  readonly to: number;
  readonly imp: Int32Array;
  readonly exp: Int32Array;
  readonly cur: Int32Array;
  readonly ch: Int32Array;
  readonly dis: Int32Array;
  readonly soc: Int32Array;
  readonly evc: Int32Array;
  readonly evd: Int32Array;
  readonly evsoc: Int32Array;
  /** Per flexible load, per step. */
  readonly flex: Int32Array[];
  readonly shed: Int32Array;
}

function none(n: number): Int32Array {
  return new Int32Array(n).fill(-1);
}

/** Adds the household's window [from, to) to `lp`; returns its variables. */
export function addHousehold(
  lp: LinearProgram,
  problem: HouseholdProblem,
  from: number,
  to: number,
  state: HouseholdState,
  options: WindowOptions = {},
): HouseholdVariables {
  const n = to - from;
  const priced = options.gridCosts ?? true;
  const direct =
    options.netInto !== undefined &&
    !priced &&
    problem.importLimitKw === Number.POSITIVE_INFINITY &&
    problem.exportLimitKw === Number.POSITIVE_INFINITY &&
    problem.valueOfLostLoadPerKwh === undefined;
  const load = options.loadKw ?? problem.loadKw;
  const pv = options.pvKw ?? problem.pvKw;
  const at = (arr: Float64Array, k: number) =>
    (arr === problem.loadKw || arr === problem.pvKw ? arr[from + k] : arr[k]) as number;
  const vars: HouseholdVariables = {
    from,
    to,
    imp: none(n),
    exp: none(n),
    cur: none(n),
    ch: none(n),
    dis: none(n),
    soc: none(n),
    evc: none(n),
    evd: none(n),
    evsoc: none(n),
    flex: problem.flexibleLoads.map(() => none(n)),
    shed: none(n),
  };
  const peak =
    problem.peakChargePerKw > 0 && priced
      ? lp.addVariable({ lower: state.peakKw }, problem.peakChargePerKw)
      : -1;
  const window: WindowRows = { lp, problem, vars, state, options, n, priced, direct, peak };
  for (let k = 0; k < n; k++) {
    const step: StepRows = {
      k,
      t: from + k,
      loadKw: at(load, k),
      pvKw: Math.max(0, at(pv, k)),
      bal: [],
      coef: [],
    };
    addGridRows(window, step);
    if (problem.battery) addBatteryStep(window, step, problem.battery);
    if (problem.ev) addEvRows(window, step, problem.ev);
    addFlexibleRows(window, step);
    addBalance(window, step);
  }
  addWindowEnds(window, to);
  return vars;
}

/** What every step of one household's window writes into. */
interface WindowRows {
  readonly lp: LinearProgram;
  readonly problem: HouseholdProblem;
  readonly vars: HouseholdVariables;
  readonly state: HouseholdState;
  readonly options: WindowOptions;
  readonly n: number;
  /** The grid's prices enter the objective (not when the community is optimised together). */
  readonly priced: boolean;
  /** The home's balance goes straight into the community's (no connection limit). */
  readonly direct: boolean;
  /** The peak-import variable, or -1. */
  readonly peak: number;
}

/** One step of the window: its index, its load and PV, kW, and its balance row being built. */
interface StepRows {
  readonly k: number;
  readonly t: number;
  readonly loadKw: number;
  readonly pvKw: number;
  readonly bal: number[];
  readonly coef: number[];
}

function term(step: StepRows, v: number, c: number): void {
  step.bal.push(v);
  step.coef.push(c);
}

/** Import, export, curtailment and shed load at a step, and the peak's bound. */
function addGridRows(w: WindowRows, step: StepRows): void {
  const { lp, problem, vars, priced, options } = w;
  const { k, t } = step;
  const dt = problem.dtHours;
  const { capKw, adder } = priced
    ? eventsAt(problem, t)
    : { capKw: Number.POSITIVE_INFINITY, adder: 0 };
  const later = options.preferLater ? (options.preferLater * (w.n - k)) / w.n : 0;
  if (!w.direct) {
    vars.imp[k] = lp.addVariable(
      { upper: Math.min(problem.importLimitKw, capKw) },
      priced ? ((problem.importPrice[t] as number) + adder + later) * dt : 0,
    );
    term(step, vars.imp[k] as number, 1);
  }
  if (w.peak >= 0)
    lp.addConstraint({ vars: [w.peak, vars.imp[k] as number], coefs: [1, -1] }, { lower: 0 });
  if (!w.direct && problem.exportLimitKw > 0) {
    vars.exp[k] = lp.addVariable(
      { upper: problem.exportLimitKw },
      priced ? -(problem.exportPrice[t] as number) * dt : 0,
    );
    term(step, vars.exp[k] as number, -1);
  }
  if (problem.curtailment && step.pvKw > 0) {
    vars.cur[k] = lp.addVariable({ upper: step.pvKw }, later * dt);
    term(step, vars.cur[k] as number, -1);
  }
  const slack = problem.valueOfLostLoadPerKwh ?? (k > 0 ? options.forecastSlackPerKwh : undefined);
  if (slack !== undefined && step.loadKw > 0) {
    vars.shed[k] = lp.addVariable({ upper: step.loadKw }, slack * dt);
    term(step, vars.shed[k] as number, 1);
  }
}

/** The battery at a step: charge, discharge, and its state of charge carried over. */
function addBatteryStep(w: WindowRows, step: StepRows, b: BatterySpec): void {
  const { vars } = w;
  const { k } = step;
  const v = addBatteryRows(
    w.lp,
    b,
    w.problem.dtHours,
    k > 0 ? { variable: vars.soc[k - 1] as number } : { kwh: w.state.batteryKwh },
  );
  vars.ch[k] = v.charge;
  vars.dis[k] = v.discharge;
  vars.soc[k] = v.soc;
  term(step, v.charge, -1);
  term(step, v.discharge, 1);
}

/** The EV at a step of a stay: charging (and vehicle-to-home), its charge, what it must leave with. */
function addEvRows(w: WindowRows, step: StepRows, ev: EvSpec): void {
  const { lp, vars } = w;
  const { k, t } = step;
  const dt = w.problem.dtHours;
  const session = sessionAt(ev, t);
  if (!session) return;
  vars.evc[k] = lp.addVariable({ upper: ev.chargerKw });
  vars.evsoc[k] = lp.addVariable({ upper: ev.capacityKwh });
  term(step, vars.evc[k] as number, -1);
  const sv = [vars.evsoc[k] as number, vars.evc[k] as number];
  const sc = [1, -ev.efficiency * dt];
  if (ev.vehicleToHome) {
    vars.evd[k] = lp.addVariable({ upper: ev.chargerKw });
    term(step, vars.evd[k] as number, 1);
    sv.push(vars.evd[k] as number);
    sc.push(dt / ev.efficiency);
  }
  const continues = k > 0 && t > session.arriveStep;
  if (continues) {
    sv.push(vars.evsoc[k - 1] as number);
    sc.push(-1);
  }
  const start = t === session.arriveStep ? session.arrivalKwh : w.state.evKwh;
  lp.addEquality({ vars: sv, coefs: sc }, continues ? 0 : start);
  // By departure the EV holds what it needs; a window ending earlier keeps that reachable.
  const left = session.departStep - 1 - t;
  if (left === 0 || k === w.n - 1) {
    const reachable = left * dt * ev.chargerKw * ev.efficiency;
    const need = session.requiredKwh - reachable;
    if (need > 0)
      lp.addConstraint({ vars: [vars.evsoc[k] as number], coefs: [1] }, { lower: need });
  }
}

/** Each flexible load's power at a step inside its window. */
function addFlexibleRows(w: WindowRows, step: StepRows): void {
  w.problem.flexibleLoads.forEach((f, j) => {
    if (step.t < f.startStep || step.t >= f.endStep) return;
    const v = w.lp.addVariable({ upper: f.maxKw });
    (w.vars.flex[j] as Int32Array)[step.k] = v;
    term(step, v, -1);
  });
}

/** The step's balance: into the community's when netted directly, else its own row. */
function addBalance(w: WindowRows, step: StepRows): void {
  const { lp, vars } = w;
  const { k, bal, coef, loadKw, pvKw } = step;
  const net = w.options.netInto;
  if (w.direct && net) {
    // No connection limit: the home's balance goes straight into the community's.
    for (let q = 0; q < bal.length; q++) {
      (net.vars[k] as number[]).push(bal[q] as number);
      (net.coefs[k] as number[]).push(coef[q] as number);
    }
    net.constant[k] = (net.constant[k] as number) + loadKw - pvKw;
    return;
  }
  lp.addEquality({ vars: bal, coefs: coef }, loadKw - pvKw);
  if (net) {
    (net.vars[k] as number[]).push(vars.imp[k] as number);
    (net.coefs[k] as number[]).push(-1);
    if ((vars.exp[k] as number) >= 0) {
      (net.vars[k] as number[]).push(vars.exp[k] as number);
      (net.coefs[k] as number[]).push(1);
    }
  }
}

/** Over the window: each flexible load's energy, the battery's end state and its value. */
function addWindowEnds(w: WindowRows, to: number): void {
  const { lp, problem, vars, state, n } = w;
  const dt = problem.dtHours;
  problem.flexibleLoads.forEach((f, j) => {
    const idx = vars.flex[j] as Int32Array;
    const used: number[] = [];
    for (let k = 0; k < n; k++) if ((idx[k] as number) >= 0) used.push(idx[k] as number);
    if (used.length === 0) return;
    const remaining = f.energyKwh - (state.flexServedKwh[j] ?? 0);
    const after = Math.max(0, f.endStep - to) * dt * f.maxKw;
    lp.addConstraint(
      { vars: used, coefs: used.map(() => dt) },
      { lower: Math.max(0, remaining - after), upper: Math.max(0, remaining) },
    );
  });
  const b = problem.battery;
  if (b && n > 0) {
    const last = vars.soc[n - 1] as number;
    if (to === problem.loadKw.length && b.finalMinKwh !== undefined)
      lp.addConstraint({ vars: [last], coefs: [1] }, { lower: b.finalMinKwh });
    if (w.options.terminalValuePerKwh) lp.addCost(last, -w.options.terminalValuePerKwh);
  }
}

/** Copies the window's solution into `schedule` (steps from..to), netting lossless cycling. */
export function readHousehold(
  values: Float64Array,
  vars: HouseholdVariables,
  problem: HouseholdProblem,
  schedule: Schedule,
  steps = vars.to - vars.from,
): void {
  const get = (idx: Int32Array, k: number) => {
    const v = idx[k] as number;
    return v < 0 ? 0 : Math.max(0, values[v] as number);
  };
  const b = problem.battery;
  const lossless = b !== undefined && b.chargeEfficiency === 1 && b.dischargeEfficiency === 1;
  for (let k = 0; k < steps; k++) {
    const t = vars.from + k;
    let ch = get(vars.ch, k);
    let dis = get(vars.dis, k);
    if (lossless && ch > 0 && dis > 0) {
      const m = Math.min(ch, dis);
      ch -= m;
      dis -= m;
    }
    schedule.importKw[t] = get(vars.imp, k);
    schedule.exportKw[t] = get(vars.exp, k);
    schedule.curtailKw[t] = get(vars.cur, k);
    schedule.chargeKw[t] = ch;
    schedule.dischargeKw[t] = dis;
    schedule.socKwh[t] =
      (vars.soc[k] as number) < 0 ? 0 : (values[vars.soc[k] as number] as number);
    schedule.evChargeKw[t] = get(vars.evc, k);
    schedule.evDischargeKw[t] = get(vars.evd, k);
    if ((vars.evsoc[k] as number) >= 0)
      schedule.evSocKwh[t] = values[vars.evsoc[k] as number] as number;
    vars.flex.forEach((idx, j) => {
      (schedule.flexKw[j] as Float64Array)[t] = get(idx, k);
    });
    schedule.unservedKw[t] = get(vars.shed, k);
  }
}

/**
 * Checks what the solver would only call "infeasible", so the user learns which part of the
 * input cannot be met and by how much.
 */
export function checkHousehold(problem: HouseholdProblem): void {
  const dt = problem.dtHours;
  const T = problem.loadKw.length;
  const b = problem.battery;
  if (b) {
    const floor = socFloor(b);
    if (floor > b.socMaxKwh + 1e-9)
      throw infeasible(
        b.socMinKwh > b.socMaxKwh
          ? `battery.soc_min_kwh ${b.socMinKwh} is above battery.soc_max_kwh ${b.socMaxKwh}: no state of charge is allowed`
          : `battery.reserve_kwh ${b.reserveKwh} is above battery.soc_max_kwh ${b.socMaxKwh}: no state of charge keeps the reserve`,
      );
    if (b.initialKwh < floor - 1e-9 || b.initialKwh > b.socMaxKwh + 1e-9)
      throw infeasible(
        `battery.initial_kwh ${b.initialKwh} is outside the allowed state of charge [${floor}, ${b.socMaxKwh}] kWh (minimum or outage reserve, maximum)`,
      );
    if (b.finalMinKwh !== undefined) {
      const gain = b.maxChargeKw * b.chargeEfficiency * dt * T;
      if (b.finalMinKwh > b.socMaxKwh + 1e-9 || b.initialKwh + gain < b.finalMinKwh - 1e-9)
        throw infeasible(
          `battery.final_kwh ${b.finalMinKwh} cannot be reached from ${b.initialKwh} kWh (maximum ${b.socMaxKwh} kWh, charging at most ${b.maxChargeKw} kW)`,
        );
    }
  }
  const ev = problem.ev;
  if (ev) {
    for (const [i, s] of ev.sessions.entries()) {
      const hours = (s.departStep - s.arriveStep) * dt;
      const most = Math.min(ev.capacityKwh, s.arrivalKwh + hours * ev.chargerKw * ev.efficiency);
      if (most < s.requiredKwh - 1e-9)
        throw infeasible(
          `${s.source ?? `ev.sessions[${i}]`}: the EV cannot be charged in time: it arrives at ${problem.labels[s.arriveStep]} with ${s.arrivalKwh} kWh and must leave at ${problem.labels[s.departStep] ?? "the end of the period"} with ${s.requiredKwh} kWh, but ${hours} h at ${ev.chargerKw} kW (efficiency ${ev.efficiency}) reach at most ${round(most)} kWh`,
        );
    }
  }
  problem.flexibleLoads.forEach((f, j) => {
    const hours = (Math.min(f.endStep, T) - f.startStep) * dt;
    if (f.maxKw * hours < f.energyKwh - 1e-9)
      throw infeasible(
        `flexible_loads[${j}] (${f.name}): ${f.energyKwh} kWh cannot be served in ${hours} h at most ${f.maxKw} kW (at most ${round(f.maxKw * hours)} kWh)`,
      );
  });
  if (problem.valueOfLostLoadPerKwh !== undefined) return;
  // The battery as a reservoir, charged whenever there is room and drawn only when the grid
  // falls short: if even that runs dry, no schedule serves the load (power or energy).
  let soc = b ? b.initialKwh : 0;
  const floor = b ? socFloor(b) : 0;
  for (let t = 0; t < T; t++) {
    const { capKw } = eventsAt(problem, t);
    const grid = Math.min(problem.importLimitKw, capKw);
    const battery = b ? b.maxDischargeKw : 0;
    const evKw = ev?.vehicleToHome ? ev.chargerKw : 0;
    const need = (problem.loadKw[t] as number) - Math.max(0, problem.pvKw[t] as number);
    const shortfall = need - grid;
    const advice =
      "raise the import limit, relax the event, or set grid.value_of_lost_load to allow shedding";
    if (shortfall > battery + evKw + 1e-9)
      throw infeasible(
        `step ${t} (${problem.labels[t]}): load exceeds supply: ${round(need)} kW net of PV, but the grid gives at most ${grid} kW${battery > 0 ? ` and the battery ${battery} kW` : ""}; ${advice}`,
      );
    if (!b || evKw > 0) continue;
    if (shortfall > 0) {
      soc -= (shortfall * dt) / b.dischargeEfficiency;
      if (soc < floor - 1e-9)
        throw infeasible(
          `step ${t} (${problem.labels[t]}): load exceeds supply: ${round(need)} kW net of PV, but the grid gives at most ${grid} kW and by then the battery is down to its minimum of ${round(floor)} kWh even if it had charged at every chance; ${advice}`,
        );
    } else {
      const room = Math.min(-shortfall, b.maxChargeKw) * dt * b.chargeEfficiency;
      soc = Math.min(b.socMaxKwh, soc + room);
    }
  }
}

function round(x: number): number {
  return roundTo(x, 3);
}

function infeasible(message: string): InputError {
  return new InputError("E_INFEASIBLE", message);
}
