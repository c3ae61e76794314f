/**
 * Equipment health: every PV system judged against its peers, day by day; and a battery's state
 * of health and predicted end of life from its capacity per cycle.
 */

import { InputError } from "../core/errors.js";
import { roundTo } from "../core/units.js";
import { readCapacityFile } from "../formats/capacityFile.js";
import { CITYLEARN_START_MS, cityLearnPvSystems } from "../formats/datasets.js";
import { readPvSystems } from "../formats/pvSystemsFile.js";
import { type EolPrediction, predictEol } from "../maintenance/batteryHealth.js";
import { assessPv, type PvSystemInput, pvVerdictRecord } from "../maintenance/pvHealth.js";

export interface BatteryHealthOptions {
  readonly dataPath: string;
  readonly cycleColumn?: string;
  readonly capacityColumn?: string;
  /** Fit on the cycles up to this one only (default: the first half). */
  readonly trainCycles?: number;
  /** Rated capacity, Ah (default: the first cycle's, rounded to 0.5 Ah). */
  readonly ratedAh?: number;
  /** End of life below this share of rated (default 0.7). */
  readonly eolFraction?: number;
}

export interface BatteryHealth {
  readonly prediction: EolPrediction;
  readonly trainCycles: number;
  readonly ratedAh: number;
  /** What `health battery --json` prints. */
  readonly record: ReturnType<typeof batteryRecord>;
}

const r3 = (x: number) => roundTo(x, 3);

function batteryRecord(p: EolPrediction, train: number, rated: number, fraction: number) {
  return {
    model: p.fit.model,
    predicted_eol_cycle: p.predictedEolCycle,
    interval: p.interval,
    actual_eol_cycle: p.actualEolCycle,
    error_cycles:
      p.predictedEolCycle !== null && p.actualEolCycle !== null
        ? p.predictedEolCycle - p.actualEolCycle
        : null,
    train_cycles: train,
    rated_ah: rated,
    threshold_ah: r3(rated * fraction),
    state_of_health: r3(p.stateOfHealth),
    fade_ah_per_100_cycles: r3(p.fit.slope * 100),
    fade_interval_ah_per_100_cycles: [r3(p.fit.slopeLow * 100), r3(p.fit.slopeHigh * 100)],
  };
}

export async function batteryHealth(options: BatteryHealthOptions): Promise<BatteryHealth> {
  const { cycles, capacity } = await readCapacityFile(options.dataPath, {
    cycle: options.cycleColumn ?? "cycle",
    capacity: options.capacityColumn ?? "capacity_Ah",
  });
  const train = options.trainCycles ?? Math.floor((cycles[cycles.length - 1] ?? 0) / 2);
  if (cycles.filter((k) => k <= train).length < 3)
    throw new InputError(
      "E_USAGE",
      `train_cycles: ${train} leaves fewer than 3 cycles to fit; use more`,
      { details: { field: "train_cycles" } },
    );
  // Rated capacity: given, else the first cycle's rounded to the nearest 0.5 Ah (2 Ah for NASA's 18650 cells).
  const rated = options.ratedAh ?? Math.max(0.5, Math.round((capacity[0] as number) * 2) / 2);
  const fraction = options.eolFraction ?? 0.7;
  const prediction = predictEol(cycles, capacity, {
    trainCycles: train,
    thresholdAh: rated * fraction,
    ratedAh: rated,
  });
  return {
    prediction,
    trainCycles: train,
    ratedAh: rated,
    record: batteryRecord(prediction, train, rated, fraction),
  };
}

export interface PvHealthOptions {
  /** The shipped CityLearn community, or a wide CSV with a kWp file. */
  readonly source:
    | { readonly dataset: "citylearn" }
    | {
        readonly dataset: "csv";
        readonly dataPath: string;
        readonly kwpPath: string;
        readonly timeColumn?: string | undefined;
      };
  /** The local day of the comparison, hours from UTC (default -8 for CityLearn, 0 for a CSV). */
  readonly utcOffsetHours?: number;
}

/** Every system's verdict, as `health pv --json` prints them. */
export async function pvHealth(options: PvHealthOptions) {
  let systems: PvSystemInput[];
  let startMs: number;
  let offset = options.utcOffsetHours;
  if (options.source.dataset === "citylearn") {
    systems = await cityLearnPvSystems();
    startMs = CITYLEARN_START_MS;
    offset ??= -8;
  } else ({ systems, startMs } = await readPvSystems(options.source));
  const verdicts = assessPv(systems, startMs, { utcOffsetHours: offset ?? 0 });
  return { systems: verdicts.map(pvVerdictRecord) };
}
