/**
 * The three ways to operate a household: the self-consumption rule, the perfect-foresight
 * optimum (a lower bound on cost), and model-predictive control on a rolling horizon.
 */
import { InputError, InvariantError } from "../core/errors.js";
import {
  addHousehold,
  checkHousehold,
  emptySchedule,
  eventsAt,
  type HouseholdProblem,
  type HouseholdState,
  initialState,
  readHousehold,
  type Schedule,
  socFloor,
  stateAfter,
} from "./household.js";
import { LinearProgram, type LpSolution, type LpSolver } from "./lp.js";

export type PolicyName = "rule" | "perfect" | "mpc";

/**
 * Self-consumption: EV and flexible loads run as soon as they can at full power; the battery
 * charges from surplus and discharges to cover the deficit; the grid takes or gives the rest
 * (import up to its limit, export when allowed and paid, curtailment otherwise). It ignores
 * prices and demand-response events.
 */
export function runRule(problem: HouseholdProblem): Schedule {
  checkHousehold(problem);
  const T = problem.loadKw.length;
  const dt = problem.dtHours;
  const s = emptySchedule(T, problem.flexibleLoads.length);
  const b = problem.battery;
  const ev = problem.ev;
  let soc = b?.initialKwh ?? 0;
  let evSoc = 0;
  const served = problem.flexibleLoads.map(() => 0);
  for (let t = 0; t < T; t++) {
    let net = (problem.loadKw[t] as number) - Math.max(0, problem.pvKw[t] as number);
    problem.flexibleLoads.forEach((f, j) => {
      if (t < f.startStep || t >= f.endStep) return;
      const kw = Math.min(f.maxKw, (f.energyKwh - (served[j] as number)) / dt);
      if (kw <= 0) return;
      served[j] = (served[j] as number) + kw * dt;
      (s.flexKw[j] as Float64Array)[t] = kw;
      net += kw;
    });
    const session = ev?.sessions.find((x) => t >= x.arriveStep && t < x.departStep);
    if (ev && session) {
      if (t === session.arriveStep) evSoc = session.arrivalKwh;
      const kw = Math.max(
        0,
        Math.min(ev.chargerKw, (ev.capacityKwh - evSoc) / (ev.efficiency * dt)),
      );
      evSoc += kw * ev.efficiency * dt;
      s.evChargeKw[t] = kw;
      s.evSocKwh[t] = evSoc;
      net += kw;
    }
    if (b) {
      if (net > 0) {
        const kw = Math.min(
          net,
          b.maxDischargeKw,
          ((soc - socFloor(b)) * b.dischargeEfficiency) / dt,
        );
        if (kw > 0) {
          s.dischargeKw[t] = kw;
          soc -= (kw * dt) / b.dischargeEfficiency;
          net -= kw;
        }
      } else if (net < 0) {
        const kw = Math.min(-net, b.maxChargeKw, (b.socMaxKwh - soc) / (b.chargeEfficiency * dt));
        if (kw > 0) {
          s.chargeKw[t] = kw;
          soc += kw * b.chargeEfficiency * dt;
          net += kw;
        }
      }
      s.socKwh[t] = soc;
    }
    if (net > 0) {
      s.importKw[t] = Math.min(net, problem.importLimitKw);
      s.unservedKw[t] = net - (s.importKw[t] as number);
    } else if (net < 0) {
      const paid = (problem.exportPrice[t] as number) >= 0 || !problem.curtailment;
      s.exportKw[t] = paid ? Math.min(-net, problem.exportLimitKw) : 0;
      s.curtailKw[t] = -net - (s.exportKw[t] as number);
    }
  }
  return s;
}

function requireOptimal(solution: LpSolution, what: string): void {
  if (solution.status === "optimal") return;
  if (solution.status === "infeasible")
    throw new InputError(
      "E_INFEASIBLE",
      `${what}: no schedule meets every limit at once (the solver reports ${solution.solverStatus}); the checks of each input alone passed, so look at how the limits combine (import limit and events against load, battery and EV)`,
    );
  throw new InvariantError(`${what}: the solver stopped with status ${solution.solverStatus}`);
}

/** The optimum with the whole period known in advance. */
export async function runPerfect(problem: HouseholdProblem, solver: LpSolver): Promise<Schedule> {
  checkHousehold(problem);
  const T = problem.loadKw.length;
  const lp = new LinearProgram();
  const vars = addHousehold(lp, problem, 0, T, initialState(problem));
  const solution = await solver.solve(lp, { presolve: T > 500 });
  requireOptimal(solution, "perfect-foresight optimisation");
  const s = emptySchedule(T, problem.flexibleLoads.length);
  readHousehold(solution.values, vars, problem, s);
  return s;
}

/** Load and PV expected over the next `horizon` steps from period step `t` (index 0 is `t`). */
export interface Forecaster {
  readonly name: string;
  forecast(t: number, horizon: number): ForecastPath;
}

export interface ForecastPath {
  readonly loadKw: Float64Array;
  readonly pvKw: Float64Array;
}

export interface MpcOptions {
  /** Steps in each window. */
  readonly horizonSteps: number;
  readonly forecaster: Forecaster;
  /**
   * Value of energy left in the battery at the window's end, per kWh; by default the mean import
   * price over the window, so the plan does not empty the battery just because its horizon ends.
   */
  readonly terminalValuePerKwh?: number | undefined;
  /** Size of the tie-breaking cost that prefers later import and curtailment (0: none). */
  readonly preferLater?: number | undefined;
  /** Called after each step (progress). */
  readonly onStep?: ((t: number) => void) | undefined;
}

/**
 * Rolling-horizon control: at each step, plan the next `horizonSteps` with the measured load
 * and PV of the current step and forecasts after it, apply the first step, move on.
 */
export async function runMpc(
  problem: HouseholdProblem,
  solver: LpSolver,
  options: MpcOptions,
): Promise<Schedule> {
  checkHousehold(problem);
  const T = problem.loadKw.length;
  const s = emptySchedule(T, problem.flexibleLoads.length);
  let state: HouseholdState = initialState(problem);
  const slack = 100 * Math.max(...problem.importPrice, 1);
  for (let t = 0; t < T; t++) {
    const to = Math.min(T, t + options.horizonSteps);
    const f = options.forecaster.forecast(t, to - t);
    const loadKw = Float64Array.from(f.loadKw);
    const pvKw = Float64Array.from(f.pvKw);
    loadKw[0] = problem.loadKw[t] as number; // the present is measured, not forecast
    pvKw[0] = problem.pvKw[t] as number;
    let terminal = options.terminalValuePerKwh;
    if (terminal === undefined && to < T) {
      let sum = 0;
      for (let k = t; k < to; k++)
        sum += (problem.importPrice[k] as number) + eventsAt(problem, k).adder;
      terminal = sum / (to - t);
    }
    const lp = new LinearProgram();
    const vars = addHousehold(lp, problem, t, to, state, {
      loadKw,
      pvKw,
      terminalValuePerKwh: to < T ? terminal : undefined,
      forecastSlackPerKwh: slack,
      preferLater: options.preferLater ?? 1e-4,
    });
    const solution = await solver.solve(lp);
    requireOptimal(solution, `model-predictive control at step ${t} (${problem.labels[t]})`);
    readHousehold(solution.values, vars, problem, s, 1);
    state = stateAfter(problem, state, s, t, t + 1);
    options.onStep?.(t);
  }
  return s;
}
