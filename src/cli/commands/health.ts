/** `gridshare health`: the state of the community's equipment. */
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { formatInstant, parseInstant } from "../../core/time.js";
import { columnIndex, numberColumn, parseCsv } from "../../data/csv.js";
import { CITYLEARN_START_MS, cityLearnPvSystems } from "../../data/datasets.js";
import { resample } from "../../data/series.js";
import { predictEol } from "../../maintenance/batteryHealth.js";
import { assessPv, type PvSystemInput, pvVerdictRecord } from "../../maintenance/pvHealth.js";
import type { CommandContext } from "../context.js";
import { positiveNumber } from "../flags.js";
import { parseJsonText, readInputFile } from "../io.js";
import { toJson, toTable } from "../output.js";

export interface BatteryHealthFlags {
  data?: string;
  trainCycles?: string;
  ratedAh?: string;
  eolFraction?: string;
  cycleColumn?: string;
  capacityColumn?: string;
  json?: boolean;
}

export async function runBatteryHealth(ctx: CommandContext, flags: BatteryHealthFlags) {
  if (flags.data === undefined) throw new InputError("E_USAGE", "--data <csv>: required");
  const t = parseCsv(await readInputFile(flags.data), flags.data, { comment: "#" });
  const cycles = Array.from(numberColumn(t, flags.cycleColumn ?? "cycle"));
  const capacity = Array.from(numberColumn(t, flags.capacityColumn ?? "capacity_Ah"));
  for (let i = 1; i < cycles.length; i++)
    if ((cycles[i] as number) <= (cycles[i - 1] as number))
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${t.lines[i]}, field cycle: expected cycles in increasing order`,
      );
  const train =
    positiveNumber(flags.trainCycles, "--train-cycles") ??
    Math.floor((cycles[cycles.length - 1] ?? 0) / 2);
  if (cycles.filter((k) => k <= train).length < 3)
    throw new InputError(
      "E_USAGE",
      `--train-cycles: ${train} leaves fewer than 3 cycles to fit; use more`,
    );
  // Rated capacity: given, else the first cycle's rounded to the nearest 0.5 Ah (2 Ah for NASA's 18650 cells).
  const rated =
    positiveNumber(flags.ratedAh, "--rated-ah") ??
    Math.max(0.5, Math.round((capacity[0] as number) * 2) / 2);
  const fraction = positiveNumber(flags.eolFraction, "--eol-fraction") ?? 0.7;
  if (fraction >= 1)
    throw new InputError("E_USAGE", "--eol-fraction: expected a share below 1, e.g. 0.7");
  const p = predictEol(cycles, capacity, {
    trainCycles: train,
    thresholdAh: rated * fraction,
    ratedAh: rated,
  });
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const doc = {
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
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else
    ctx.io.stdout.write(
      toTable(
        ["", "value"],
        [
          ["trained on cycles", `1-${train}`],
          ["state of health", `${(100 * p.stateOfHealth).toFixed(1)} % of ${rated} Ah`],
          [
            "fade per 100 cycles",
            `${doc.fade_ah_per_100_cycles} Ah (90 %: ${doc.fade_interval_ah_per_100_cycles.join(" to ")})`,
          ],
          ["end of life", `below ${doc.threshold_ah} Ah`],
          ["predicted end-of-life cycle", p.predictedEolCycle ?? "not within the fade"],
          ["90 % interval", p.interval ? `${p.interval[0]} to ${p.interval[1] ?? "never"}` : null],
          ["actual end-of-life cycle", p.actualEolCycle ?? "not reached in the data"],
        ].map(([k, v]) => ({ "": k, value: v })),
      ),
    );
  return doc;
}

export interface PvHealthFlags {
  dataset?: string;
  data?: string;
  kwp?: string;
  timeColumn?: string;
  utcOffset?: string;
  json?: boolean;
}

/** Systems from a wide CSV: a time column, then one column of kWh per interval per system. */
async function pvSystemsFromCsv(
  flags: PvHealthFlags,
): Promise<{ systems: PvSystemInput[]; startMs: number }> {
  if (flags.data === undefined)
    throw new InputError("E_USAGE", "--data <csv>: required with --dataset csv");
  if (flags.kwp === undefined)
    throw new InputError(
      "E_USAGE",
      '--kwp <json>: required with --dataset csv, e.g. { "home-1": 4.2 }',
    );
  const kwpDoc = parseJsonText(await readInputFile(flags.kwp), flags.kwp);
  const table = parseCsv(await readInputFile(flags.data), flags.data, { comment: "#" });
  const timeName = flags.timeColumn ?? table.header[0] ?? "";
  const stamps = table.columns[columnIndex(table, timeName)] as string[];
  const times = stamps.map((t, r) => {
    const ms = parseInstant(t.trim());
    if (ms === undefined)
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${table.lines[r]}, column ${JSON.stringify(timeName)}: expected an ISO 8601 time with an offset, received ${JSON.stringify(t)}`,
      );
    return ms;
  });
  const step = (times[1] ?? Number.NaN) - (times[0] ?? Number.NaN);
  if (!(step > 0) || 3_600_000 % step !== 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${flags.data}: expected rows every 5, 10, 15, 30 or 60 minutes`,
    );
  times.forEach((t, r) => {
    if (t !== (times[0] as number) + r * step)
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${table.lines[r]}: expected ${formatInstant((times[0] as number) + r * step)} (a regular series; clean it with gridshare data check first)`,
      );
  });
  const systems = table.header
    .filter((h) => h !== timeName)
    .map((id) => {
      const kwp = (kwpDoc as Record<string, unknown>)[id];
      if (typeof kwp !== "number" || !(kwp > 0))
        throw new InputError(
          "E_DATA_INVALID",
          `${flags.kwp}: expected a kWp above 0 for ${JSON.stringify(id)}`,
        );
      const series = {
        startMs: times[0] as number,
        stepMinutes: step / 60_000,
        values: numberColumn(table, id),
        source: `${flags.data} ${id}`,
      };
      return { id, kwp, energyKwh: resample(series, 60).values };
    });
  if (systems.length < 3)
    throw new InputError(
      "E_DATA_INVALID",
      `${flags.data}: peer comparison needs at least 3 systems, found ${systems.length}`,
    );
  return { systems, startMs: times[0] as number };
}

