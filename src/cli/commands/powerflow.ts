/** `gridshare powerflow`: one snapshot, a day, or an interval's trades on a feeder. */
import type { Command } from "commander";
import { type BaseCase, checkIntervalTrades, solveSnapshot } from "../../app/powerflow.js";
import { InputError } from "../../core/errors.js";
import { snapshotRecord, VOLTAGE_COLUMNS, voltageRecords } from "../../grid/records.js";
import type { CommandContext } from "../context.js";
import { flagOption, numberReader, readGiven } from "../flags.js";
import { writeOutputFile } from "../io.js";
import { toCsv, toJson } from "../output.js";
import { runDay } from "./powerflowDay.js";

export interface PowerflowFlags {
  feeder?: string;
  loads?: string;
  minute?: number;
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

/** `--minute`: a minute of the day's load shapes. */
const minuteOfDay = numberReader(
  "a whole minute of the day from 1 to 1440",
  (m) => Number.isInteger(m) && m >= 1 && m <= 1440,
);

/** With --trades: the market interval, minutes above 0. */
const intervalMinutes = numberReader("minutes above 0", (m) => m > 0);

function baseCase(flags: PowerflowFlags): BaseCase {
  if (flags.loads !== undefined) return { loadsPath: flags.loads };
  // The one mode left (runPowerflow saw exactly one of them).
  return { minute: flags.minute as number };
}

export async function runPowerflow(ctx: CommandContext, flags: PowerflowFlags) {
  const feederDir = flags.feeder;
  if (feederDir === undefined) throw new InputError("E_USAGE", "--feeder <dir>: required");
  const modes = [flags.loads, flags.minute, flags.day ? true : undefined].filter(
    (x) => x !== undefined,
  );
  if (modes.length !== 1)
    throw new InputError("E_USAGE", "give exactly one of --loads <csv>, --minute <n> and --day");
  if (flags.day) return runDay(ctx, feederDir, flags);
  const base = baseCase(flags);
  if (flags.trades !== undefined) {
    // Read with --trades only, so checked here and not while parsing.
    const minutes = readGiven(flags.intervalMinutes, "--interval-minutes", intervalMinutes) ?? 15;
    const doc = await checkIntervalTrades({
      feederDir,
      base,
      tradesPath: flags.trades,
      intervalMinutes: minutes,
      remedy: flags.remedy !== false,
    });
    ctx.io.stdout.write(toJson(doc));
    return doc;
  }
  const { files, snapshot, result } = await solveSnapshot({ feederDir, base });
  const summary = snapshotRecord(files.feeder, snapshot.pKw, result);
  if (flags.out !== undefined)
    await writeOutputFile(
      ctx.io,
      flags.out,
      toCsv([...VOLTAGE_COLUMNS], voltageRecords(files.feeder, result)),
    );
  ctx.io.stdout.write(toJson(summary));
  return summary;
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
    .addOption(
      flagOption(
        "--minute <n>",
        "each load from its load shape at this minute of the day (1-1440)",
        minuteOfDay,
      ),
    )
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
