/** `gridshare forecast backtest`: every model against persistence, walk-forward, on real data. */
import type { Command } from "commander";
import { type BacktestSource, forecastBacktest } from "../../app/forecastBacktest.js";
import { InputError } from "../../core/errors.js";
import { MODEL_NAMES } from "../../forecast/models.js";
import type { TargetKind } from "../../forecast/problem.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, numberReader, usageError } from "../flags.js";
import { toJson, toTable } from "../output.js";

export interface BacktestFlags {
  dataset: "citylearn" | "gefcom2014";
  data?: string;
  target?: TargetKind;
  scope?: string;
  models?: string;
  horizon?: number;
  trainDays?: number;
  refitDays?: number;
  json?: boolean;
}

const TARGETS: readonly TargetKind[] = ["pv", "load", "price", "wind"];
/** What a wrong --target is told (wind is accepted as well). */
const TARGETS_EXPECTED = "one of pv, load, price";

/** A whole number of at least 1. */
const wholeNumber = numberReader(
  "a whole number of at least 1",
  (n) => Number.isInteger(n) && n >= 1,
);

function sourceOf(flags: BacktestFlags): BacktestSource {
  const { target, dataset } = flags;
  if (target === undefined) throw usageError("--target", TARGETS_EXPECTED, undefined);
  if (dataset === "citylearn") return { dataset, target, scope: flags.scope ?? "community" };
  if (flags.data === undefined)
    throw new InputError(
      "E_USAGE",
      "--data <dir>: required with --dataset gefcom2014 (the directory with power.csv and predictors.csv; the set is not shipped)",
    );
  if (target !== "pv") throw new InputError("E_USAGE", "--target: GEFCom2014 solar has only pv");
  const m = /^zone:([123])$/.exec(flags.scope ?? "");
  if (!m)
    throw new InputError(
      "E_USAGE",
      `--scope: expected zone:1, zone:2 or zone:3, received ${JSON.stringify(flags.scope)}`,
    );
  return { dataset, dataDir: flags.data, zone: Number(m[1]) };
}

export async function runBacktest(ctx: CommandContext, flags: BacktestFlags) {
  const source = sourceOf(flags);
  const { horizon, trainDays, refitDays } = flags;
  const { data, record: doc } = await forecastBacktest({
    source,
    ...(horizon === undefined ? {} : { horizon }),
    ...(trainDays === undefined ? {} : { trainDays }),
    ...(refitDays === undefined ? {} : { refitDays }),
    ...(flags.models === undefined ? {} : { models: flags.models.split(",").map((m) => m.trim()) }),
    onNote: (note) => ctx.io.stderr.write(`note: ${note}\n`),
  });
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    ctx.io.stdout.write(
      `${data.name}, day-ahead (${doc.horizon_hours} h) from 00:00 each day, ${doc.period.start} to ${doc.period.end} (rows ${doc.period.first_row}-${doc.period.last_row})\n\n`,
    );
    ctx.io.stdout.write(
      toTable(
        ["model", "MAE", "RMSE", "nMAE", "skill", "pinball", "P10-P90"],
        doc.models.map((m) => ({
          model: m.name,
          MAE: m.mae.toFixed(4),
          RMSE: m.rmse.toFixed(4),
          nMAE: m.nmae.toFixed(3),
          skill: m.skill.toFixed(3),
          pinball: m.pinball.toFixed(5),
          "P10-P90": `${(100 * m.coverage_p10_p90).toFixed(1)} %`,
        })),
      ),
    );
  }
  return doc;
}

export function registerForecast(program: Command, ctx: CommandContext): void {
  const forecast = program
    .command("forecast")
    .description("forecasts of PV, load and prices, and their honest evaluation");
  forecast
    .command("backtest")
    .description("walk-forward backtest of every model against persistence, day-ahead from 00:00")
    .addOption(
      flagOption(
        "--dataset <name>",
        "citylearn (shipped) or gefcom2014 (give --data)",
        choiceReader(["citylearn", "gefcom2014"] as const, "citylearn or gefcom2014"),
      ).default("citylearn"),
    )
    .option(
      "--data <dir>",
      "with --dataset gefcom2014: the directory with power.csv and predictors.csv",
    )
    .addOption(
      flagOption("--target <target>", "pv, load or price", choiceReader(TARGETS, TARGETS_EXPECTED)),
    )
    .option(
      "--scope <scope>",
      "community, a home (Building_3), or zone:N for GEFCom2014",
      "community",
    )
    .option("--models <list>", `comma-separated, default all: ${MODEL_NAMES.join(", ")}`)
    .addOption(
      flagOption("--horizon <hours>", "hours ahead from each origin (default 24)", wholeNumber),
    )
    .addOption(
      flagOption(
        "--train-days <n>",
        "days before the first forecast scored (default: all but the last 120 days)",
        wholeNumber,
      ),
    )
    .addOption(
      flagOption("--refit-days <n>", "refit learned models every n days (default 28)", wholeNumber),
    )
    .option("--json", "print { target, scope, horizon_hours, period, models: [...] }")
    .addHelpText(
      "after",
      `
Examples:
  gridshare forecast backtest --dataset citylearn --target load --scope community
  gridshare forecast backtest --dataset gefcom2014 --data <dir> --target pv --scope zone:1 --json`,
    )
    .action(async (flags: BacktestFlags) => {
      await runBacktest(ctx, flags);
    });
}
