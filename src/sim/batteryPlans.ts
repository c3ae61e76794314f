/**
 * Home batteries run by a plan instead of the self-consumption rule: each home's own
 * model-predictive control inside the run (`mpcController`), or, as a yardstick, the schedules of
 * the joint community optimum (src/optimize): every home's battery scheduled together for the
 * lowest cost at the community's grid connection, day by day with a receding two-day window.
 * Each window sees its two days perfectly, so the result is the best the batteries could do with a perfect day-ahead forecast:
 * an upper bound on what forecast-driven scheduling reaches, and a fair yardstick for the rule.
 *
 * The community battery is left to the simulation's own rule (it acts after the market), so it
 * is not part of these plans; EV charging stays as the simulation charges it (greedy).
 */
import type { Agent } from "../agents/strategies.js";
import type { LpSolver } from "../core/lp.js";
import { formatInstant } from "../core/time.js";
import { fromMicro } from "../core/units.js";
import { meanProfile } from "../forecast/naive.js";
import { type CommunityProblem, optimizeCommunity } from "../optimize/community.js";
import type { HouseholdProblem } from "../optimize/household.js";
import { MpcController, type PricePath } from "../optimize/policies.js";
import { deviceDemand } from "./physics.js";
import { type BatteryController, daySlots } from "./run.js";
import type { SimulationInput } from "./types.js";

/** The simulation's community as an optimisation problem (kW, currency per kWh). */
export function communityProblemOf(input: SimulationInput): CommunityProblem {
  const n = input.count;
  const dt = input.stepMinutes / 60;
  const stepMs = input.stepMinutes * 60_000;
  const labels = Array.from({ length: n }, (_, t) => formatInstant(input.startMs + t * stepMs));
  const importPrice = input.importPriceMicro.map((p) => fromMicro(p));
  const exportPrice = new Float64Array(n).fill(fromMicro(input.exportPriceMicro));
  const homes: HouseholdProblem[] = input.members.map((m) => {
    const { evCharge: ev, flexible } = deviceDemand(m, n, dt);
    const loadKw = new Float64Array(n);
    const pvKw = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      loadKw[t] = ((m.loadKwh[t] as number) + (ev[t] as number) + (flexible?.[t] ?? 0)) / dt;
      pvKw[t] = ((m.pvKwh?.[t] ?? 0) + (m.windKwh?.[t] ?? 0)) / dt;
    }
    return {
      dtHours: dt,
      labels,
      loadKw,
      pvKw,
      importPrice,
      exportPrice,
      importLimitKw: Number.POSITIVE_INFINITY,
      exportLimitKw: Number.POSITIVE_INFINITY,
      peakChargePerKw: 0,
      curtailment: true,
      battery: m.battery ?? undefined,
      flexibleLoads: [],
      events: [],
    };
  });
  return {
    dtHours: dt,
    labels,
    homes,
    importPrice,
    exportPrice,
    importLimitKw: Number.POSITIVE_INFINITY,
    exportLimitKw: Number.POSITIVE_INFINITY,
    peakChargePerKw: 0,
    events: [],
  };
}

/**
 * The `perfect` policy's plans, per member: kWh into the battery each interval (negative: out),
 * or null without a battery.
 */
export async function perfectBatteryPlans(
  input: SimulationInput,
  solver: LpSolver,
): Promise<(Float64Array | null)[]> {
  const problem = communityProblemOf(input);
  const day = Math.round((24 * 60) / input.stepMinutes);
  const result = await optimizeCommunity(problem, solver, {
    windowSteps: 2 * day,
    commitSteps: day,
  });
  const dt = input.stepMinutes / 60;
  return input.members.map((m, i) => {
    if (!m.battery) return null;
    const s = result.homes[i];
    if (!s) return null;
    const plan = new Float64Array(input.count);
    for (let t = 0; t < input.count; t++)
      plan[t] = ((s.chargeKw[t] as number) - (s.dischargeKw[t] as number)) * dt;
    return plan;
  });
}

/**
 * Every home with a battery schedules it itself, by model-predictive control on what it can know
 * (src/optimize/policies.ts): each interval, a 24-hour plan on the mean of its own load and
 * generation at the same time of day over the last 14 days, the first step applied.
 * Decentralised and non-anticipative. A home whose agent forecasts the local market (the
 * `forecast` strategy) plans against what its agent expects a bought or sold kWh to be worth
 * there, from the past week's clearing prices and how often one more kWh would have matched;
 * every other home plans against the tariff.
 */
export function mpcController(input: SimulationInput, solver: LpSolver): BatteryController {
  const problem = communityProblemOf(input);
  const dt = input.stepMinutes / 60;
  const slots = daySlots(input);
  const day = slots.perDay;
  const controllers = new Map<number, MpcController>();
  /** Home i's controller, made on its first decision with the agent whose values it plans on. */
  const controllerOf = (i: number, agent: Agent): MpcController => {
    const existing = controllers.get(i);
    if (existing) return existing;
    const home = problem.homes[i] as HouseholdProblem;
    const load = meanProfile(home.loadKw, day, 14);
    const pv = meanProfile(home.pvKw, day, 14);
    const value = agent.localValue?.bind(agent);
    const prices = value
      ? (t: number, horizon: number) => localPrices(value, input, slots.at, t, horizon)
      : undefined;
    const c = new MpcController(home, solver, {
      horizonSteps: day,
      forecaster: {
        name: "mean of the last 14 days",
        forecast: (t, horizon) => ({
          loadKw: load.forecast(t, horizon),
          pvKw: pv.forecast(t, horizon),
        }),
      },
      prices,
    });
    controllers.set(i, c);
    return c;
  };
  return {
    steers: (i) => input.members[i]?.battery != null,
    async decide(i, t, agent) {
      const c = controllerOf(i, agent);
      await c.step(t);
      return ((c.schedule.chargeKw[t] as number) - (c.schedule.dischargeKw[t] as number)) * dt;
    },
  };
}

/** An agent's expected cost of a bought kWh and value of a sold one, currency per kWh. */
function localPrices(
  value: NonNullable<Agent["localValue"]>,
  input: SimulationInput,
  slotAt: (t: number) => number,
  t: number,
  horizon: number,
): PricePath {
  const importPrice = new Float64Array(horizon);
  const exportPrice = new Float64Array(horizon);
  for (let k = 0; k < horizon; k++) {
    const v = value(
      slotAt(t + k),
      input.importPriceMicro[t + k] as number,
      input.exportPriceMicro,
      input.networkFeeMicro,
    );
    importPrice[k] = fromMicro(v.buyMicro);
    exportPrice[k] = fromMicro(v.sellMicro);
  }
  return { importPrice, exportPrice };
}
