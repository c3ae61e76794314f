/** `gridshare optimize household`: operate one home's battery, EV and flexible loads. */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { type LoadedHousehold, loadHouseholdFiles } from "../../data/householdConfig.js";
import { meanProfile, persistence, type SeriesForecaster } from "../../forecast/naive.js";
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
import type { CommandContext } from "../context.js";
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
    const events =
      problem.events.length > 0
        ? eventReport(
            problem,
            run,
            await runHouseholdPolicy(h, { ...problem, events: [] }, solver, {
              policy,
              horizonHours,
              forecast,
            }),
          )
        : [];
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
          )}`,
        );
    }
    return doc;
  } finally {
    bar?.stop();
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
}
