/** `gridshare powerflow`: one snapshot of a feeder, three-phase unbalanced. */

import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { columnIndex, numberColumn, parseCsv } from "../../data/csv.js";
import { cityLearnPvMinutes } from "../../data/datasets.js";
import {
  type FeederFiles,
  loadFeederDir,
  loadKwAtMinute,
  loadSnapshotFile,
  snapshotAtMinute,
} from "../../data/feederFiles.js";
import { loadScenarioFile } from "../../data/scenario.js";
import { runSeries, type StepReport } from "../../grid/day.js";
import { busKey } from "../../grid/feeder.js";
import { checkTrades, type TradeFlow } from "../../grid/networkTrades.js";
import { PowerFlow, type PowerFlowResult } from "../../grid/powerflow.js";
import { dailyCycle } from "../../grid/transformerAgeing.js";
import { runWithBatteryPolicy } from "../batteryPolicy.js";
import type { CommandContext } from "../context.js";
import { positiveInt } from "../flags.js";
import { readInputFile, writeFileAtomic } from "../io.js";
import { toCsv, toJson } from "../output.js";

export interface PowerflowFlags {
  feeder?: string;
  loads?: string;
  minute?: string;
  day?: boolean;
  ambientC?: string;
  trades?: string;
  intervalMinutes?: string;
  remedy?: boolean;
  pvKwp?: string;
  pvDay?: string;
  scenario?: string;
  homes?: string;
  out?: string;
}

const PHASES = ["A", "B", "C"];

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Every bus and phase: volts, angle (degrees), pu of the secondary's line-to-neutral base. */
export function voltageRows(files: FeederFiles, r: PowerFlowResult) {
  const f = files.feeder;
  const out: { bus: string; phase: string; volts: number; angle_deg: number; pu: number }[] = [];
  const primary = f.spec.transformer.primaryBus;
  for (let p = 0; p < 3; p++) {
    const re = r.primaryRe[p] as number;
    const im = r.primaryIm[p] as number;
    out.push({
      bus: primary,
      phase: PHASES[p] as string,
      volts: round(Math.hypot(re, im), 4),
      angle_deg: round((Math.atan2(im, re) * 180) / Math.PI, 4),
      pu: round(Math.hypot(re, im) / f.primaryBaseVolts, 6),
    });
  }
  f.buses.forEach((bus, b) => {
    for (let p = 0; p < 3; p++) {
      const re = r.vRe[3 * b + p] as number;
      const im = r.vIm[3 * b + p] as number;
      const v = Math.hypot(re, im);
      out.push({
        bus,
        phase: PHASES[p] as string,
        volts: round(v, 4),
        angle_deg: round((Math.atan2(im, re) * 180) / Math.PI, 4),
        pu: round(v / f.baseVolts, 6),
      });
    }
  });
  return out;
}

/** The snapshot summary: loads, substation power, losses, lowest and highest LV voltage. */
export function snapshotSummary(files: FeederFiles, pKw: Float64Array, r: PowerFlowResult) {
  const f = files.feeder;
  let load = 0;
  for (const p of pKw) load += p;
  let lo = 0;
  let hi = 0;
  const mag = (k: number) => Math.hypot(r.vRe[k] as number, r.vIm[k] as number);
  for (let k = 1; k < r.vRe.length; k++) {
    if (mag(k) < mag(lo)) lo = k;
    if (mag(k) > mag(hi)) hi = k;
  }
  const at = (k: number) => ({
    bus: f.buses[Math.floor(k / 3)],
    phase: PHASES[k % 3],
    volts: round(mag(k), 4),
    pu: round(mag(k) / f.baseVolts, 6),
  });
  return {
    total_load_kw: round(load, 6),
    substation_p_kw: round(r.substationKw, 6),
    substation_q_kvar: round(r.substationKvar, 6),
    losses_kw: round(r.substationKw - load, 6),
    v_min: at(lo),
    v_max: at(hi),
    iterations: r.iterations,
    converged: r.converged,
    base_volts: round(f.baseVolts, 4),
    base: `pu of the secondary's line-to-neutral voltage, ${f.spec.transformer.kvSecondary * 1000} V / sqrt(3) = ${round(f.baseVolts, 2)} V; v_min and v_max over the low-voltage buses`,
  };
}

