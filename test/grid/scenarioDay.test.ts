import assert from "node:assert/strict";
import { test } from "node:test";
import { loadFeederDir } from "../../src/formats/feederFiles.js";
import { loadScenarioFile } from "../../src/formats/scenario.js";
import { runSimulation } from "../../src/sim/run.js";
import { runCli } from "../support/cli.js";

const FEEDER = new URL("../../data/ieee-eulv", import.meta.url).pathname;
const SCENARIO = new URL("../../scenarios/all-features.json", import.meta.url).pathname;

test("powerflow --day --scenario: the scenario's homes replace the first loads, energy for energy", async () => {
  const withScenario = await runCli([
    "powerflow",
    "--feeder",
    FEEDER,
    "--day",
    "--scenario",
    SCENARIO,
  ]);
  assert.equal(withScenario.code, 0, withScenario.stderr);
  const plain = await runCli(["powerflow", "--feeder", FEEDER, "--day"]);
  const a = JSON.parse(withScenario.stdout);
  const b = JSON.parse(plain.stdout);
  assert.deepEqual(a.scenario.homes_on_feeder, 5);
  // The change in the day's net load is the homes' net energy minus the five load shapes'.
  const files = await loadFeederDir(FEEDER);
  const loads = files.feeder.spec.loads.slice(0, 5);
  let shapes = 0;
  for (let m = 1; m <= 1440; m++) {
    for (const load of loads) {
      const shape = load.shape ? files.shapes.get(load.shape.toLowerCase()) : undefined;
      shapes += (load.kw * (shape ? (shape[(m - 1) % shape.length] as number) : 1)) / 60;
    }
  }
  const { input } = await loadScenarioFile(SCENARIO, { days: 1, ledger: false });
  const run = await runSimulation(input);
  let homes = 0;
  for (const f of run.flows) for (let t = 0; t < 24; t++) homes += f.residual[t] as number;
  assert.ok(
    Math.abs(a.net_load_kwh - b.net_load_kwh - (homes - shapes)) < 0.01,
    `${a.net_load_kwh} - ${b.net_load_kwh} vs ${homes} - ${shapes}`,
  );
  const both = await runCli([
    "powerflow",
    "--feeder",
    FEEDER,
    "--day",
    "--scenario",
    SCENARIO,
    "--pv-kwp",
    "4",
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--pv-kwp: not with --scenario/);
});
