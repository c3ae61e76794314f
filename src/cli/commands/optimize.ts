/** `gridshare optimize household`: operate one home's battery, EV and flexible loads. */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { MS_PER_MINUTE, parseInstant } from "../../core/time.js";
import { type LoadedHousehold, loadHouseholdFiles } from "../../data/householdConfig.js";
import { loadScenarioFile } from "../../data/scenario.js";
import { meanProfile, persistence, type SeriesForecaster } from "../../forecast/naive.js";
import { type CommunityProblem, communityBatteryBenefit } from "../../optimize/community.js";
import type { HouseholdProblem, Schedule } from "../../optimize/household.js";
import {
  type Forecaster,
  type PolicyName,
  runMpc,
  runPerfect,
  runRule,
} from "../../optimize/policies.js";
import { type ScheduleSummary, summarize } from "../../optimize/summary.js";
import { HighsSolver } from "../../runtime/highsSolver.js";
import { communityProblemOf, planBattery } from "../../sim/batteryPlans.js";
import type { CommandContext } from "../context.js";
import { positiveNumber } from "../flags.js";
import { toCsv, toJson, toTable } from "../output.js";

export const POLICIES: readonly PolicyName[] = ["rule", "perfect", "mpc"];
export const FORECASTS = ["persistence", "profile", "fixed-profile"] as const;
export type ForecastName = (typeof FORECASTS)[number];

export interface OptimizeFlags {
  data?: string;
  config?: string;
  policy?: string;
  horizon?: string;
  forecast?: string;
  out?: string;
  json?: boolean;
}

/** The forecasts MPC can plan with, all from data before the forecast origin. */
export function householdForecaster(h: LoadedHousehold, name: ForecastName): Forecaster {
  const { loadKw, pvKw, offset } = h.history;
  const days = h.config.mpc?.history_days ?? 30;
  const spd = h.stepsPerDay;
  const pick = (series: Float64Array): SeriesForecaster =>
    name === "persistence"
      ? persistence(series, spd)
      : meanProfile(series, spd, days, name === "fixed-profile" ? offset : undefined);
  const load = pick(loadKw);
  const pv = pick(pvKw);
  const label =
    name === "persistence"
      ? "persistence (same time yesterday)"
      : name === "profile"
        ? `mean daily profile of the last ${days} days (rolling)`
        : `mean daily profile of the ${days} days before the period (fixed)`;
  return {
    name: label,
    forecast: (t, horizon) => ({
      loadKw: load.forecast(offset + t, horizon),
      pvKw: pv.forecast(offset + t, horizon),
    }),
  };
}

function parsePolicy(text: string | undefined): PolicyName {
  if (text === undefined)
    throw new InputError("E_USAGE", `--policy: required, one of ${POLICIES.join(", ")}`);
  if (!(POLICIES as readonly string[]).includes(text))
    throw new InputError(
      "E_USAGE",
      `--policy: expected one of ${POLICIES.join(", ")}, received ${JSON.stringify(text)}`,
    );
  return text as PolicyName;
}

function parseHours(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(
      "E_USAGE",
      `--horizon: expected a number of hours above 0, received ${JSON.stringify(text)}`,
    );
  return n;
}

export interface PolicyRun {
  readonly schedule: Schedule;
  readonly summary: ScheduleSummary;
  readonly seconds: number;
}

