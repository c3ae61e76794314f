/**
 * One loader for a home's devices (src/formats/homeDevices.ts): a scenario member takes the
 * household config's forms too, a battery in detail and flexible loads, and they run in the
 * simulator as the rule runs them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { loadScenario, parseScenario } from "../../src/formats/scenario.js";
import { homeFlows } from "../../src/sim/physics.js";

const FILE = "scenarios/all-features.json";
const raw = JSON.parse(readFileSync(FILE, "utf8"));

async function building1(member: Record<string, unknown>) {
  const doc = structuredClone(raw);
  doc.members[0] = { ...doc.members[0], ...member };
  const { input } = await loadScenario(
    parseScenario(doc, FILE),
    dirname(resolve(FILE)),
    { days: 3 },
    FILE,
  );
  const m = input.members[0] as (typeof input.members)[number];
  return { m, flows: homeFlows(m, input) };
}

test("devices: a battery given in detail runs as the same battery given by its rating", async () => {
  const rated = await building1({});
  // 6.4 kWh, 5 kW, round trip 0.9, reserve 20 %, starting half full: the same battery in detail.
  const eta = Math.sqrt(0.9);
  const detailed = await building1({
    battery: {
      capacity_kwh: 6.4,
      soc_min_kwh: 0.2 * 6.4,
      initial_kwh: 0.5 * 6.4,
      max_charge_kw: 5,
      max_discharge_kw: 5,
      charge_efficiency: eta,
      discharge_efficiency: eta,
    },
  });
  assert.deepEqual(detailed.flows.batteryIn, rated.flows.batteryIn);
  assert.deepEqual(detailed.flows.residual, rated.flows.residual);
  assert.ok(
    rated.flows.batteryIn.some((e) => e > 0),
    "the battery charges in the fixture",
  );
});

test("devices: a member's flexible load is served at once, its energy added to consumption", async () => {
  const base = await building1({});
  const flex = await building1({
    flexible_loads: [
      { name: "dishwasher", energy_kwh: 1.5, max_kw: 2, earliest: "10:00", latest: "14:00" },
    ],
  });
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const added = sum(flex.flows.consumption) - sum(base.flows.consumption);
  assert.ok(Math.abs(added - 3 * 1.5) < 1e-9, `three days of 1.5 kWh, got ${added}`);
});

test("devices: a bad device field is named with its member", async () => {
  await assert.rejects(
    building1({ battery: { capacity_kwh: 4, soc_max_kwh: 5, initial_kwh: 1 } }),
    /members\[0\]\.battery\.soc_max_kwh: at most capacity_kwh/,
  );
});
