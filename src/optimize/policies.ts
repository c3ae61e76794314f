/**
 * The three ways to operate a household: the self-consumption rule, the perfect-foresight
 * optimum (a lower bound on cost), and model-predictive control on a rolling horizon.
 */
import { InputError, InvariantError } from "../core/errors.js";
import { LinearProgram, type LpSolution, type LpSolver } from "../core/lp.js";
import { BatteryState } from "../home/battery.js";
import { chargeGreedily } from "../home/ev.js";
import { serveAsSoonAsPossible } from "../home/flexibleLoad.js";
import { followRule } from "../home/rule.js";
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
  stateAfter,
} from "./household.js";

export type PolicyName = "rule" | "perfect" | "mpc";

/**
 * Self-consumption (src/home/rule.ts, as the simulator runs it): EV and flexible loads run as
 * soon as they can at full power; the battery charges from surplus and discharges to cover the
 * deficit; the grid takes or gives the rest (import up to its limit, export when allowed and
 * paid, curtailment otherwise). It ignores prices and demand-response events.
 */
export function runRule(problem: HouseholdProblem): Schedule {
  checkHousehold(problem);
  const T = problem.loadKw.length;
  const dt = problem.dtHours;
  const s = emptySchedule(T, problem.flexibleLoads.length);
  const flex = serveAsSoonAsPossible(problem.flexibleLoads, T, dt);
  flex.forEach((kw, j) => {
    (s.flexKw[j] as Float64Array).set(kw);
  });
  const ev = problem.ev ? chargeGreedily(problem.ev, T, dt) : null;
  const battery = problem.battery ? new BatteryState(problem.battery, dt) : null;
  for (let t = 0; t < T; t++) {
    let net = (problem.loadKw[t] as number) - Math.max(0, problem.pvKw[t] as number);
    for (const kw of flex) net += kw[t] as number;
    if (ev) {
      s.evChargeKw[t] = (ev.chargeKwh[t] as number) / dt;
      s.evSocKwh[t] = ev.socKwh[t] as number;
      net += s.evChargeKw[t] as number;
    }
    if (battery) {
      const kw = followRule(battery, net * dt) / dt;
      if (kw > 0) s.chargeKw[t] = kw;
      else if (kw < 0) s.dischargeKw[t] = -kw;
      net += kw;
      s.socKwh[t] = battery.soc;
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
   * Prices the plan is made against over `horizon` steps from `t` (currency per kWh; index 0 is
   * `t`), e.g. an agent's expected cost of a bought kWh and value of a sold one on a local
   * market; by default the problem's tariff.
   */
  readonly prices?: ((t: number, horizon: number) => PricePath) | undefined;
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

export interface PricePath {
  readonly importPrice: ArrayLike<number>;
  readonly exportPrice: ArrayLike<number>;
}

/**
 * Rolling-horizon control, one step at a time: at step `t`, plan the next `horizonSteps` with
 * the measured load and PV of the current step and forecasts after it, apply the first step.
 * Steps must be taken in order; the schedule fills as they are.
 */
export class MpcController {
  readonly schedule: Schedule;
  private state: HouseholdState;
  private next = 0;
  private readonly slack: number;
  /** The problem the windows are built on: the tariff, or a copy whose prices `prices` rewrites. */
  private readonly priced: HouseholdProblem;

  constructor(
    private readonly problem: HouseholdProblem,
    private readonly solver: LpSolver,
    private readonly options: MpcOptions,
  ) {
    checkHousehold(problem);
    this.schedule = emptySchedule(problem.loadKw.length, problem.flexibleLoads.length);
    this.state = initialState(problem);
    // (A loop: spreading a year of minutes into Math.max overflows the call stack.)
    let top = 1;
    for (const p of problem.importPrice) if (p > top) top = p;
    this.slack = 100 * top;
    this.priced = options.prices
      ? {
          ...problem,
          importPrice: Float64Array.from(problem.importPrice),
          exportPrice: Float64Array.from(problem.exportPrice),
        }
      : problem;
  }

  async step(t: number): Promise<void> {
    if (t !== this.next) throw new InvariantError(`MPC step ${t} taken out of order`);
    const problem = this.problem;
    const priced = this.priced;
    const T = problem.loadKw.length;
    const to = Math.min(T, t + this.options.horizonSteps);
    const f = this.options.forecaster.forecast(t, to - t);
    const loadKw = Float64Array.from(f.loadKw);
    const pvKw = Float64Array.from(f.pvKw);
    loadKw[0] = problem.loadKw[t] as number; // the present is measured, not forecast
    pvKw[0] = problem.pvKw[t] as number;
    if (this.options.prices) {
      const p = this.options.prices(t, to - t);
      for (let k = t; k < to; k++) {
        priced.importPrice[k] = p.importPrice[k - t] as number;
        priced.exportPrice[k] = p.exportPrice[k - t] as number;
      }
    }
    let terminal = this.options.terminalValuePerKwh;
    if (terminal === undefined && to < T) {
      let sum = 0;
      for (let k = t; k < to; k++)
        sum += (priced.importPrice[k] as number) + eventsAt(problem, k).adder;
      terminal = sum / (to - t);
    }
    const lp = new LinearProgram();
    const vars = addHousehold(lp, priced, t, to, this.state, {
      loadKw,
      pvKw,
      terminalValuePerKwh: to < T ? terminal : undefined,
      forecastSlackPerKwh: this.slack,
      preferLater: this.options.preferLater ?? 1e-4,
    });
    const solution = await this.solver.solve(lp);
    requireOptimal(solution, `model-predictive control at step ${t} (${problem.labels[t]})`);
    readHousehold(solution.values, vars, problem, this.schedule, 1);
    this.state = stateAfter(problem, this.state, this.schedule, t, t + 1);
    this.next = t + 1;
    this.options.onStep?.(t);
  }
}

/** Rolling-horizon control over the whole period (see `MpcController`). */
export async function runMpc(
  problem: HouseholdProblem,
  solver: LpSolver,
  options: MpcOptions,
): Promise<Schedule> {
  const c = new MpcController(problem, solver, options);
  for (let t = 0; t < problem.loadKw.length; t++) await c.step(t);
  return c.schedule;
}
