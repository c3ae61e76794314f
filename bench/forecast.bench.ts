/**
 * Forecast backtests at full size: 4 models (persistence, climatology, ridge, gbt) over each of
 * the 17 CityLearn homes' load, one year hourly, day-ahead from 00:00, the last 120 days scored
 * (goal 60 s); and, when GEFCOM2014_DIR names the GEFCom2014 solar directory (not shipped), its
 * 3 zones with every model (goal 60 s).
 *
 *   npm run bench -- forecast
 */

import { backtest } from "../src/forecast/backtest.js";
import { MODEL_NAMES } from "../src/forecast/models.js";
import { dailyOrigins, type ForecastData } from "../src/forecast/problem.js";
import { loadCityLearn } from "../src/formats/datasets.js";
import { cityLearnProblem, gefcomProblem } from "../src/formats/forecastData.js";
import { fmt, header, machine } from "./stats.js";

header(`Forecast backtests (${machine()})`);
const evalStartOf = (data: ForecastData) => {
  const origins = dailyOrigins(data);
  return origins[origins.length - 121] as number;
};
const homes = [...(await loadCityLearn()).homes.keys()];
let t0 = performance.now();
const skills: number[] = [];
for (const id of homes) {
  const data = await cityLearnProblem("load", id);
  const r = backtest(data, {
    models: ["persistence", "climatology", "ridge", "gbt"],
    horizon: 24,
    evalStart: evalStartOf(data),
  });
  skills.push(r.models.find((m) => m.name === "ridge")?.skill ?? Number.NaN);
}
const homesMs = performance.now() - t0;
process.stdout.write(
  `CityLearn, 17 homes' load x 4 models, last 120 days: ${fmt(homesMs / 1000, 1)} s (goal 60 s); ridge skill per home from ${fmt(Math.min(...skills), 3)} to ${fmt(Math.max(...skills), 3)}\n`,
);
const dir = process.env.GEFCOM2014_DIR;
if (dir) {
  t0 = performance.now();
  for (const zone of [1, 2, 3]) {
    const data = await gefcomProblem(dir, zone);
    const r = backtest(data, {
      models: [...MODEL_NAMES],
      horizon: 24,
      evalStart: evalStartOf(data),
    });
    process.stdout.write(
      `  zone ${zone}: ${r.models.map((m) => `${m.name} ${fmt(m.skill, 3)}`).join(", ")}\n`,
    );
  }
  process.stdout.write(
    `GEFCom2014, 3 zones x ${MODEL_NAMES.length} models: ${fmt((performance.now() - t0) / 1000, 1)} s (goal 60 s)\n`,
  );
} else
  process.stdout.write(
    "GEFCom2014: set GEFCOM2014_DIR to its directory to time it (the set is not shipped)\n",
  );
