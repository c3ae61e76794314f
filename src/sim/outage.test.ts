import assert from "node:assert/strict";
import { test } from "node:test";
import { loadScenarioFile } from "../formats/scenario.js";
import { simulateOutage } from "./outage.js";

const fixture = (name: string) =>
  new URL(`../../test/fixtures/sim/${name}`, import.meta.url).pathname;

test("outage: two homes by hand, alone and sharing their PV", async () => {
  // A: load 1.0, 1.5, 0.5, 2.0 kW, PV 2.0, 3.2, 3.6, 0.4 kW; B: load 2.0, 0.5, 1.0, 1.5 kW, no PV.
  // Half of each load is critical. Alone: A misses 1.6 kWh in hour 4 (0.6 critical), B misses
  // all 5 kWh (2.5 critical). Shared: hour 1 serves both critical loads (1.5 of 2.0 kWh) and
  // 0.5 of the rest; hour 4 has 0.4 kWh for 1.75 critical: 1.35 critical and 1.75 other missed.
  const { input } = await loadScenarioFile(fixture("two-homes.json"));
  const [alonePv, aloneBat, sharedPv, sharedBat] = simulateOutage(input, {
    start: 0,
    intervals: 4,
    criticalShare: 0.5,
  });
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  close(alonePv?.notServedKwh as number, 6.6);
  close(alonePv?.criticalNotServedKwh as number, 3.1);
  assert.equal(alonePv?.homesKeepingPower, 0);
  assert.equal(alonePv?.autonomyHours, 0);
  close(alonePv?.meanHomeAutonomyHours as number, 1.5);
  close(sharedPv?.notServedKwh as number, 1.0 + 1.35 + 1.75);
  close(sharedPv?.criticalNotServedKwh as number, 1.35);
  assert.equal(sharedPv?.autonomyHours, 3);
  // Without batteries in the scenario, the battery set-ups equal the PV-only ones.
  close(aloneBat?.notServedKwh as number, alonePv?.notServedKwh as number);
  close(sharedBat?.notServedKwh as number, sharedPv?.notServedKwh as number);
});

test("outage: on the demo community, sharing and batteries each serve more", async () => {
  const { input } = await loadScenarioFile(
    new URL("../../scenarios/citylearn-2022.json", import.meta.url).pathname,
    { days: 30, ledger: false },
  );
  const r = simulateOutage(input, { start: 24 * 9 + 19, intervals: 36, criticalShare: 0.3 });
  const [alonePv, aloneBat, sharedPv, sharedBat] = r.map((x) => x.notServedKwh) as number[];
  for (const x of r) {
    assert.ok(x.notServedKwh >= 0 && x.notServedKwh <= x.demandKwh + 1e-9);
    assert.ok(x.criticalNotServedKwh <= x.notServedKwh + 1e-9);
    assert.equal(x.demandKwh, r[0]?.demandKwh);
  }
  assert.ok((sharedPv as number) <= (alonePv as number) + 1e-9, "pooling PV never serves less");
  assert.ok((aloneBat as number) < (alonePv as number), "batteries serve more");
  assert.ok((sharedBat as number) < (aloneBat as number), "sharing batteries serves more still");
});
