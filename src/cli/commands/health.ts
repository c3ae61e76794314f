/** `gridshare health`: the state of the community's equipment. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { numberColumn, parseCsv } from "../../data/csv.js";
import { predictEol } from "../../maintenance/batteryHealth.js";
import type { CommandContext } from "../context.js";
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

function positive(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0))
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a number above 0, received ${JSON.stringify(text)}`,
    );
  return n;
}

export async function runBatteryHealth(ctx: CommandContext, flags: BatteryHealthFlags) {
  if (flags.data === undefined) throw new InputError("E_USAGE", "--data <csv>: required");
  let text: string;
  try {
    text = await readFile(flags.data, "utf8");
  } catch {
    throw new InputError("E_FILE", `cannot read ${flags.data}: no such file`);
  }
  const t = parseCsv(text, flags.data, { comment: "#" });
  const cycles = Array.from(numberColumn(t, flags.cycleColumn ?? "cycle"));
  const capacity = Array.from(numberColumn(t, flags.capacityColumn ?? "capacity_Ah"));
  for (let i = 1; i < cycles.length; i++)
    if ((cycles[i] as number) <= (cycles[i - 1] as number))
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${t.lines[i]}, field cycle: expected cycles in increasing order`,
      );
  const train =
    positive(flags.trainCycles, "--train-cycles") ??
    Math.floor((cycles[cycles.length - 1] ?? 0) / 2);
  if (cycles.filter((k) => k <= train).length < 3)
    throw new InputError(
      "E_USAGE",
      `--train-cycles: ${train} leaves fewer than 3 cycles to fit; use more`,
    );
  // Rated capacity: given, else the first cycle's rounded to the nearest 0.5 Ah (2 Ah for NASA's 18650 cells).
  const rated =
    positive(flags.ratedAh, "--rated-ah") ??
    Math.max(0.5, Math.round((capacity[0] as number) * 2) / 2);
  const fraction = positive(flags.eolFraction, "--eol-fraction") ?? 0.7;
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

export function registerHealth(program: Command, ctx: CommandContext): void {
  const health = program.command("health").description("equipment health: batteries (PV to come)");
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
