/** `gridshare powerflow`: one snapshot of a feeder, three-phase unbalanced. */
import { rename, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import {
  type FeederFiles,
  loadFeederDir,
  loadSnapshotFile,
  snapshotAtMinute,
} from "../../data/feederFiles.js";
import { PowerFlow, PowerFlowError, type PowerFlowResult } from "../../grid/powerflow.js";
import type { CommandContext } from "../context.js";
import { toCsv, toJson } from "../output.js";

export interface PowerflowFlags {
  feeder?: string;
  loads?: string;
  minute?: string;
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
  if ((flags.loads === undefined) === (flags.minute === undefined))
    throw new InputError("E_USAGE", "give exactly one of --loads <csv> and --minute <n>");
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
  let r: PowerFlowResult;
  try {
    r = new PowerFlow(files.feeder).solve(snap.pKw, snap.qKvar);
  } catch (error) {
    if (error instanceof PowerFlowError)
      throw new InputError("E_NOT_CONVERGED", error.message, { cause: error });
    throw error;
  }
  if (!r.converged)
    throw new InputError(
      "E_NOT_CONVERGED",
      `the power flow did not converge in ${r.iterations} sweeps (last change ${r.mismatchPu.toExponential(2)} pu)`,
    );
  const summary = snapshotSummary(files, snap.pKw, r);
  if (flags.out !== undefined) {
    const tmp = `${flags.out}.partial`;
    await writeFile(
      tmp,
      toCsv(["bus", "phase", "volts", "angle_deg", "pu"], voltageRows(files, r)),
    );
    await rename(tmp, flags.out);
    ctx.io.stderr.write(`wrote ${flags.out}\n`);
  }
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
    .option("--minute <n>", "each load from its load shape at this minute of the day (1-1440)")
    .option("--out <csv>", "write every bus and phase: bus, phase, volts, angle_deg, pu")
    .addHelpText(
      "after",
      `
Examples:
  gridshare powerflow --feeder data/ieee-eulv --loads data/ieee-eulv/reference/inputs_minute_566.csv
  gridshare powerflow --feeder data/ieee-eulv --minute 1140 --out voltages.csv`,
    )
    .action(async (flags: PowerflowFlags) => {
      await runPowerflow(ctx, flags);
    });
}
