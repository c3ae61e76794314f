import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { canonicalize } from "../../src/core/canonicalJson.js";
import { kwhToWh } from "../../src/core/units.js";
import { numberColumn, parseCsv } from "../../src/formats/csv.js";
import { loadScenarioFile } from "../../src/formats/scenario.js";
import type { Order } from "../../src/market/types.js";
import { computeKpis } from "../../src/sim/kpis.js";
import { type ClearedInterval, runSimulation } from "../../src/sim/run.js";
import { stateHash } from "../../src/sim/stateHash.js";

const fixture = (name: string) => new URL(`../fixtures/sim/${name}`, import.meta.url).pathname;
const DEMO = new URL("../../scenarios/citylearn-2022.json", import.meta.url).pathname;

test("grid-only and p2p bills equal a hand computation (two homes, four hours)", async () => {
  // Flat import 0.30, feed-in 0.05 EUR/kWh, hourly. A: loads 1.0, 1.5, 0.5, 2.0 kW with 4 kWp of
  // PV at 0.5, 0.8, 0.9, 0.1 kW/kWp; B: loads 2.0, 0.5, 1.0, 1.5 kW, no PV.
  // Grid only: A exports 1.0, 1.7, 3.1 kWh (0.05 + 0.085 + 0.155 = 0.29) and imports 1.6 (0.48):
  // bill 0.19. B imports 5.0 kWh: bill 1.50.
  // Uniform, truthful (bids 0.30, asks 0.05): every local kWh trades at the midpoint 0.175. A
  // sells 1.0, 0.5 and 1.0 kWh locally (0.4375) and exports 1.2 + 2.1 (0.165): bill 0.48 - 0.6025
  // = -0.1225. B buys 2.5 kWh locally (0.4375) and imports 1.0 + 1.5 (0.75): bill 1.1875.
  const { input } = await loadScenarioFile(fixture("two-homes.json"));
  const kpis = computeKpis(await runSimulation(input));
  const bills = (key: string) => kpis[key]?.homes.map((h) => [h.id, h.total_bill]);
  assert.deepEqual(bills("grid_only"), [
    ["A", 0.19],
    ["B", 1.5],
  ]);
  assert.deepEqual(bills("p2p"), [
    ["A", -0.1225],
    ["B", 1.1875],
  ]);
  assert.equal(kpis.p2p?.saving, 0.625, "2.5 kWh traded x (0.30 - 0.05)");
  assert.equal(kpis.p2p?.local_traded_kwh, 2.5);
});

test("energy balance in every interval for every home to 1 Wh, and exact money balance", async () => {
  const { input } = await loadScenarioFile(fixture("full.json"), {
    compare: ["sdr", "mcafee", "cda"],
  });
  const seen: ClearedInterval[] = [];
  const run = await runSimulation(input, { onInterval: (c) => void seen.push(c) });
  // Consumption and generation of each home, interval by interval, from the physics and the market.
  const bought = new Map<string, number>();
  const sold = new Map<string, number>();
  const key = (v: string, i: number, t: number) => `${v}|${i}|${t}`;
  const moneyByVariant = new Map<string, number>();
  for (const c of seen) {
    c.input.orders.forEach((o: Order, j) => {
      const i = c.orderMember[j] as number;
      const filled = c.result.orderFilledWh[j] as number;
      const rest = c.result.orderGridWh[j] as number;
      assert.equal(filled + rest, o.energyWh, "an order is met locally or by the grid, exactly");
      (o.side === "buy" ? bought : sold).set(key(c.variant, i, c.step), filled + rest);
    });
    const s = c.result.summary;
    moneyByVariant.set(
      c.variant,
      (moneyByVariant.get(c.variant) ?? 0) +
        s.gridCostMicro +
        s.networkFeesMicro +
        s.budgetSurplusMicro,
    );
  }
  for (const variant of ["p2p", "sdr", "mcafee", "cda"]) {
    run.flows.forEach((f, i) => {
      for (let t = 0; t < input.count; t++) {
        const c = f.consumption[t] as number;
        const g = f.generation[t] as number;
        const direct = Math.min(c, g);
        const inflow = bought.get(key(variant, i, t)) ?? 0; // local purchases + grid (or community battery) import, Wh
        const outflow = sold.get(key(variant, i, t)) ?? 0;
        const consumptionSide = (direct + (f.batteryOut[t] as number)) * 1000 + inflow;
        const generationSide = (direct + (f.batteryIn[t] as number)) * 1000 + outflow;
        assert.ok(
          Math.abs(c * 1000 - consumptionSide) <= 1,
          `${variant} ${input.members[i]?.id} t=${t}: consumption ${c * 1000} Wh vs ${consumptionSide}`,
        );
        assert.ok(
          Math.abs(g * 1000 - generationSide) <= 1,
          `${variant} ${input.members[i]?.id} t=${t}: generation ${g * 1000} Wh vs ${generationSide}`,
        );
      }
    });
    // Money: what the homes pay net equals grid cost + network fees + what the market kept, to the micro-unit;
    // the community battery's takings (and their return to the homes) move money between accounts only.
    const acc = run.variants.find((v) => v.plan.key === variant)!;
    const homesNet = acc.homes.reduce((a, h) => a + h.paysMicro - h.receivesMicro, 0);
    assert.equal(homesNet, moneyByVariant.get(variant));
    const cbNet = acc.communityBattery.receivesMicro - acc.communityBattery.paysMicro;
    const shares = acc.homes.reduce((a, h) => a + h.communityBatteryShareMicro, 0);
    assert.equal(shares, cbNet, "the community battery's surplus is returned exactly");
  }
  // The wind turbine, EV and community battery all did something.
  assert.ok(
    input.members[2]?.windKwh?.every((x) => x > 0),
    "constant 7 m/s at 10 m gives output at 18 m",
  );
  assert.ok(run.flows[0]!.evCharge.some((x) => x > 0));
  const p2p = run.variants.find((v) => v.plan.key === "p2p")!;
  assert.ok(p2p.communityBattery.chargedKwh > 0 && p2p.communityBattery.dischargedKwh > 0);
});

