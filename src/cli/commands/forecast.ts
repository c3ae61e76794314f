/** `gridshare forecast backtest`: every model against persistence, walk-forward, on real data. */

import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { roundTo } from "../../core/units.js";
import { cityLearnProblem, gefcomProblem } from "../../data/forecastData.js";
import { backtest } from "../../forecast/backtest.js";
import { mlpAvailable } from "../../forecast/mlp.js";
import { MODEL_NAMES, type ModelName } from "../../forecast/models.js";
import { calendar, type ForecastData, type TargetKind } from "../../forecast/problem.js";
import type { CommandContext } from "../context.js";
import { toJson, toTable } from "../output.js";

export interface BacktestFlags {
  dataset?: string;
  data?: string;
  target?: string;
  scope?: string;
  models?: string;
  horizon?: string;
  trainDays?: string;
  refitDays?: string;
  json?: boolean;
}

const TARGETS: readonly TargetKind[] = ["pv", "load", "price", "wind"];
const EVAL_DAYS = 120;

function wholeNumber(text: string | undefined, flag: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new InputError(
      "E_USAGE",
      `${flag}: expected a whole number of at least ${min}, received ${JSON.stringify(text)}`,
    );
  return n;
}

async function problemOf(flags: BacktestFlags): Promise<ForecastData> {
  const target = (flags.target ?? "") as TargetKind;
  if (!TARGETS.includes(target))
    throw new InputError(
      "E_USAGE",
      `--target: expected one of pv, load, price, received ${JSON.stringify(flags.target)}`,
    );
  const dataset = flags.dataset ?? "citylearn";
  if (dataset === "citylearn") return cityLearnProblem(target, flags.scope ?? "community");
  if (dataset === "gefcom2014") {
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
    return gefcomProblem(flags.data, Number(m[1]));
  }
  throw new InputError(
    "E_USAGE",
    `--dataset: expected citylearn or gefcom2014, received ${JSON.stringify(dataset)}`,
  );
}

export async function runBacktest(ctx: CommandContext, flags: BacktestFlags) {
  const data = await problemOf(flags);
  const horizon = wholeNumber(flags.horizon, "--horizon", 24);
  const days = Math.floor(data.target.length / 24);
  if (data.nwp && horizon > 24)
    throw new InputError(
      "E_USAGE",
      `--horizon: the weather forecasts of ${data.name} reach 24 hours ahead; use at most 24`,
    );
  if (horizon > (days - 8) * 24)
    throw new InputError(
      "E_USAGE",
      `--horizon: ${horizon} h is longer than the data allows (${days} days)`,
    );
  const needsWeather: readonly ModelName[] = ["nwp-linear", "physical"];
  const available: ModelName[] = MODEL_NAMES.filter(
    (m) => !needsWeather.includes(m) || data.nwp !== null,
  );
  // mlp needs TensorFlow.js, an optional dependency: left out of the default when it is missing.
  let models: ModelName[] = available.filter((m) => m !== "mlp" || mlpAvailable());
  if (models.length < available.length && flags.models === undefined)
    ctx.io.stderr.write(
      "note: mlp left out: TensorFlow.js is not installed (npm install @tensorflow/tfjs to add it)\n",
    );
  if (flags.models !== undefined) {
    models = flags.models.split(",").map((m) => m.trim()) as ModelName[];
    for (const m of models)
      if (!available.includes(m))
        throw new InputError(
          "E_USAGE",
          `--models: unknown model ${JSON.stringify(m)} for ${data.name}; expected some of ${available.join(", ")}`,
        );
    if (models.includes("mlp") && !mlpAvailable())
      throw new InputError(
        "E_FORECAST_MLP_UNAVAILABLE",
        "--models mlp: the mlp model needs TensorFlow.js, which is not installed: npm install @tensorflow/tfjs (about 270 MB), or leave mlp out",
      );
  }
  const trainDays = wholeNumber(flags.trainDays, "--train-days", Math.max(14, days - EVAL_DAYS));
  if (trainDays + Math.ceil(horizon / 24) > days - 1)
    throw new InputError(
      "E_USAGE",
      `--train-days: ${trainDays} days of training leave no test data in ${days} days; use fewer`,
    );
  // The first evaluated origin: the first local midnight after the training days.
  let evalStart = trainDays * 24;
  while (evalStart < data.target.length && calendar(data, evalStart).hour !== 0) evalStart++;
  const r = backtest(data, {
    models,
    horizon,
    evalStart,
    refitDays: wholeNumber(flags.refitDays, "--refit-days", 28),
  });
  const round = (x: number) => roundTo(x, 6);
  const doc = {
    target: data.kind,
    scope: flags.scope ?? "community",
    dataset: data.name,
    horizon_hours: horizon,
    period: {
      start: data.label(r.firstRow),
      end: data.label(r.lastRow),
      first_row: r.firstRow,
      last_row: r.lastRow,
    },
    models: r.models.map((m) => ({
      name: m.name,
      mae: round(m.mae),
      rmse: round(m.rmse),
      nmae: round(m.nmae),
      skill: round(m.skill),
      pinball: round(m.pinball),
      coverage_p10_p90: round(m.coverage_p10_p90),
    })),
  };
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    ctx.io.stdout.write(
      `${data.name}, day-ahead (${horizon} h) from 00:00 each day, ${doc.period.start} to ${doc.period.end} (rows ${r.firstRow}-${r.lastRow})\n\n`,
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
    .option("--dataset <name>", "citylearn (shipped) or gefcom2014 (give --data)", "citylearn")
    .option(
      "--data <dir>",
      "with --dataset gefcom2014: the directory with power.csv and predictors.csv",
    )
    .option("--target <target>", "pv, load or price")
    .option(
      "--scope <scope>",
      "community, a home (Building_3), or zone:N for GEFCom2014",
      "community",
    )
    .option("--models <list>", `comma-separated, default all: ${MODEL_NAMES.join(", ")}`)
    .option("--horizon <hours>", "hours ahead from each origin (default 24)")
    .option(
      "--train-days <n>",
      "days before the first forecast scored (default: all but the last 120 days)",
    )
    .option("--refit-days <n>", "refit learned models every n days (default 28)")
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