export async function runPowerflow(ctx: CommandContext, flags: PowerflowFlags) {
  if (flags.feeder === undefined) throw new InputError("E_USAGE", "--feeder <dir>: required");
  const modes = [flags.loads, flags.minute, flags.day ? true : undefined].filter(
    (x) => x !== undefined,
  );
  if (modes.length !== 1)
    throw new InputError("E_USAGE", "give exactly one of --loads <csv>, --minute <n> and --day");
  if (flags.day) return runDay(ctx, flags);
  if (flags.trades !== undefined) return runTrades(ctx, flags);
  let minute: number | undefined;
  if (flags.minute !== undefined) {
    minute = Number(flags.minute);
    if (!Number.isInteger(minute) || minute < 1 || minute > 1440)
      throw new InputError(
        "E_USAGE",
        `--minute: expected a whole minute of the day from 1 to 1440, received ${JSON.stringify(flags.minute)}`,
      );
  }
  const files = await loadFeederDir(flags.feeder);
  const snap =
    minute === undefined
      ? await loadSnapshotFile(files.feeder, flags.loads as string)
      : snapshotAtMinute(files, minute);
  // A PowerFlowError (collapse, divergence) is an InputError naming the bus.
  const r: PowerFlowResult = new PowerFlow(files.feeder).solve(snap.pKw, snap.qKvar);
  if (!r.converged)
    throw new InputError(
      "E_NOT_CONVERGED",
      `the power flow did not converge in ${r.iterations} sweeps (last change ${r.mismatchPu.toExponential(2)} pu)`,
    );
  const summary = snapshotSummary(files, snap.pKw, r);
  if (flags.out !== undefined) {
    await writeFileAtomic(
      flags.out,
      toCsv(["bus", "phase", "volts", "angle_deg", "pu"], voltageRows(files, r)),
    );
    ctx.io.stderr.write(`wrote ${flags.out}\n`);
  }
  ctx.io.stdout.write(toJson(summary));
  return summary;
}

const MINUTE_COLUMNS = [
  "minute",
  "time",
  "load_kw",
  "pv_kw",
  "substation_kw",
  "losses_kw",
  "v_min_v",
  "v_max_v",
  "violations",
  "transformer_loading_pct",
  "line_loading_pct",
  "iterations",
];