export async function runPvHealth(ctx: CommandContext, flags: PvHealthFlags) {
  const dataset = flags.dataset ?? "citylearn";
  let systems: PvSystemInput[];
  let startMs: number;
  let offset = Number(flags.utcOffset ?? 0);
  if (!Number.isFinite(offset) || Math.abs(offset) > 14)
    throw new InputError(
      "E_USAGE",
      `--utc-offset: expected hours from -14 to 14, received ${JSON.stringify(flags.utcOffset)}`,
    );
  if (dataset === "citylearn") {
    systems = await cityLearnPvSystems();
    startMs = CITYLEARN_START_MS;
    if (flags.utcOffset === undefined) offset = -8;
  } else if (dataset === "csv") ({ systems, startMs } = await pvSystemsFromCsv(flags));
  else
    throw new InputError(
      "E_USAGE",
      `--dataset: expected citylearn or csv, received ${JSON.stringify(dataset)}`,
    );
  const verdicts = assessPv(systems, startMs, { utcOffsetHours: offset });
  const doc = {
    systems: verdicts.map(pvVerdictRecord),
  };
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    const span = (d: string[]) =>
      d.length === 0
        ? ""
        : d.length === 1
          ? (d[0] as string)
          : `${d.length} days, ${d[0]} to ${d[d.length - 1]}`;
    ctx.io.stdout.write(
      toTable(
        ["system", "verdict", "expected kWh", "measured kWh", "confidence", "days", "evidence"],
        doc.systems.map((v) => ({
          system: v.id,
          verdict: v.cause ?? "healthy",
          "expected kWh": v.expected_kwh,
          "measured kWh": v.measured_kwh,
          confidence: v.flagged ? v.confidence : "",
          days: span(v.days_affected),
          evidence: v.detail,
        })),
      ),
    );
  }
  return doc;
}

export function registerHealth(program: Command, ctx: CommandContext): void {
  const health = program
    .command("health")
    .description("equipment health: PV systems and batteries");
  health
    .command("pv")
    .description(
      "PV systems against their peers, day by day: outages, shading, wrong kWp on record, derates, soiling, degradation",
    )
    .option("--dataset <name>", "citylearn (the shipped community) or csv", "citylearn")
    .option("--data <csv>", "with --dataset csv: a time column, then kWh per interval per system")
    .option("--kwp <json>", 'with --dataset csv: each system\'s kWp, e.g. { "home-1": 4.2 }')
    .option("--time-column <name>", "with --dataset csv: the time column (default: the first)")
    .option(
      "--utc-offset <hours>",
      "local day for the comparison (default -8 for CityLearn, 0 for csv)",
    )
    .option(
      "--json",
      "print { systems: [ { id, flagged, cause, expected_kwh, measured_kwh, confidence, days_affected, ... } ] }",
    )
    .addHelpText(
      "after",
      `
Example:
  gridshare health pv --dataset citylearn --json`,
    )
    .action(async (flags: PvHealthFlags) => {
      await runPvHealth(ctx, flags);
    });
  health
    .command("battery")
    .description(
      "state of health and predicted end of life of a battery from its capacity per cycle",
    )
    .requiredOption("--data <csv>", "capacity per cycle: columns cycle, capacity_Ah (NASA layout)")
    .option("--train-cycles <n>", "fit on the cycles up to n only (default: the first half)")
    .option("--rated-ah <Ah>", "rated capacity (default: the first cycle's, rounded to 0.5 Ah)")
    .option("--eol-fraction <share>", "end of life below this share of rated (default 0.7)")
    .option("--cycle-column <name>", "cycle column (default cycle)")
    .option("--capacity-column <name>", "capacity column (default capacity_Ah)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Example:
  gridshare health battery --data data/nasa-battery/B0005.csv --train-cycles 84 --json`,
    )
    .action(async (flags: BatteryHealthFlags) => {
      await runBatteryHealth(ctx, flags);
    });
}
