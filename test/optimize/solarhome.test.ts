/**
 * The solar home control bench (P. Haessig, 2019, github.com/pierre-haessig/solarhome-control-bench):
 * Ausgrid customer 12, 30 days from 2011-11-29, 4 kWp PV, 8 kWh lossless battery, 3 kW grid
 * limit, no export, 0.10/0.20 EUR/kWh. The published results (the "_stat.csv" files under methods/ of
 * that repository) are the reference: the rule and the anticipative optimum have unique costs,
 * and the Julia MPC with the bench's daily-mean forecast is reproduced with the same forecast.
 */

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { loadHouseholdFiles } from "../../src/formats/householdConfig.js";
import type { BatterySpec } from "../../src/home/battery.js";
import { householdForecaster } from "../../src/optimize/householdForecaster.js";
import { runMpc, runPerfect, runRule } from "../../src/optimize/policies.js";
import { summarize, worstImbalance } from "../../src/optimize/summary.js";
import { HighsSolver } from "../../src/runtime/highsSolver.js";

const DATA = new URL("../../data/ausgrid-solar-home/customer12_2011-2012.csv", import.meta.url)
  .pathname;
const CONFIG = new URL("../../bench/solarhome/config.json", import.meta.url).pathname;
const solver = new HighsSolver();
after(() => solver.close());
const bench = await loadHouseholdFiles(DATA, CONFIG);

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs published ${b}`);

test("solarhome: the rule-based policy matches the published result", () => {
  const p = bench.problem;
  assert.equal(p.loadKw.length, 30 * 48);
  const s = runRule(p);
  const m = summarize(p, s);
  close(m.costPerDay, 0.5633069230769226, 1e-9, "cost EUR/day");
  close(m.gridKwhPerDay, 3.378017948717949, 1e-9, "grid kWh/day");
  close(m.curtailedKwhPerDay, 1.9399538461538453, 1e-9, "curtailed kWh/day");
  assert.ok(worstImbalance(p, s) < 1e-9);
});

test("solarhome: the perfect-foresight optimum matches the published anticipative optimum", async () => {
  const p = bench.problem;
  const s = await runPerfect(p, solver);
  const m = summarize(p, s);
  close(m.costPerDay, 0.35373358974358976, 1e-7, "cost EUR/day");
  close(m.gridKwhPerDay, 3.378017948717949, 1e-7, "grid kWh/day");
  close(m.curtailedKwhPerDay, 1.9650871794871794, 1e-7, "curtailed kWh/day");
  close(m.finalSocKwh, 4, 1e-7, "final state of charge (periodic)");
});

test("solarhome: MPC with the bench's daily-mean forecast reproduces the published Julia MPC", async () => {
  // As published: 24 h horizon, the mean profile of the 31 days before the test period, the
  // present step measured, no end-of-period constraint.
  const p = {
    ...bench.problem,
    battery: { ...(bench.problem.battery as BatterySpec), finalMinKwh: undefined },
  };
  const s = await runMpc(p, solver, {
    horizonSteps: 48,
    forecaster: householdForecaster(bench, "fixed-profile"),
  });
  const m = summarize(p, s);
  close(m.costPerDay, 0.5086006782464847, 1e-6, "cost EUR/day");
  close(m.gridKwhPerDay, 3.5785703060380483, 1e-5, "grid kWh/day");
  close(m.curtailedKwhPerDay, 2.140506203473945, 1e-5, "curtailed kWh/day");
  assert.ok(worstImbalance(p, s) < 1e-9);
});
