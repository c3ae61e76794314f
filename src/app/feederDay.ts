/**
 * A feeder through a day, minute by minute: its loads' shapes (less PV of a given size on every
 * home), or the first day of a scenario with its homes' simulated net power on the feeder's
 * loads; voltages against EN 50160, loadings, losses and the transformer's ageing.
 */
import { InputError } from "../core/errors.js";
import { cityLearnPvMinutes } from "../formats/datasets.js";
import {
  daySnapshots,
  type FeederFiles,
  loadFeederDir,
  loadKwAtMinute,
  snapshotAtMinute,
} from "../formats/feederFiles.js";
import { loadScenarioFile } from "../formats/scenario.js";
import { type DaySummary, runSeries, type StepReport, summarizeDay } from "../grid/day.js";
import { busKey } from "../grid/feeder.js";
import {
  dayExtremesRecord,
  MINUTE_COLUMNS,
  minuteRecords,
  round,
  transformerDayRecord,
} from "../grid/records.js";
import { dailyCycle } from "../grid/transformerAgeing.js";
import { runWithBatteryPolicy } from "./runScenario.js";

export interface FeederDayOptions {
  readonly feederDir: string;
  /** PV on every home, kWp (not with a scenario). */
  readonly pvKwp?: number;
  /** The PV profile's day: CityLearn 2022 from 1 August 2016. */
  readonly pvDay?: number;
  /** Air temperature around the transformer, °C (default 20). */
  readonly ambientC?: number;
  /** The first day of this scenario on the feeder instead of the load shapes. */
  readonly scenarioPath?: string;
  /** With a scenario: draw this many homes from it. */
  readonly homes?: number;
}

export interface FeederDay {
  readonly files: FeederFiles;
  readonly steps: readonly StepReport[];
  readonly summary: DaySummary;
  /** PV on the whole feeder at minute m, kW (0 with a scenario: its homes' nets include it). */
  readonly feederPvKw: (m: number) => number;
  readonly record: Record<string, unknown>;
}

export { MINUTE_COLUMNS, minuteRecords };

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

/** Runs the feeder through the day; `record` is what `powerflow --day` prints. */
export async function feederDay(options: FeederDayOptions): Promise<FeederDay> {
  const ambient = options.ambientC ?? 20;
  const pvKwp = options.pvKwp ?? 0;
  const pvDay = options.pvDay ?? 0;
  if (options.scenarioPath !== undefined && pvKwp > 0)
    throw new InputError(
      "E_USAGE",
      "pv_kwp: not with a scenario (the scenario says what PV each home has)",
      { details: { field: "pv_kwp" } },
    );
  const files = await loadFeederDir(options.feederDir);
  const f = files.feeder;
  const pv = await cityLearnPvMinutes(pvDay);
  const fromScenario =
    options.scenarioPath === undefined
      ? null
      : await scenarioSnapshots(files, options.scenarioPath, options.homes);
  const snapshots = fromScenario?.snapshots ?? daySnapshots(files, pv, pvKwp);
  const t0 = performance.now();
  const steps = runSeries(f, 1440, snapshots);
  const seconds = (performance.now() - t0) / 1000;
  const summary = summarizeDay(steps, 60);
  let pvKwh = 0;
  for (const x of pv) pvKwh += (x * pvKwp * f.spec.loads.length) / 60;
  const record = {
    minutes: 1440,
    homes: f.spec.loads.length,
    ...(fromScenario
      ? { scenario: fromScenario.info }
      : {
          pv_kwp_per_home: pvKwp,
          pv_profile: `CityLearn 2022 Building_1, day ${pvDay} from 2016-08-01, per kWp`,
        }),
    net_load_kwh: round(summary.netLoadKwh, 3),
    pv_kwh: round(pvKwh, 3),
    losses_kwh: round(summary.lossesKwh, 3),
    ...dayExtremesRecord(f, steps, summary),
    transformer: transformerDayRecord(
      dailyCycle(
        steps.map((s) => s.transformerLoadingPct / 100),
        ambient,
        1,
      ),
      ambient,
      f.spec.transformer.kva,
    ),
    mean_iterations: round(summary.iterations / 1440, 2),
    seconds: round(seconds, 3),
  };
  return {
    files,
    steps,
    summary,
    feederPvKw: (m) => pvKwp * (pv[m] as number) * f.spec.loads.length,
    record,
  };
}
