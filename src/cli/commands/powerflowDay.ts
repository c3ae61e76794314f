/** `gridshare powerflow --day`: a feeder's day, minute by minute (see powerflow.ts). */
import { feederDay, MINUTE_COLUMNS, minuteRecords } from "../../app/feederDay.js";
import { InputError } from "../../core/errors.js";
import type { CommandContext } from "../context.js";
import { nonNegativeNumber, numberReader, positiveInt, readGiven } from "../flags.js";
import { writeOutputFile } from "../io.js";
import { toCsv, toJson } from "../output.js";

/** The flags `--day` reads (as text: checked here, with --day only, not while parsing). */
export interface PowerflowDayFlags {
  ambientC?: string;
  pvKwp?: string;
  pvDay?: string;
  scenario?: string;
  homes?: string;
  out?: string;
}

/** With --day: the air temperature around the transformer. */
const ambientC = numberReader(
  "an air temperature in °C from -50 to 60",
  (c) => Number.isFinite(c) && c >= -50 && c <= 60,
);

/** `powerflow --day`: every minute of a day on the feeder, its flags checked here. */
export async function runDay(ctx: CommandContext, feederDir: string, flags: PowerflowDayFlags) {
  // These flags are read with --day only, so checked here and not while parsing.
  const ambient = readGiven(flags.ambientC, "--ambient-c", ambientC) ?? 20;
  const pvKwp = readGiven(flags.pvKwp, "--pv-kwp", nonNegativeNumber);
  const pvDay = readGiven(flags.pvDay, "--pv-day", nonNegativeNumber);
  if (pvDay !== undefined && !Number.isInteger(pvDay))
    throw new InputError("E_USAGE", "--pv-day: expected a whole day number");
  if (flags.scenario !== undefined && (pvKwp ?? 0) > 0)
    throw new InputError(
      "E_USAGE",
      "--pv-kwp: not with --scenario (the scenario says what PV each home has)",
    );
  const homes = readGiven(flags.homes, "--homes", positiveInt);
  const day = await feederDay({
    feederDir,
    ambientC: ambient,
    ...(pvKwp === undefined ? {} : { pvKwp }),
    ...(pvDay === undefined ? {} : { pvDay }),
    ...(flags.scenario === undefined ? {} : { scenarioPath: flags.scenario }),
    ...(homes === undefined ? {} : { homes }),
  });
  if (flags.out !== undefined)
    await writeOutputFile(
      ctx.io,
      flags.out,
      toCsv([...MINUTE_COLUMNS], minuteRecords(day.steps, day.feederPvKw)),
    );
  ctx.io.stdout.write(toJson(day.record));
  return day.record;
}