export interface HouseholdRunOptions {
  readonly policy: PolicyName;
  readonly horizonHours: number;
  readonly forecast: ForecastName;
  readonly onStep?: (t: number) => void;
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

/** Peak import in each event's window, and the cost, with and without the events. */
function eventReport(problem: HouseholdProblem, withEvents: PolicyRun, without: PolicyRun) {
  return problem.events.map((e) => {
    const peak = (s: Schedule) => {
      let p = 0;
      for (let t = e.startStep; t < e.endStep; t++) p = Math.max(p, s.importKw[t] as number);
      return p;
    };
    const before = peak(without.schedule);
    const after = peak(withEvents.schedule);
    return {
      name: e.name,
      start: problem.labels[e.startStep],
      end: problem.labels[e.endStep] ?? "end of period",
      import_cap_kw: e.importCapKw ?? null,
      price_per_kwh: e.priceAdderPerKwh ?? null,
      peak_without_event_kw: round(before, 3),
      peak_kw: round(after, 3),
      peak_reduced_kw: round(before - after, 3),
    };
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const TRAJECTORY_COLUMNS = [
  "time",
  "load_kw",
  "pv_kw",
  "import_price",
  "import_kw",
  "export_kw",
  "curtail_kw",
  "charge_kw",
  "discharge_kw",
  "soc_kwh",
  "ev_charge_kw",
  "ev_discharge_kw",
  "ev_soc_kwh",
  "flexible_kw",
  "unserved_kw",
];

function trajectoryRows(problem: HouseholdProblem, s: Schedule) {
  const r = (x: number) => (Number.isNaN(x) ? null : round(x, 6));
  return problem.labels.map((time, t) => {
    let flex = 0;
    for (const f of s.flexKw) flex += f[t] as number;
    return {
      time,
      load_kw: r(problem.loadKw[t] as number),
      pv_kw: r(problem.pvKw[t] as number),
      import_price: problem.importPrice[t] as number,
      import_kw: r(s.importKw[t] as number),
      export_kw: r(s.exportKw[t] as number),
      curtail_kw: r(s.curtailKw[t] as number),
      charge_kw: r(s.chargeKw[t] as number),
      discharge_kw: r(s.dischargeKw[t] as number),
      soc_kwh: problem.battery ? r(s.socKwh[t] as number) : null,
      ev_charge_kw: r(s.evChargeKw[t] as number),
      ev_discharge_kw: r(s.evDischargeKw[t] as number),
      ev_soc_kwh: r(s.evSocKwh[t] as number),
      flexible_kw: r(flex),
      unserved_kw: r(s.unservedKw[t] as number),
    };
  });
}

export async function runOptimizeHousehold(ctx: CommandContext, flags: OptimizeFlags) {
  if (flags.data === undefined) throw new InputError("E_USAGE", "--data <csv>: required");
  if (flags.config === undefined) throw new InputError("E_USAGE", "--config <json>: required");
  const policy = parsePolicy(flags.policy);
  const h = await loadHouseholdFiles(flags.data, flags.config);
  const horizonHours = parseHours(flags.horizon, h.config.mpc?.horizon_hours ?? 24);
  const forecastName = flags.forecast ?? h.config.mpc?.forecast ?? "fixed-profile";
  if (!(FORECASTS as readonly string[]).includes(forecastName))
    throw new InputError(
      "E_USAGE",
      `--forecast: expected one of ${FORECASTS.join(", ")}, received ${JSON.stringify(forecastName)}`,
    );
  const forecast = forecastName as ForecastName;
  const problem = h.problem;
  const T = problem.loadKw.length;
  const solver = new HighsSolver();
  const bar =
    ctx.io.stderr.isTTY === true && policy === "mpc"
      ? new cliProgress.SingleBar(
          {
            format: "mpc [{bar}] {percentage}% | {value}/{total} steps | {eta_formatted} left",
            hideCursor: true,
            stream: ctx.io.stderr as NodeJS.WriteStream,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  try {
    bar?.start(T, 0);
    const every = Math.max(1, Math.floor(T / 200));
    const run = await runHouseholdPolicy(h, problem, solver, {
      policy,
      horizonHours,
      forecast,
      onStep: (t) => {
        if (t % every === 0 || t === T - 1) bar?.update(t + 1);
      },
    });
    bar?.stop();
    const baseline =
      problem.events.length > 0
        ? await runHouseholdPolicy(h, { ...problem, events: [] }, solver, {
            policy,
            horizonHours,
            forecast,
          })
        : undefined;
    const events = baseline ? eventReport(problem, run, baseline) : [];
    const s = run.summary;
    const doc = {
      policy,
      days: s.days,
      cost_per_day: round(s.costPerDay, 6),
      grid_kwh_per_day: round(s.gridKwhPerDay, 6),
      curtailed_kwh_per_day: round(s.curtailedKwhPerDay, 6),
      currency: h.config.currency ?? null,
      cost: round(s.cost, 6),
      export_kwh_per_day: round(s.exportKwhPerDay, 6),
      peak_import_kw: round(s.peakImportKw, 6),
      unserved_kwh: round(s.unservedKwh, 6),
      battery_throughput_kwh: round(s.throughputKwh, 6),
      final_soc_kwh: problem.battery ? round(s.finalSocKwh, 6) : null,
      ...(policy === "mpc"
        ? {
            horizon_hours: horizonHours,
            forecast: householdForecaster(h, forecast).name,
          }
        : {}),
      demand_response: events,
      demand_response_cost: baseline ? round(run.summary.cost - baseline.summary.cost, 6) : null,
      steps: T,
      step_minutes: problem.dtHours * 60,
      solves: solver.stats.solves,
      seconds: round(run.seconds, 3),
    };
    if (flags.out !== undefined) {
      const tmp = join(flags.out, ".optimize-partial");
      await mkdir(tmp, { recursive: true });
      await writeFile(
        join(tmp, "trajectory.csv"),
        toCsv(TRAJECTORY_COLUMNS, trajectoryRows(problem, run.schedule)),
      );
      await writeFile(join(tmp, "summary.json"), toJson(doc));
      for (const f of ["trajectory.csv", "summary.json"])
        await rename(join(tmp, f), join(flags.out, f));
      await rm(tmp, { recursive: true, force: true });
      ctx.io.stderr.write(`wrote ${flags.out}/: trajectory.csv, summary.json\n`);
    }
    if (flags.json) ctx.io.stdout.write(toJson(doc));
    else {
      const cur = h.config.currency ? ` (${h.config.currency})` : "";
      const rows: [string, string | number | null][] = [
        ["policy", policy === "mpc" ? `mpc, ${horizonHours} h, ${doc.forecast}` : policy],
        ["days", round(s.days, 3)],
        [`cost per day${cur}`, s.costPerDay.toFixed(4)],
        ["grid import kWh/day", s.gridKwhPerDay.toFixed(3)],
        ["curtailed kWh/day", s.curtailedKwhPerDay.toFixed(3)],
        ["export kWh/day", s.exportKwhPerDay.toFixed(3)],
        ["peak import kW", s.peakImportKw.toFixed(3)],
        ["unserved kWh", s.unservedKwh.toFixed(3)],
        ["final SoC kWh", problem.battery ? s.finalSocKwh.toFixed(3) : null],
        ["LP solves", solver.stats.solves],
        ["seconds", run.seconds.toFixed(2)],
      ];
      ctx.io.stdout.write(
        toTable(
          ["", "value"],
          rows.map(([k, v]) => ({ "": k, value: v })),
        ),
      );
      if (events.length > 0)
        ctx.io.stdout.write(
          `\n${toTable(
            ["event", "peak without kW", "peak kW", "reduced kW"],
            events.map((e) => ({
              event: e.name,
              "peak without kW": e.peak_without_event_kw,
              "peak kW": e.peak_kw,
              "reduced kW": e.peak_reduced_kw,
            })),
          )}cost of responding to the events${cur}: ${(doc.demand_response_cost ?? 0).toFixed(4)}\n`,
        );
    }
    return doc;
  } finally {
    bar?.stop();
    await solver.close();
  }
}

export interface CommunityFlags {
  days?: string;
  homes?: string;
  windowHours?: string;
  drStart?: string;
  drEnd?: string;
  drCap?: string;
  drPrice?: string;
  json?: boolean;
}

/** The demand-response event given on the command line, as steps of the simulation. */
function drEvent(flags: CommunityFlags, startMs: number, stepMinutes: number, steps: number) {
  const any = flags.drStart ?? flags.drEnd ?? flags.drCap ?? flags.drPrice;
  if (any === undefined) return [];
  const step = (text: string | undefined, flag: string) => {
    const ms = text === undefined ? undefined : parseInstant(text);
    if (ms === undefined)
      throw new InputError(
        "E_USAGE",
        `${flag}: expected an ISO 8601 time with offset, received ${JSON.stringify(text)}`,
      );
    const k = Math.round((ms - startMs) / (stepMinutes * MS_PER_MINUTE));
    if (k < 0 || k > steps)
      throw new InputError("E_USAGE", `${flag}: ${text} is outside the simulated period`);
    return k;
  };
  const startStep = step(flags.drStart, "--dr-start");
  const endStep = step(flags.drEnd, "--dr-end");
  if (endStep <= startStep) throw new InputError("E_USAGE", "--dr-end: must be after --dr-start");
  const cap = flags.drCap === undefined ? undefined : Number(flags.drCap);
  if (cap !== undefined && !(cap >= 0))
    throw new InputError(
      "E_USAGE",
      `--dr-cap: expected kW of 0 or more, received ${JSON.stringify(flags.drCap)}`,
    );
  const price = flags.drPrice === undefined ? undefined : Number(flags.drPrice);
  if (price !== undefined && !Number.isFinite(price))
    throw new InputError(
      "E_USAGE",
      `--dr-price: expected a price per kWh, received ${JSON.stringify(flags.drPrice)}`,
    );
  if (cap === undefined && price === undefined)
    throw new InputError(
      "E_USAGE",
      "a demand-response event needs --dr-cap <kW> or --dr-price <per kWh>",
    );
  return [{ name: "event", startStep, endStep, importCapKw: cap, priceAdderPerKwh: price }];
}

export async function runOptimizeCommunity(
  ctx: CommandContext,
  scenarioPath: string,
  flags: CommunityFlags,
) {
  const days = positiveNumber(flags.days, "--days");
  const homes = positiveNumber(flags.homes, "--homes");
  const loaded = await loadScenarioFile(scenarioPath, {
    ...(days === undefined ? {} : { days: Math.ceil(days) }),
    ...(homes === undefined ? {} : { homes: Math.round(homes) }),
    ledger: false,
  });
  const input = loaded.input;
  const base = communityProblemOf(input);
  const stepsPerHour = 60 / input.stepMinutes;
  const windowSteps = Math.round(
    (positiveNumber(flags.windowHours, "--window-hours") ?? 48) * stepsPerHour,
  );
  const commitSteps = Math.max(1, Math.round(windowSteps / 2));
  const events = drEvent(flags, input.startMs, input.stepMinutes, input.count);
  const cb = input.communityBattery;
  const problem: CommunityProblem = {
    ...base,
    events,
    communityBattery: cb ? planBattery(cb) : undefined,
  };
  const solver = new HighsSolver();
  const t0 = performance.now();
  try {
    const options = { windowSteps, commitSteps };
    const { withBattery, benefit } = await communityBatteryBenefit(problem, solver, options);
    let dr: Record<string, unknown> | null = null;
    if (events.length > 0) {
      const { withBattery: free } = await communityBatteryBenefit(
        { ...problem, events: [] },
        solver,
        options,
      );
      const e = events[0] as (typeof events)[number];
      const peak = (imp: Float64Array) => {
        let p = 0;
        for (let t = e.startStep; t < e.endStep; t++) p = Math.max(p, imp[t] as number);
        return p;
      };
      dr = {
        start: problem.labels[e.startStep],
        end: problem.labels[e.endStep] ?? "end of period",
        import_cap_kw: e.importCapKw ?? null,
        price_per_kwh: e.priceAdderPerKwh ?? null,
        peak_without_event_kw: round(peak(free.importKw), 3),
        peak_kw: round(peak(withBattery.importKw), 3),
        peak_reduced_kw: round(peak(free.importKw) - peak(withBattery.importKw), 3),
        cost_of_response: round(withBattery.cost - free.cost, 4),
      };
    }
    let imported = 0;
    let exported = 0;
    for (let t = 0; t < input.count; t++) {
      imported += (withBattery.importKw[t] as number) * base.dtHours;
      exported += (withBattery.exportKw[t] as number) * base.dtHours;
    }
    const doc = {
      scenario: input.name,
      homes: input.members.length,
      steps: input.count,
      window_hours: windowSteps / stepsPerHour,
      currency: input.currency,
      cost: round(withBattery.cost, 4),
      grid_import_kwh: round(imported, 3),
      grid_export_kwh: round(exported, 3),
      peak_import_kw: round(withBattery.peakImportKw, 3),
      community_battery: cb
        ? {
            cost_without: round(benefit.costWithout, 4),
            benefit: round(benefit.benefit, 4),
            members: input.members.map((m, i) => ({
              id: m.id,
              share_of_benefit: round(benefit.members[i] as number, 4),
            })),
          }
        : null,
      demand_response: dr,
      solves: solver.stats.solves,
      seconds: round((performance.now() - t0) / 1000, 3),
    };
    if (flags.json) ctx.io.stdout.write(toJson(doc));
    else {
      const rows: [string, string | number | null][] = [
        ["homes", doc.homes],
        ["steps", doc.steps],
        [`community cost (${input.currency})`, doc.cost.toFixed(2)],
        ["grid import kWh", doc.grid_import_kwh.toFixed(1)],
        ["grid export kWh", doc.grid_export_kwh.toFixed(1)],
        ["peak import kW", doc.peak_import_kw.toFixed(2)],
        [`community battery benefit (${input.currency})`, cb ? benefit.benefit.toFixed(2) : null],
        ["demand response: peak reduced kW", dr ? (dr.peak_reduced_kw as number) : null],
        [`demand response: cost (${input.currency})`, dr ? (dr.cost_of_response as number) : null],
        ["LP solves", doc.solves],
        ["seconds", doc.seconds],
      ];
      ctx.io.stdout.write(
        toTable(
          ["", "value"],
          rows.map(([k, v]) => ({ "": k, value: v })),
        ),
      );
    }
    return doc;
  } finally {
    await solver.close();
  }
}

export function registerOptimize(program: Command, ctx: CommandContext): void {
  const optimize = program
    .command("optimize")
    .description("schedule batteries, EVs and flexible loads against prices and limits (HiGHS)");
  optimize
    .command("household")
    .description("operate one home over a period with a policy: rule, perfect foresight or MPC")
    .requiredOption("--data <csv>", "time series with a timestamp, load and (optionally) PV column")
    .requiredOption("--config <json>", "household config (see docs/optimisation.md)")
    .requiredOption(
      "--policy <rule|perfect|mpc>",
      "self-consumption rule, perfect-foresight optimum, or MPC",
    )
    .option("--horizon <hours>", "MPC horizon in hours (default: config mpc.horizon_hours or 24)")
    .option(
      "--forecast <name>",
      `MPC forecast: ${FORECASTS.join(", ")} (default: config mpc.forecast or fixed-profile)`,
    )
    .option("--out <dir>", "write trajectory.csv (every step) and summary.json here")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `
Examples:
  gridshare optimize household --data data/ausgrid-solar-home/customer12_2011-2012.csv \\
      --config bench/solarhome/config.json --policy perfect
  gridshare optimize household --data data/ausgrid-solar-home/customer12_2011-2012.csv \\
      --config bench/solarhome/config.json --policy mpc --horizon 24 --out out/mpc --json`,
    )
    .action(async (flags: OptimizeFlags) => {
      await runOptimizeHousehold(ctx, flags);
    });
  optimize
    .command("community")
    .description(
      "schedule every home battery and the community battery together for the lowest community cost",
    )
    .argument("<scenario>", "scenario file (see docs/scenario.md)")
    .option("--days <n>", "only the first n days of the period")
    .option("--homes <n>", "draw n homes from the scenario's homes")
    .option(
      "--window-hours <h>",
      "each solve sees this far ahead and keeps the first half (default 48)",
    )
    .option("--dr-start <time>", "a demand-response event: start (ISO 8601 with offset)")
    .option("--dr-end <time>", "the event's end")
    .option("--dr-cap <kW>", "the event caps the community's import at this many kW")
    .option("--dr-price <per kWh>", "or adds this price per kWh imported during the event")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  gridshare optimize community scenarios/all-features.json --days 7
  gridshare optimize community scenarios/citylearn-2022.json --days 3 \\
      --dr-start 2016-08-02T17:00:00-08:00 --dr-end 2016-08-02T21:00:00-08:00 --dr-cap 20`,
    )
    .action(async (scenario: string, flags: CommunityFlags) => {
      await runOptimizeCommunity(ctx, scenario, flags);
    });
}