function nonNegative(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a number of 0 or more, received ${JSON.stringify(text)}`,
    );
  return n;
}

/** Each load of the feeder at minute `m` of its shape, less its PV. */
export function daySnapshots(files: FeederFiles, pvPerKwp: Float64Array, pvKwp: number) {
  const f = files.feeder;
  return (m: number) => {
    const snap = snapshotAtMinute(files, m + 1);
    if (pvKwp > 0)
      for (const load of f.spec.loads) {
        const k = 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
        snap.pKw[k] = (snap.pKw[k] as number) - pvKwp * (pvPerKwp[m] as number);
      }
    return snap;
  };
}

/**
 * The first day of a scenario on the feeder: the scenario is simulated (its homes' PV, wind,
 * batteries on the scenario's battery policy, and EVs; local trading moves money, not power),
 * and home i's net power with the grid replaces feeder load i's load shape, minute by minute
 * (the scenario's interval held constant; a home exporting at unity power factor). Loads beyond
 * the scenario's homes keep their shapes.
 */
async function scenarioSnapshots(files: FeederFiles, path: string, homes: number | undefined) {
  const { input } = await loadScenarioFile(path, {
    days: 1,
    ledger: false,
    ...(homes === undefined ? {} : { homes }),
  });
  // Home batteries as the scenario runs them (its `battery_policy`).
  const { run } = await runWithBatteryPolicy(input);
  const loads = files.feeder.spec.loads;
  const mapped = Math.min(loads.length, input.members.length);
  const perMinute = Array.from({ length: mapped }, (_, i) => {
    const residual = (run.flows[i] as { residual: Float64Array }).residual;
    return Float64Array.from({ length: 1440 }, (_, m) => {
      const t = Math.min(residual.length - 1, Math.floor(m / input.stepMinutes));
      return ((residual[t] as number) * 60) / input.stepMinutes;
    });
  });
  const f = files.feeder;
  const snapshots = (m: number) => {
    const snap = snapshotAtMinute(files, m + 1);
    for (let i = 0; i < mapped; i++) {
      const load = loads[i] as (typeof loads)[number];
      const own = loadKwAtMinute(files, load, m + 1);
      const tan = Math.tan(Math.acos(load.pf));
      const p = (perMinute[i] as Float64Array)[m] as number;
      const k = 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
      snap.pKw[k] = (snap.pKw[k] as number) - own + p;
      snap.qKvar[k] = (snap.qKvar[k] as number) - own * tan + (p > 0 ? p * tan : 0);
    }
    return snap;
  };
  return {
    snapshots,
    info: {
      file: path,
      day: new Date(input.startMs).toISOString().replace(".000Z", "Z"),
      homes_on_feeder: mapped,
      homes_in_scenario: input.members.length,
      feeder_loads: loads.length,
    },
  };
}

/** The transformer's hot spot and ageing if every day were this one (IEC 60076-7). */
function transformerDay(loadPu: readonly number[], ambientC: number, kva: number) {
  const c = dailyCycle(loadPu, ambientC, 1);
  return {
    model: "IEC 60076-7 ONAN distribution transformer, this day repeated to a steady cycle",
    rating_kva: kva,
    ambient_c: ambientC,
    peak_hot_spot_c: round(c.peakHotSpotC, 2),
    equivalent_ageing: round(c.equivalentAgeing, 4),
    loss_of_life_hours_per_day: round(c.lossOfLifeHoursPerDay, 4),
    warning:
      c.equivalentAgeing > 1
        ? `ages ${round(c.equivalentAgeing, 2)} times faster than nominal (hot spot up to ${round(c.peakHotSpotC, 1)} °C)`
        : null,
  };
}

async function runDay(ctx: CommandContext, flags: PowerflowFlags) {
  const ambient = flags.ambientC === undefined ? 20 : Number(flags.ambientC);
  if (!Number.isFinite(ambient) || ambient < -50 || ambient > 60)
    throw new InputError(
      "E_USAGE",
      `--ambient-c: expected an air temperature in °C from -50 to 60, received ${JSON.stringify(flags.ambientC)}`,
    );
  const files = await loadFeederDir(flags.feeder as string);
  const f = files.feeder;
  const pvKwp = nonNegative(flags.pvKwp, "--pv-kwp", 0);
  const pvDay = nonNegative(flags.pvDay, "--pv-day", 0);
  if (!Number.isInteger(pvDay))
    throw new InputError("E_USAGE", "--pv-day: expected a whole day number");
  if (flags.scenario !== undefined && pvKwp > 0)
    throw new InputError(
      "E_USAGE",
      "--pv-kwp: not with --scenario (the scenario says what PV each home has)",
    );
  const pv = await cityLearnPvMinutes(pvDay);
  const fromScenario =
    flags.scenario === undefined
      ? null
      : await scenarioSnapshots(files, flags.scenario, positiveInt(flags.homes, "--homes"));
  const snapshots = fromScenario?.snapshots ?? daySnapshots(files, pv, pvKwp);
  const t0 = performance.now();
  const steps: StepReport[] = runSeries(f, 1440, snapshots);
  const seconds = (performance.now() - t0) / 1000;
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const where = (k: number) => ({ bus: f.buses[Math.floor(k / 3)], phase: PHASES[k % 3] });
  let lo = 0;
  let hi = 0;
  let line = 0;
  let tr = 0;
  let energy = 0;
  let losses = 0;
  let violations = 0;
  let minutesViolated = 0;
  let iterations = 0;
  steps.forEach((s, m) => {
    if (s.vMinV < (steps[lo] as StepReport).vMinV) lo = m;
    if (s.vMaxV > (steps[hi] as StepReport).vMaxV) hi = m;
    if (s.lineLoadingPct > (steps[line] as StepReport).lineLoadingPct) line = m;
    if (s.transformerLoadingPct > (steps[tr] as StepReport).transformerLoadingPct) tr = m;
    energy += s.loadKw / 60;
    losses += s.lossesKw / 60;
    violations += s.violations;
    if (s.violations > 0) minutesViolated++;
    iterations += s.iterations;
  });
  let pvKwh = 0;
  for (const x of pv) pvKwh += (x * pvKwp * f.spec.loads.length) / 60;
  const L = steps[lo] as StepReport;
  const H = steps[hi] as StepReport;
  const LL = steps[line] as StepReport;
  const doc = {
    minutes: 1440,
    homes: f.spec.loads.length,
    ...(fromScenario
      ? { scenario: fromScenario.info }
      : {
          pv_kwp_per_home: pvKwp,
          pv_profile: `CityLearn 2022 Building_1, day ${pvDay} from 2016-08-01, per kWp`,
        }),
    net_load_kwh: round(energy, 3),
    pv_kwh: round(pvKwh, 3),
    losses_kwh: round(losses, 3),
    v_min: { time: hhmm(lo), ...where(L.vMinAt), volts: round(L.vMinV, 3) },
    v_max: { time: hhmm(hi), ...where(H.vMaxAt), volts: round(H.vMaxV, 3) },
    voltage_limits: "EN 50160: 207-253 V (230 V +-10 %)",
    violations_bus_phase_minutes: violations,
    minutes_with_violations: minutesViolated,
    transformer_max_loading_pct: round((steps[tr] as StepReport).transformerLoadingPct, 2),
    line_max_loading_pct: round(LL.lineLoadingPct, 2),
    line_max_loaded: { time: hhmm(line), line: f.lineOf[LL.lineBus]?.name ?? null },
    transformer: transformerDay(
      steps.map((s) => s.transformerLoadingPct / 100),
      ambient,
      f.spec.transformer.kva,
    ),
    mean_iterations: round(iterations / 1440, 2),
    seconds: round(seconds, 3),
  };
  if (flags.out !== undefined) {
    await writeFileAtomic(
      flags.out,
      toCsv(
        MINUTE_COLUMNS,
        steps.map((s, m) => ({
          minute: m + 1,
          time: hhmm(m),
          load_kw: round(s.loadKw + pvKwp * (pv[m] as number) * f.spec.loads.length, 4),
          pv_kw: round(pvKwp * (pv[m] as number) * f.spec.loads.length, 4),
          substation_kw: round(s.substationKw, 4),
          losses_kw: round(s.lossesKw, 4),
          v_min_v: round(s.vMinV, 3),
          v_max_v: round(s.vMaxV, 3),
          violations: s.violations,
          transformer_loading_pct: round(s.transformerLoadingPct, 3),
          line_loading_pct: round(s.lineLoadingPct, 3),
          iterations: s.iterations,
        })),
      ),
    );
    ctx.io.stderr.write(`wrote ${flags.out}\n`);
  }
  ctx.io.stdout.write(toJson(doc));
  return doc;
}

/** An interval's trades from a CSV (the ledger export's columns), sellers and buyers by load name. */
async function readTrades(files: FeederFiles, path: string, hours: number): Promise<TradeFlow[]> {
  const t = parseCsv(await readInputFile(path), path);
  const f = files.feeder;
  const byName = new Map(f.spec.loads.map((l) => [l.name.toLowerCase(), l]));
  const col = (name: string) => t.columns[columnIndex(t, name)] as string[];
  const ids = t.header.some((h) => h.toLowerCase() === "transaction_id")
    ? col("transaction_id")
    : undefined;
  const sellers = col("seller");
  const buyers = col("buyer");
  const kwh = numberColumn(t, "energy_amount_kwh");
  return sellers.map((s, r) => {
    const at = (who: string, field: string) => {
      const load = byName.get(who.trim().toLowerCase());
      if (!load)
        throw new InputError(
          "E_DATA_INVALID",
          `${path}, line ${t.lines[r]}, field ${field}: expected a load of the feeder (${f.spec.loads[0]?.name} to ${f.spec.loads[f.spec.loads.length - 1]?.name}), received ${JSON.stringify(who)}`,
        );
      return 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
    };
    if (!((kwh[r] as number) >= 0))
      throw new InputError(
        "E_DATA_INVALID",
        `${path}, line ${t.lines[r]}, field energy_amount_kwh: expected 0 or more`,
      );
    return {
      id: ids?.[r] ?? `row ${r + 1}`,
      seller: at(s, "seller"),
      buyer: at(buyers[r] as string, "buyer"),
      kw: (kwh[r] as number) / hours,
    };
  });
}

function stepSummary(files: FeederFiles, s: StepReport) {
  const f = files.feeder;
  return {
    v_min_volts: round(s.vMinV, 3),
    v_max_volts: round(s.vMaxV, 3),
    v_max_at: `${f.buses[Math.floor(s.vMaxAt / 3)]} ${PHASES[s.vMaxAt % 3]}`,
    violations: s.violations,
    line_max_loading_pct: round(s.lineLoadingPct, 2),
    transformer_loading_pct: round(s.transformerLoadingPct, 2),
    losses_kw: round(s.lossesKw, 4),
  };
}

async function runTrades(ctx: CommandContext, flags: PowerflowFlags) {
  if (flags.minute === undefined && flags.loads === undefined)
    throw new InputError(
      "E_USAGE",
      "--trades: give the base case with --minute <n> or --loads <csv>",
    );
  const minutes = flags.intervalMinutes === undefined ? 15 : Number(flags.intervalMinutes);
  if (!(minutes > 0))
    throw new InputError(
      "E_USAGE",
      `--interval-minutes: expected minutes above 0, received ${JSON.stringify(flags.intervalMinutes)}`,
    );
  const files = await loadFeederDir(flags.feeder as string);
  const base =
    flags.loads !== undefined
      ? await loadSnapshotFile(files.feeder, flags.loads)
      : snapshotAtMinute(files, Number(flags.minute));
  const trades = await readTrades(files, flags.trades as string, minutes / 60);
  const r = checkTrades(files.feeder, base, trades, { remedy: flags.remedy !== false });
  const hours = minutes / 60;
  const doc = {
    interval_minutes: minutes,
    trades: trades.length,
    traded_kwh: round(
      trades.reduce((a, t) => a + t.kw * hours, 0),
      4,
    ),
    limits: "EN 50160 207-253 V, line ratings, transformer rating",
    base: stepSummary(files, r.base),
    with_trades: stepSummary(files, r.withTrades),
    after_remedy: stepSummary(files, r.afterRemedy),
    curtailed: r.curtailed.map((c) => ({
      transaction_id: c.id,
      kwh_before: round(c.kwBefore * hours, 4),
      kwh_after: round(c.kwAfter * hours, 4),
      reason: c.reason,
    })),
    curtailed_kwh: round(
      r.curtailed.reduce((a, c) => a + (c.kwBefore - c.kwAfter) * hours, 0),
      4,
    ),
    remedy:
      "curtail the trade contributing most to the worst violation (power x measured sensitivity), re-solve, repeat",
    solves: r.solves,
  };
  ctx.io.stdout.write(toJson(doc));
  return doc;
}

export function registerPowerflow(program: Command, ctx: CommandContext): void {
  program
    .command("powerflow")
    .description("three-phase unbalanced power flow of a low-voltage feeder for one snapshot")
    .requiredOption(
      "--feeder <dir>",
      "feeder directory (the IEEE EU LV layout, see docs/grid.md), e.g. data/ieee-eulv",
    )
    .option("--loads <csv>", "each load's P and Q: load,bus,phase,p_kw,q_kvar")
    .option("--minute <n>", "each load from its load shape at this minute of the day (1-1440)")
    .option(
      "--day",
      "all 1,440 minutes: voltages against EN 50160, loadings, losses, transformer ageing",
    )
    .option("--ambient-c <degC>", "with --day: air temperature around the transformer (default 20)")
    .option(
      "--trades <csv>",
      "check an interval's trades (seller, buyer, energy_amount_kwh by load name) on the base case of --minute or --loads, and curtail what breaks a limit",
    )
    .option("--interval-minutes <n>", "with --trades: the market interval (default 15)")
    .option("--no-remedy", "with --trades: report the violations without curtailing")
    .option("--pv-kwp <kW>", "with --day: PV of this size on every home (default 0)")
    .option(
      "--scenario <file>",
      "with --day: the first day of a scenario, its homes' net power (PV, batteries, EVs) on the feeder's loads in order",
    )
    .option(
      "--homes <n>",
      "with --scenario: draw this many homes from the scenario's (e.g. 55, one per load)",
    )
    .option(
      "--pv-day <n>",
      "with --day: the PV profile's day, CityLearn 2022 from 1 August 2016 (default 0)",
    )
    .option(
      "--out <csv>",
      "write every bus and phase (bus, phase, volts, angle_deg, pu), or with --day every minute",
    )
    .addHelpText(
      "after",
      `
Examples:
  gridshare powerflow --feeder data/ieee-eulv --loads data/ieee-eulv/reference/inputs_minute_566.csv
  gridshare powerflow --feeder data/ieee-eulv --minute 1140 --out voltages.csv
  gridshare powerflow --feeder data/ieee-eulv --day --pv-kwp 6 --out minutes.csv
  gridshare powerflow --feeder data/ieee-eulv --minute 720 --trades examples/eulv-trades.csv`,
    )
    .action(async (flags: PowerflowFlags) => {
      await runPowerflow(ctx, flags);
    });
}
