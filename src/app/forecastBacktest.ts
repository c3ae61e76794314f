/**
 * The walk-forward, day-ahead backtest of every forecast model against persistence, on the
 * shipped CityLearn community or on GEFCom2014 solar: the models a data set allows, the days
 * trained before the first scored origin, and the scores as a record.
 */
import { InputError } from "../core/errors.js";
import { roundTo } from "../core/units.js";
import { backtest } from "../forecast/backtest.js";
import { mlpAvailable } from "../forecast/mlp.js";
import { MODEL_NAMES, type ModelName } from "../forecast/models.js";
import { calendar, type ForecastData, type TargetKind } from "../forecast/problem.js";
import { cityLearnProblem, gefcomProblem } from "../formats/forecastData.js";

/** Days scored at the end of the data by default. */
const EVAL_DAYS = 120;

export type BacktestSource =
  | { readonly dataset: "citylearn"; readonly target: TargetKind; readonly scope: string }
  | { readonly dataset: "gefcom2014"; readonly dataDir: string; readonly zone: number };

export interface BacktestOptions {
  readonly source: BacktestSource;
  /** Hours ahead from each origin (default 24). */
  readonly horizon?: number;
  /** The models to score (default: every one the data set allows). */
  readonly models?: readonly string[];
  /** Days before the first scored origin (default: all but the last 120). */
  readonly trainDays?: number;
  /** Refit learned models every this many days (default 28). */
  readonly refitDays?: number;
  readonly onNote?: (note: string) => void;
}

function usage(field: string, message: string): InputError {
  return new InputError("E_USAGE", `${field}: ${message}`, { details: { field } });
}

/** The models to score: those the data allows, and mlp only where TensorFlow.js is installed. */
function chooseModels(data: ForecastData, options: BacktestOptions): ModelName[] {
  const needsWeather: readonly ModelName[] = ["nwp-linear", "physical"];
  const available = MODEL_NAMES.filter((m) => !needsWeather.includes(m) || data.nwp !== null);
  if (options.models === undefined) {
    const models = available.filter((m) => m !== "mlp" || mlpAvailable());
    if (models.length < available.length)
      options.onNote?.(
        "mlp left out: TensorFlow.js is not installed (npm install @tensorflow/tfjs to add it)",
      );
    return models;
  }
  for (const m of options.models)
    if (!(available as readonly string[]).includes(m))
      throw usage(
        "models",
        `unknown model ${JSON.stringify(m)} for ${data.name}; expected some of ${available.join(", ")}`,
      );
  if (options.models.includes("mlp") && !mlpAvailable())
    throw new InputError(
      "E_FORECAST_MLP_UNAVAILABLE",
      "models: mlp: the mlp model needs TensorFlow.js, which is not installed: npm install @tensorflow/tfjs (about 270 MB), or leave mlp out",
      { details: { field: "models" } },
    );
  return options.models as ModelName[];
}

export async function forecastBacktest(options: BacktestOptions) {
  const { source } = options;
  const data =
    source.dataset === "citylearn"
      ? await cityLearnProblem(source.target, source.scope)
      : await gefcomProblem(source.dataDir, source.zone);
  const horizon = options.horizon ?? 24;
  const days = Math.floor(data.target.length / 24);
  if (data.nwp && horizon > 24)
    throw usage(
      "horizon",
      `the weather forecasts of ${data.name} reach 24 hours ahead; use at most 24`,
    );
  if (horizon > (days - 8) * 24)
    throw usage("horizon", `${horizon} h is longer than the data allows (${days} days)`);
  const models = chooseModels(data, options);
  const trainDays = options.trainDays ?? Math.max(14, days - EVAL_DAYS);
  if (trainDays + Math.ceil(horizon / 24) > days - 1)
    throw usage(
      "train_days",
      `${trainDays} days of training leave no test data in ${days} days; use fewer`,
    );
  // The first evaluated origin: the first local midnight after the training days.
  let evalStart = trainDays * 24;
  while (evalStart < data.target.length && calendar(data, evalStart).hour !== 0) evalStart++;
  const r = backtest(data, { models, horizon, evalStart, refitDays: options.refitDays ?? 28 });
  const round = (x: number) => roundTo(x, 6);
  return {
    data,
    record: {
      target: data.kind,
      scope: source.dataset === "citylearn" ? source.scope : `zone:${source.zone}`,
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
    },
  };
}
