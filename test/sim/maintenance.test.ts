import assert from "node:assert/strict";
import { test } from "node:test";
import { loadScenarioFile } from "../../src/formats/scenario.js";
import { maintenanceOf } from "../../src/sim/maintenance.js";
import { runSimulation } from "../../src/sim/run.js";

const DEMO = new URL("../../scenarios/citylearn-2022.json", import.meta.url).pathname;

test("the demo community's maintenance: dead and misrecorded PV found, costed, with actions; the transformer assessed", async () => {
  const { input } = await loadScenarioFile(DEMO, { days: 90, ledger: false });
  const run = await runSimulation(input);
  const m = maintenanceOf(run);
  const byId = Object.fromEntries(
    m.findings.filter((f) => f.kind === "pv").map((f) => [f.subject, f]),
  );
  assert.equal(byId.Building_15?.cause, "outage");
  assert.ok((byId.Building_15?.lost_kwh ?? 0) > 1000);
  // Lost energy valued at the period's mean import price.
  const price = Array.from(input.importPriceMicro).reduce((a, b) => a + b, 0) / input.count / 1e6;
  assert.ok(
    Math.abs((byId.Building_15?.cost ?? 0) - (byId.Building_15?.lost_kwh ?? 0) * price) < 1,
  );
  assert.equal(byId.Building_14?.cause, "wrong_kwp");
  assert.equal(byId.Building_14?.cost, null);
  assert.match(byId.Building_15?.action ?? "", /inverter/);
  assert.ok(m.pv.assessed && m.pv.systems.length === 17);
  const t = m.transformer?.variants as Record<
    string,
    { equivalent_ageing: number; peak_load_pu: number }
  >;
  assert.ok(t.grid_only && t.p2p);
  assert.ok(
    (t.grid_only?.equivalent_ageing ?? 1) < 0.01,
    "a 75 kVA transformer barely ages under 17 homes",
  );
  assert.equal(m.findings.filter((f) => f.kind === "transformer").length, 0);
});

test("a transformer too small for the community: its ageing is a finding with an action", async () => {
  const loaded = await loadScenarioFile(DEMO, { days: 30, ledger: false });
  const input = {
    ...loaded.input,
    transformer: {
      ratingKva: 25,
      ambientC: loaded.input.transformer?.ambientC ?? new Float64Array(loaded.input.count).fill(25),
    },
  };
  const m = maintenanceOf(await runSimulation(input));
  const t = m.findings.filter((f) => f.kind === "transformer");
  assert.ok(t.length >= 1, JSON.stringify(m.transformer));
  assert.equal(t[0]?.cause, "ages_faster_than_nominal");
  assert.match(t[0]?.action ?? "", /EV charging/);
});
