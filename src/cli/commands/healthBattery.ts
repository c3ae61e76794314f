/** `gridshare health battery`: a battery's state of health and predicted end of life. */
import type { Command } from "commander";
import { batteryHealth } from "../../app/health.js";
import { InputError } from "../../core/errors.js";
import type { CommandContext } from "../context.js";
import { type FlagReader, flagOption, positiveNumber } from "../flags.js";
import { keyValues, toJson } from "../output.js";

export interface BatteryHealthFlags {
  data?: string;
  trainCycles?: number;
  ratedAh?: number;
  eolFraction?: number;
  cycleColumn?: string;
  capacityColumn?: string;
  json?: boolean;
}

/** `--eol-fraction`: a share of the rated capacity, above 0 and below 1. */
const eolShare: FlagReader<number> = (text, flag) => {
  const share = positiveNumber(text, flag);
  if (share >= 1) throw new InputError("E_USAGE", `${flag}: expected a share below 1, e.g. 0.7`);
  return share;
};

export async function runBatteryHealth(ctx: CommandContext, flags: BatteryHealthFlags) {
  if (flags.data === undefined) throw new InputError("E_USAGE", "--data <csv>: required");
  const { trainCycles, ratedAh, eolFraction } = flags;
  const h = await batteryHealth({
    dataPath: flags.data,
    ...(flags.cycleColumn === undefined ? {} : { cycleColumn: flags.cycleColumn }),
    ...(flags.capacityColumn === undefined ? {} : { capacityColumn: flags.capacityColumn }),
    ...(trainCycles === undefined ? {} : { trainCycles }),
    ...(ratedAh === undefined ? {} : { ratedAh }),
    ...(eolFraction === undefined ? {} : { eolFraction }),
  });
  const doc = h.record;
  const p = h.prediction;
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else
    ctx.io.stdout.write(
      keyValues([
        ["trained on cycles", `1-${h.trainCycles}`],
        ["state of health", `${(100 * p.stateOfHealth).toFixed(1)} % of ${h.ratedAh} Ah`],
        [
          "fade per 100 cycles",
          `${doc.fade_ah_per_100_cycles} Ah (90 %: ${doc.fade_interval_ah_per_100_cycles.join(" to ")})`,
        ],
        ["end of life", `below ${doc.threshold_ah} Ah`],
        ["predicted end-of-life cycle", p.predictedEolCycle ?? "not within the fade"],
        ["90 % interval", p.interval ? `${p.interval[0]} to ${p.interval[1] ?? "never"}` : null],
        ["actual end-of-life cycle", p.actualEolCycle ?? "not reached in the data"],
      ]),
    );
  return doc;
}

export function registerHealthBattery(health: Command, ctx: CommandContext): void {
  health
    .command("battery")
    .description(
      "state of health and predicted end of life of a battery from its capacity per cycle",
    )
    .requiredOption("--data <csv>", "capacity per cycle: columns cycle, capacity_Ah (NASA layout)")
    .addOption(
      flagOption(
        "--train-cycles <n>",
        "fit on the cycles up to n only (default: the first half)",
        positiveNumber,
      ),
    )
    .addOption(
      flagOption(
        "--rated-ah <Ah>",
        "rated capacity (default: the first cycle's, rounded to 0.5 Ah)",
        positiveNumber,
      ),
    )
    .addOption(
      flagOption(
        "--eol-fraction <share>",
        "end of life below this share of rated (default 0.7)",
        eolShare,
      ),
    )
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
