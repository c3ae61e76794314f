/**
 * Optimisation speed with HiGHS in its worker thread (warm):
 *  - one household, 96 steps: model build and solve reported apart, the model handed over as
 *    arrays against the same model as CPLEX LP text (the baseline, same worker);
 *  - 100 homes x 96 steps in one joint LP, against the same homes solved one by one;
 *  - a year of hourly MPC for one home (8,760+ solves, 24 h horizon).
 *
 *   npm run bench -- optimize
 */

import { readFileSync } from "node:fs";
import { LinearProgram } from "../src/core/lp.js";
import { parseCsv } from "../src/formats/csv.js";
import { loadHousehold, parseHouseholdConfig } from "../src/formats/householdConfig.js";
import { loadScenarioFile } from "../src/formats/scenario.js";
import { optimizeCommunity } from "../src/optimize/community.js";
import { addHousehold, initialState, netRows } from "../src/optimize/household.js";
import { householdForecaster } from "../src/optimize/householdForecaster.js";
import { runMpc, runPerfect } from "../src/optimize/policies.js";
import { summarize } from "../src/optimize/summary.js";
import { HighsSolver } from "../src/runtime/highsSolver.js";
import { communityProblemOf } from "../src/sim/batteryPlans.js";
import { fmt, header, machine, median } from "./stats.js";

const ROOT = new URL("..", import.meta.url).pathname;
const DATA = `${ROOT}data/ausgrid-solar-home/customer12_2011-2012.csv`;
const config = JSON.parse(readFileSync(`${ROOT}bench/solarhome/config.json`, "utf8"));
const table = parseCsv(readFileSync(DATA, "utf8"), DATA);

header(`Optimisation with HiGHS in a worker (${machine()})`);
const solver = new HighsSolver();

// 1. One household, 96 half-hour steps (two days of the solar home bench), windows over 30 days.
{
  const h = loadHousehold(parseHouseholdConfig(config, "config"), table, "config");
  const p = h.problem;
  const build: number[] = [];
  const solve: number[] = [];
  const text: number[] = [];
  const windows = 300;
  for (let i = -20; i < windows; i++) {
    const from = (Math.abs(i) * 4) % (p.loadKw.length - 96);
    const t0 = performance.now();
    const lp = new LinearProgram();
    addHousehold(lp, p, from, from + 96, initialState(p));
    const t1 = performance.now();
    const before = { ...solver.stats };
    const a = await solver.solve(lp);
    const arraysMs = solver.stats.buildMs - before.buildMs + solver.stats.solveMs - before.solveMs;
    const t2 = performance.now();
    const b = await solver.solve(lp, { format: "text" });
    const textMs = performance.now() - t2;
    if (Math.abs(a.objective - b.objective) > 1e-9) throw new Error("arrays and text disagree");
    if (i < 0) continue; // warm-up
    build.push(t1 - t0);
    solve.push(arraysMs);
    text.push(textMs);
  }
  const total = build.map((b, i) => b + (solve[i] as number));
  process.stdout.write(
    `one household, 96 steps (${windows} windows): build ${fmt(median(build), 3)} ms + solve ${fmt(median(solve), 3)} ms = ${fmt(median(total), 3)} ms median (goal 5 ms); ` +
      `as LP text instead: ${fmt(median(text), 3)} ms, ratio ${fmt(median(text) / median(solve), 2)}x\n`,
  );
}

// 2. 100 homes x 96 hourly steps (CityLearn homes drawn by the scenario loader), one joint LP.
{
  const loaded = await loadScenarioFile(`${ROOT}scenarios/citylearn-2022.json`, {
    homes: 100,
    days: 4,
    ledger: false,
  });
  const problem = communityProblemOf(loaded.input);
  const joint: number[] = [];
  let cost = 0;
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    cost = (await optimizeCommunity(problem, solver)).cost;
    if (r > 0) joint.push(performance.now() - t0);
  }
  const t1 = performance.now();
  let alone = 0;
  for (const home of problem.homes) alone += summarize(home, await runPerfect(home, solver)).cost;
  const aloneMs = performance.now() - t1;
  const lp = new LinearProgram();
  const net = netRows(96);
  problem.homes.forEach((home) => {
    addHousehold(lp, home, 0, 96, initialState(home), { gridCosts: false, netInto: net });
  });
  process.stdout.write(
    `100 homes x 96 steps jointly (${lp.variableCount.toLocaleString("en")} home variables, plus the community's): ${fmt(median(joint), 0)} ms median of 3 (goal 1,000 ms); ` +
      `the same homes one by one: ${fmt(aloneMs, 0)} ms (ratio ${fmt(aloneMs / median(joint), 2)}x); ` +
      `community cost ${fmt(cost, 2)} jointly vs ${fmt(alone, 2)} alone\n`,
  );
}

// 3. A year of hourly MPC for one home: the bench's household on hourly data for 2011-07-01 to
//    2012-06-29 (8,760 hours), persistence forecast, 24 h horizon.
{
  const hourly = ["time,GC,GG"];
  const cells = table.columns;
  for (let r = 0; r + 1 < table.rowCount; r += 2) {
    const gc = (Number(cells[1]?.[r]) + Number(cells[1]?.[r + 1])) / 2;
    const gg = (Number(cells[2]?.[r]) + Number(cells[2]?.[r + 1])) / 2;
    hourly.push(`${cells[0]?.[r]},${gc},${gg}`);
  }
  const yearConfig = {
    ...config,
    period: { start: "2011-07-02 00:00", days: 365 },
    data: { ...config.data, time_column: "time" },
  };
  const h = loadHousehold(
    parseHouseholdConfig(yearConfig, "year"),
    parseCsv(hourly.join("\n"), "hourly"),
    "year",
  );
  const before = { ...solver.stats };
  const t0 = performance.now();
  const s = await runMpc(h.problem, solver, {
    horizonSteps: 24,
    forecaster: householdForecaster(h, "persistence"),
  });
  const seconds = (performance.now() - t0) / 1000;
  const solves = solver.stats.solves - before.solves;
  process.stdout.write(
    `one year of hourly MPC (${solves.toLocaleString("en")} solves, 24 h horizon): ${fmt(seconds, 1)} s (goal 60 s), ` +
      `${fmt((1000 * seconds) / solves, 2)} ms per step (build ${fmt((solver.stats.buildMs - before.buildMs) / solves, 3)} ms, solve ${fmt((solver.stats.solveMs - before.solveMs) / solves, 3)} ms); ` +
      `cost ${fmt(summarize(h.problem, s).costPerDay, 4)} EUR/day\n`,
  );
}
await solver.close();
