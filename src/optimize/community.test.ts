import assert from "node:assert/strict";
import { after, test } from "node:test";
import fc from "fast-check";
import type { BatterySpec } from "../home/battery.js";
import { HighsSolver } from "../runtime/highsSolver.js";
import { type CommunityProblem, communityBatteryBenefit, optimizeCommunity } from "./community.js";
import type { HouseholdProblem } from "./household.js";
import { runPerfect } from "./policies.js";
import { summarize } from "./summary.js";

const solver = new HighsSolver();
after(() => solver.close());

const lossy = (cap: number): BatterySpec => ({
  capacityKwh: cap,
  socMinKwh: 0,
  socMaxKwh: cap,
  initialKwh: cap / 2,
  maxChargeKw: cap / 2,
  maxDischargeKw: cap / 2,
  chargeEfficiency: 0.95,
  dischargeEfficiency: 0.95,
  reserveKwh: 0,
  degradationCostPerKwh: 0,
});

function home(
  load: number[],
  pv: number[],
  price: Float64Array,
  exportPrice: Float64Array,
  b?: BatterySpec,
): HouseholdProblem {
  return {
    dtHours: 1,
    labels: load.map((_, t) => `t${t}`),
    loadKw: Float64Array.from(load),
    pvKw: Float64Array.from(pv),
    importPrice: price,
    exportPrice,
    importLimitKw: Number.POSITIVE_INFINITY,
    exportLimitKw: Number.POSITIVE_INFINITY,
    peakChargePerKw: 0,
    curtailment: true,
    battery: b,
    flexibleLoads: [],
    events: [],
  };
}

function community(
  homes: HouseholdProblem[],
  over: Partial<CommunityProblem> = {},
): CommunityProblem {
  const first = homes[0] as HouseholdProblem;
  return {
    dtHours: 1,
    labels: first.labels,
    homes,
    importPrice: first.importPrice,
    exportPrice: first.exportPrice,
    importLimitKw: Number.POSITIVE_INFINITY,
    exportLimitKw: Number.POSITIVE_INFINITY,
    peakChargePerKw: 0,
    events: [],
    ...over,
  };
}

test("community: two homes without batteries share a surplus (hand-checked)", async () => {
  // Home A exports 2 kW at t0, home B needs 3 kW: the community imports 1 kW at 0.3 at t0;
  // at t1 A needs 1 kW and B exports 0.5 kW: 0.5 kW imported at 0.2. Cost 0.3 + 0.1 = 0.4.
  const price = Float64Array.of(0.3, 0.2);
  const feed = Float64Array.of(0.05, 0.05);
  const p = community([home([1, 1], [3, 0], price, feed), home([3, 0], [0, 0.5], price, feed)]);
  const s = await optimizeCommunity(p, solver);
  assert.ok(Math.abs(s.cost - 0.4) < 1e-9, String(s.cost));
  assert.ok(Math.abs((s.importKw[0] as number) - 1) < 1e-9);
  assert.ok(Math.abs((s.importKw[1] as number) - 0.5) < 1e-9);
});

test("community: the joint optimum never costs more than every home optimising alone", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          load: fc.array(fc.double({ min: 0, max: 3, noNaN: true }), {
            minLength: 6,
            maxLength: 6,
          }),
          pv: fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }),
          cap: fc.option(fc.double({ min: 1, max: 10, noNaN: true }), { nil: undefined }),
        }),
        { minLength: 2, maxLength: 4 },
      ),
      async (specs) => {
        const price = Float64Array.of(0.1, 0.1, 0.25, 0.35, 0.3, 0.15);
        const feed = new Float64Array(6).fill(0.05);
        const homes = specs.map((s) =>
          home(s.load, s.pv, price, feed, s.cap === undefined ? undefined : lossy(s.cap)),
        );
        let alone = 0;
        for (const h of homes) alone += summarize(h, await runPerfect(h, solver)).cost;
        const joint = await optimizeCommunity(community(homes), solver);
        assert.ok(joint.cost <= alone + 1e-7, `joint ${joint.cost} > alone ${alone}`);
      },
    ),
    { numRuns: 25, seed: 5 },
  );
});

test("community: a community battery's benefit is split by the members' shares", async () => {
  const n = 24;
  const price = Float64Array.from({ length: n }, (_, t) =>
    t < 7 ? 0.1 : t >= 17 && t < 21 ? 0.4 : 0.2,
  );
  const feed = new Float64Array(n).fill(0.03);
  const solar = Array.from({ length: n }, (_, t) =>
    Math.max(0, 4 * Math.sin(((t - 6) / 12) * Math.PI)),
  );
  const homes = [
    home(new Array(n).fill(1), solar, price, feed, lossy(5)),
    home(new Array(n).fill(1.5), new Array(n).fill(0), price, feed),
    home(
      new Array(n).fill(0.8),
      solar.map((x) => x * 1.5),
      price,
      feed,
    ),
  ];
  const cb = { ...lossy(20), initialKwh: 0 };
  const p = community(homes, { communityBattery: cb, shares: [0.5, 0.3, 0.2] });
  const { withBattery, benefit } = await communityBatteryBenefit(p, solver);
  assert.ok(benefit.benefit > 0.5, `a 20 kWh battery earns on this spread: ${benefit.benefit}`);
  assert.ok(Math.abs(benefit.costWithout - benefit.costWith - benefit.benefit) < 1e-12);
  assert.deepEqual(
    benefit.members.map((x) => Math.round((x / benefit.benefit) * 1000) / 1000),
    [0.5, 0.3, 0.2],
  );
  // The battery's state stays within bounds and follows its dynamics.
  let soc = 0;
  for (let t = 0; t < n; t++) {
    soc +=
      (withBattery.batteryChargeKw[t] as number) * 0.95 -
      (withBattery.batteryDischargeKw[t] as number) / 0.95;
    assert.ok(Math.abs(soc - (withBattery.batterySocKwh[t] as number)) < 1e-7);
    assert.ok(soc >= -1e-9 && soc <= 20 + 1e-9);
  }
  await assert.rejects(
    () => optimizeCommunity({ ...p, shares: [0.5, 0.5, 0.5] }, solver),
    /shares: must be 0 or more and sum to 1 \(they sum to 1\.5\)/,
  );
});

test("community: a demand-response cap holds, and windows never beat the whole-period optimum", async () => {
  const n = 48;
  const price = Float64Array.from({ length: n }, (_, t) => (t % 24 < 7 ? 0.1 : 0.3));
  const feed = new Float64Array(n).fill(0.02);
  const homes = [0, 1, 2].map((i) =>
    home(
      Array.from({ length: n }, (_, t) => 1 + 0.5 * Math.sin((t + i) / 3)),
      Array.from({ length: n }, (_, t) =>
        Math.max(0, 3 * Math.sin((((t % 24) - 6) / 12) * Math.PI)),
      ),
      price,
      feed,
      lossy(6),
    ),
  );
  const event = { name: "peak", startStep: 18, endStep: 22, importCapKw: 1.5 };
  const p = community(homes, { events: [event] });
  const full = await optimizeCommunity(p, solver);
  for (let t = 18; t < 22; t++) assert.ok((full.importKw[t] as number) <= 1.5 + 1e-7);
  const windowed = await optimizeCommunity(p, solver, { windowSteps: 24, commitSteps: 12 });
  assert.ok(windowed.cost >= full.cost - 1e-7);
  const free = await optimizeCommunity({ ...p, events: [] }, solver);
  assert.ok(full.cost >= free.cost - 1e-9, "meeting the cap never saves money");
});
