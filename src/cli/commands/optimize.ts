/** `gridshare optimize household` and `optimize community`: flags, one call, rendering. */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import {
  FORECASTS,
  householdRecord,
  optimizeHousehold,
  POLICIES,
} from "../../app/optimizeHousehold.js";
import { InputError } from "../../core/errors.js";
import type { PolicyName } from "../../optimize/policies.js";
import { TRAJECTORY_COLUMNS, trajectoryRecords } from "../../optimize/records.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, numberReader } from "../flags.js";
import { householdText } from "../householdText.js";
import { writeFileAtomic } from "../io.js";
import { progressBar, toCsv, toJson } from "../output.js";
import { registerOptimizeCommunity } from "./optimizeCommunity.js";

export interface OptimizeFlags {
  data?: string;
  config?: string;
  policy?: PolicyName;
  horizon?: number;
  forecast?: string;
  out?: string;
  json?: boolean;
}

/** `--horizon`: hours above 0. */
const horizonHours = numberReader(
  "a number of hours above 0",
  (hours) => Number.isFinite(hours) && hours > 0,
);

export async function runOptimizeHousehold(ctx: CommandContext, flags: OptimizeFlags) {
  if (flags.data === undefined) throw new InputError("E_USAGE", "--data <csv>: required");
  if (flags.config === undefined) throw new InputError("E_USAGE", "--config <json>: required");
  const { policy, horizon } = flags;
  if (policy === undefined)
    throw new InputError("E_USAGE", `--policy: required, one of ${POLICIES.join(", ")}`);
  const bar =
    policy === "mpc"
      ? progressBar(ctx, "mpc [{bar}] {percentage}% | {value}/{total} steps | {eta_formatted} left")
      : undefined;
  try {
    const o = await optimizeHousehold({
      dataPath: flags.data,
      configPath: flags.config,
      policy,
      ...(horizon === undefined ? {} : { horizonHours: horizon }),
      ...(flags.forecast === undefined ? {} : { forecast: flags.forecast }),
      onStep: (t, steps) => {
        if (t === 0) bar?.start(steps, 0);
        if (t % Math.max(1, Math.floor(steps / 200)) === 0 || t === steps - 1) bar?.update(t + 1);
      },
    });
    bar?.stop();
    const doc = householdRecord(o);
    const problem = o.household.problem;
    if (flags.out !== undefined) {
      const tmp = join(flags.out, ".optimize-partial");
      await mkdir(tmp, { recursive: true });
      await writeFileAtomic(
        join(tmp, "trajectory.csv"),
        toCsv([...TRAJECTORY_COLUMNS], trajectoryRecords(problem, o.run.schedule)),
      );
      await writeFileAtomic(join(tmp, "summary.json"), toJson(doc));
      for (const f of ["trajectory.csv", "summary.json"])
        await rename(join(tmp, f), join(flags.out, f));
      await rm(tmp, { recursive: true, force: true });
      ctx.io.stderr.write(`wrote ${flags.out}/: trajectory.csv, summary.json\n`);
    }
    if (flags.json) {
      ctx.io.stdout.write(toJson(doc));
      return doc;
    }
    ctx.io.stdout.write(householdText(o, doc));
    return doc;
  } finally {
    bar?.stop();
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
    .addOption(
      flagOption(
        "--policy <rule|perfect|mpc>",
        "self-consumption rule, perfect-foresight optimum, or MPC",
        choiceReader(POLICIES),
      ).makeOptionMandatory(),
    )
    .addOption(
      flagOption(
        "--horizon <hours>",
        "MPC horizon in hours (default: config mpc.horizon_hours or 24)",
        horizonHours,
      ),
    )
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
  registerOptimizeCommunity(optimize, ctx);
}