test("totals in results equal the sums of the input data (CityLearn, 10 days)", async () => {
  const { input } = await loadScenarioFile(DEMO, { days: 10 });
  const kpis = computeKpis(await runSimulation(input));
  const schema = JSON.parse(
    readFileSync(new URL("../../data/citylearn-2022/schema.json", import.meta.url), "utf8"),
  ) as {
    buildings: Record<string, { pv: { attributes: { nominal_power: number } } }>;
  };
  // Rows 1..240: the data's row 0 is 23:00-24:00 on 31 July, the scenario starts at midnight.
  let load = 0;
  let pv = 0;
  for (const id of Object.keys(schema.buildings)) {
    const table = parseCsv(
      readFileSync(new URL(`../../data/citylearn-2022/${id}.csv`, import.meta.url), "utf8"),
      id,
    );
    const l = numberColumn(table, "non_shiftable_load");
    const s = numberColumn(table, "solar_generation");
    for (let r = 1; r <= 240; r++) {
      load += l[r] as number;
      pv += ((s[r] as number) * schema.buildings[id]!.pv.attributes.nominal_power) / 1000;
    }
  }
  for (const v of Object.values(kpis)) {
    assert.ok(
      Math.abs(v.consumption_kwh - load) < 0.01,
      `consumption ${v.consumption_kwh} vs data ${load}`,
    );
    assert.ok(Math.abs(v.pv_generation_kwh - pv) < 0.01, `pv ${v.pv_generation_kwh} vs data ${pv}`);
    assert.equal(
      kwhToWh(v.consumption_kwh),
      kwhToWh(v.homes.reduce((a, h) => a + h.consumption_kwh, 0)),
    );
  }
});

test("determinism: the same scenario and seed give identical results; --homes draws are seeded", async () => {
  const a = await loadScenarioFile(DEMO, { days: 5, homes: 40, compare: ["mmr"] });
  const b = await loadScenarioFile(DEMO, { days: 5, homes: 40, compare: ["mmr"] });
  assert.equal(a.input.members.length, 40);
  assert.match(a.input.members[0]!.id, /^Building_\d+#1$/);
  assert.deepEqual(
    a.input.members.map((m) => m.id),
    b.input.members.map((m) => m.id),
  );
  const ka = computeKpis(await runSimulation(a.input));
  const kb = computeKpis(await runSimulation(b.input));
  assert.equal(canonicalize(ka), canonicalize(kb));
});

test("behavior: a run's state hash repeats for the same input and changes with the input", async () => {
  const { input } = await loadScenarioFile(DEMO, { days: 3, compare: ["sdr"] });
  const a = stateHash((await runSimulation(input)).variants);
  const b = stateHash((await runSimulation(input)).variants);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, b);
  const dearer = { ...input, networkFeeMicro: input.networkFeeMicro + 1 };
  assert.notEqual(stateHash((await runSimulation(dearer)).variants), a);
});
