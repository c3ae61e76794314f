/**
 * Optimising one household over a period: load its data and config, run a policy (the
 * self-consumption rule, the perfect-foresight optimum, or MPC on a forecast), and, when the
 * config has demand-response events, run it again without them to price the response.
 */

import { InputError } from "../core/errors.js";
import { type LoadedHousehold, loadHouseholdFiles } from "../formats/householdConfig.js";
import type { HouseholdProblem, Schedule } from "../optimize/household.js";
import {
  FORECASTS,
  type ForecastName,
  householdForecaster,
} from "../optimize/householdForecaster.js";
import { type PolicyName, runMpc, runPerfect, runRule } from "../optimize/policies.js";
import { round } from "../optimize/records.js";
import { type ScheduleSummary, summarize } from "../optimize/summary.js";
import { HighsSolver } from "../runtime/highsSolver.js";

export const POLICIES: readonly PolicyName[] = ["rule", "perfect", "mpc"];
export { FORECASTS, type ForecastName };

export interface OptimizeHouseholdOptions {
  /** The metered series (timestamp, load and optionally PV). */
  readonly dataPath: string;
  /** The household config (docs/optimisation.md). */
  readonly configPath: string;
  readonly policy: PolicyName;
  /** MPC horizon, hours (default: the config's mpc.horizon_hours, else 24). */
  readonly horizonHours?: number;
  /** MPC forecast (default: the config's mpc.forecast, else fixed-profile). */
  readonly forecast?: string;
  /** Called after each MPC step `t` of `steps`. */
  readonly onStep?: (t: number, steps: number) => void;
}

export interface PolicyRun {
  readonly schedule: Schedule;
  readonly summary: ScheduleSummary;
  readonly seconds: number;
}

/** One demand-response event: its window's peak import with and without the event, kW. */
export interface EventOutcome {
  readonly name: string;
  readonly startLabel: string;
  readonly endLabel: string;
  readonly importCapKw: number | undefined;
  readonly priceAdderPerKwh: number | undefined;
  readonly peakWithoutKw: number;
  readonly peakKw: number;
}

export interface HouseholdOutcome {
  readonly household: LoadedHousehold;
  readonly policy: PolicyName;
  readonly horizonHours: number;
  readonly forecast: ForecastName;
  /** The forecaster's description, for MPC. */
  readonly forecastLabel: string;
  readonly run: PolicyRun;
  /** The same policy without the events (when there are events). */
  readonly baseline: PolicyRun | undefined;
  readonly events: readonly EventOutcome[];
  readonly solves: number;
}

export interface HouseholdRunOptions {
  readonly policy: PolicyName;
  readonly horizonHours: number;
  readonly forecast: ForecastName;
  readonly onStep?: ((t: number) => void) | undefined;
}

/** Runs one policy on a loaded household. */
export async function runHouseholdPolicy(
  h: LoadedHousehold,
  problem: HouseholdProblem,
  solver: HighsSolver,
  options: HouseholdRunOptions,
): Promise<PolicyRun> {
  const t0 = performance.now();
  let schedule: Schedule;
  if (options.policy === "rule") schedule = runRule(problem);
  else if (options.policy === "perfect") schedule = await runPerfect(problem, solver);
  else {
    const steps = Math.max(1, Math.round(options.horizonHours / problem.dtHours));
    const terminal = h.config.mpc?.terminal_value_per_kwh;
    schedule = await runMpc(problem, solver, {
      horizonSteps: steps,
      forecaster: householdForecaster(h, options.forecast),
      terminalValuePerKwh: terminal ?? undefined,
      onStep: options.onStep,
    });
  }
  return {
    schedule,
    summary: summarize(problem, schedule),
    seconds: (performance.now() - t0) / 1000,
  };
}

function peakIn(s: Schedule, from: number, to: number): number {
  let p = 0;
  for (let t = from; t < to; t++) p = Math.max(p, s.importKw[t] as number);
  return p;
}

/** Loads the household and runs the policy (twice with demand-response events). */
export async function optimizeHousehold(
  options: OptimizeHouseholdOptions,
): Promise<HouseholdOutcome> {
  const h = await loadHouseholdFiles(options.dataPath, options.configPath);
  const horizonHours = options.horizonHours ?? h.config.mpc?.horizon_hours ?? 24;
  const name = options.forecast ?? h.config.mpc?.forecast ?? "fixed-profile";
  if (!(FORECASTS as readonly string[]).includes(name))
    throw new InputError(
      "E_USAGE",
      `forecast: expected one of ${FORECASTS.join(", ")}, received ${JSON.stringify(name)}`,
      { details: { field: "forecast" } },
    );
  const forecast = name as ForecastName;
  const problem = h.problem;
  const solver = new HighsSolver();
  try {
    const run = await runHouseholdPolicy(h, problem, solver, {
      policy: options.policy,
      horizonHours,
      forecast,
      onStep: (t) => options.onStep?.(t, problem.loadKw.length),
    });
    const baseline =
      problem.events.length > 0
        ? await runHouseholdPolicy(h, { ...problem, events: [] }, solver, {
            policy: options.policy,
            horizonHours,
            forecast,
          })
        : undefined;
    const events = baseline
      ? problem.events.map((e) => ({
          name: e.name,
          startLabel: problem.labels[e.startStep] as string,
          endLabel: problem.labels[e.endStep] ?? "end of period",
          importCapKw: e.importCapKw,
          priceAdderPerKwh: e.priceAdderPerKwh,
          peakWithoutKw: peakIn(baseline.schedule, e.startStep, e.endStep),
          peakKw: peakIn(run.schedule, e.startStep, e.endStep),
        }))
      : [];
    return {
      household: h,
      policy: options.policy,
      horizonHours,
      forecast,
      forecastLabel: householdForecaster(h, forecast).name,
      run,
      baseline,
      events,
      solves: solver.stats.solves,
    };
  } finally {
    await solver.close();
  }
}

/** The summary as `--json` and summary.json carry it. */
export function householdRecord(o: HouseholdOutcome) {
  const s = o.run.summary;
  const problem = o.household.problem;
  return {
    policy: o.policy,
    days: s.days,
    cost_per_day: round(s.costPerDay, 6),
    grid_kwh_per_day: round(s.gridKwhPerDay, 6),
    curtailed_kwh_per_day: round(s.curtailedKwhPerDay, 6),
    currency: o.household.config.currency ?? null,
    cost: round(s.cost, 6),
    export_kwh_per_day: round(s.exportKwhPerDay, 6),
    peak_import_kw: round(s.peakImportKw, 6),
    unserved_kwh: round(s.unservedKwh, 6),
    battery_throughput_kwh: round(s.throughputKwh, 6),
    final_soc_kwh: problem.battery ? round(s.finalSocKwh, 6) : null,
    ...(o.policy === "mpc" ? { horizon_hours: o.horizonHours, forecast: o.forecastLabel } : {}),
    demand_response: o.events.map((e) => ({
      name: e.name,
      start: e.startLabel,
      end: e.endLabel,
      import_cap_kw: e.importCapKw ?? null,
      price_per_kwh: e.priceAdderPerKwh ?? null,
      peak_without_event_kw: round(e.peakWithoutKw, 3),
      peak_kw: round(e.peakKw, 3),
      peak_reduced_kw: round(e.peakWithoutKw - e.peakKw, 3),
    })),
    demand_response_cost: o.baseline ? round(s.cost - o.baseline.summary.cost, 6) : null,
    steps: problem.loadKw.length,
    step_minutes: problem.dtHours * 60,
    solves: o.solves,
    seconds: round(o.run.seconds, 3),
  };
}
