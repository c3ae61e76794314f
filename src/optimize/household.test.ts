import assert from "node:assert/strict";
import { after, test } from "node:test";
import fc from "fast-check";
import { InputError } from "../core/errors.js";
import type { BatterySpec } from "../home/battery.js";
import { HighsSolver } from "../runtime/highsSolver.js";
import type { HouseholdProblem, Schedule } from "./household.js";
import { type Forecaster, MpcController, runMpc, runPerfect, runRule } from "./policies.js";
import { summarize, worstImbalance } from "./summary.js";

const solver = new HighsSolver();
after(() => solver.close());

function battery(over: Partial<BatterySpec> = {}): BatterySpec {
  return {
    capacityKwh: 2,
    socMinKwh: 0,
    socMaxKwh: 2,
    initialKwh: 0,
    maxChargeKw: Number.POSITIVE_INFINITY,
    maxDischargeKw: Number.POSITIVE_INFINITY,
    chargeEfficiency: 1,
    dischargeEfficiency: 1,
    reserveKwh: 0,
    degradationCostPerKwh: 0,
    ...over,
  };
}

function household(
  load: number[],
  pv: number[],
  price: number[],
  over: Partial<HouseholdProblem> = {},
): HouseholdProblem {
  return {
    dtHours: 1,
    labels: load.map((_, t) => `t${t}`),
    loadKw: Float64Array.from(load),
    pvKw: Float64Array.from(pv),
    importPrice: Float64Array.from(price),
    exportPrice: new Float64Array(load.length),
    importLimitKw: Number.POSITIVE_INFINITY,
    exportLimitKw: 0,
    peakChargePerKw: 0,
    curtailment: true,
    flexibleLoads: [],
    events: [],
    ...over,
  };
}

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b} by more than ${tol}`);

function checkInvariants(p: HouseholdProblem, s: Schedule): void {
  assert.ok(worstImbalance(p, s) < 1e-7, "energy balance holds every step");
  const b = p.battery;
  for (let t = 0; t < p.loadKw.length; t++) {
    if (b) {
      const soc = s.socKwh[t] as number;
      assert.ok(soc >= Math.max(b.socMinKwh, b.reserveKwh) - 1e-7 && soc <= b.socMaxKwh + 1e-7);
      const prev = t === 0 ? b.initialKwh : (s.socKwh[t - 1] as number);
      const expected =
        prev +
        ((s.chargeKw[t] as number) * b.chargeEfficiency -
          (s.dischargeKw[t] as number) / b.dischargeEfficiency) *
          p.dtHours;
      close(soc, expected, 1e-7);
    }
    assert.ok((s.importKw[t] as number) <= p.importLimitKw + 1e-7);
    assert.ok((s.curtailKw[t] as number) <= Math.max(0, p.pvKw[t] as number) + 1e-7);
  }
}

test("household: a 3-step day with a lossy battery has the hand-computed optimum", async () => {
  // Buy 2/0.9 kWh at 0.1 to fill the battery; it gives back 1.8 kWh at t1 (price 0.4), the grid
  // covers the other 0.2 kWh at t1 and 1 kWh at t2 (0.2): 0.2222 + 0.08 + 0.2 = 0.502222.
  const p = household([0, 2, 1], [0, 0, 0], [0.1, 0.4, 0.2], {
    battery: battery({ chargeEfficiency: 0.9, dischargeEfficiency: 0.9 }),
  });
  const s = await runPerfect(p, solver);
  close(summarize(p, s).cost, 2 / 0.9 / 10 + 0.08 + 0.2, 1e-9);
  close(s.chargeKw[0] as number, 2 / 0.9, 1e-9);
  close(s.dischargeKw[1] as number, 1.8, 1e-9);
  checkInvariants(p, s);
  // The rule cannot charge from the grid and there is no PV: it pays the full 1.0.
  close(summarize(p, runRule(p)).cost, 1.0);
});

/**
 * Brute force for a lossless battery: dynamic programming over states of charge on a grid of
 * `q` kWh. The storage problem is a network flow (its matrix is totally unimodular), so with
 * every input a multiple of q the LP optimum lies on that grid and the two must agree exactly.
 */
function dpOptimum(p: HouseholdProblem, q: number): number {
  const b = p.battery as BatterySpec;
  const levels = Math.round(b.socMaxKwh / q);
  let cost = new Float64Array(levels + 1).fill(Number.POSITIVE_INFINITY);
  cost[Math.round(b.initialKwh / q)] = 0;
  for (let t = 0; t < p.loadKw.length; t++) {
    const next = new Float64Array(levels + 1).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i <= levels; i++) {
      if (!Number.isFinite(cost[i] as number)) continue;
      for (let j = 0; j <= levels; j++) {
        const power = (j - i) * q; // kW into the battery (dt = 1 h)
        if (power > b.maxChargeKw + 1e-9 || -power > b.maxDischargeKw + 1e-9) continue;
        const net = (p.loadKw[t] as number) - (p.pvKw[t] as number) + power;
        if (net < 0 && -net > (p.pvKw[t] as number) + 1e-9) continue; // nowhere to put it
        const imp = Math.max(0, net);
        if (imp > p.importLimitKw + 1e-9) continue;
        const c = (cost[i] as number) + imp * (p.importPrice[t] as number);
        if (c < (next[j] as number)) next[j] = c;
      }
    }
    cost = next;
  }
  return Math.min(...cost);
}

test("household: the LP optimum equals dynamic programming on random lossless days", async () => {
  const half = (max: number) => fc.integer({ min: 0, max: 2 * max }).map((k) => k / 2);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 6 }).chain((n) =>
        fc.record({
          load: fc.array(half(3), { minLength: n, maxLength: n }),
          pv: fc.array(half(3), { minLength: n, maxLength: n }),
          price: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
          cap: fc.integer({ min: 1, max: 8 }).map((k) => k / 2),
          start: fc.integer({ min: 0, max: 8 }),
          power: fc.option(
            fc.integer({ min: 1, max: 4 }).map((k) => k / 2),
            { nil: undefined },
          ),
          limit: fc.option(
            fc.integer({ min: 2, max: 8 }).map((k) => k / 2),
            { nil: undefined },
          ),
        }),
      ),
      async ({ load, pv, price, cap, start, power, limit }) => {
        const p = household(load, pv, price, {
          battery: battery({
            capacityKwh: cap,
            socMaxKwh: cap,
            initialKwh: Math.min(cap, start / 2),
            maxChargeKw: power ?? Number.POSITIVE_INFINITY,
            maxDischargeKw: power ?? Number.POSITIVE_INFINITY,
          }),
          importLimitKw: limit ?? Number.POSITIVE_INFINITY,
        });
        const expected = dpOptimum(p, 0.5);
        let s: Schedule;
        try {
          s = await runPerfect(p, solver);
        } catch (error) {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(expected, Number.POSITIVE_INFINITY, "LP infeasible only when DP is");
          return;
        }
        close(summarize(p, s).cost, expected, 1e-7);
        checkInvariants(p, s);
        // The optimum is a lower bound on the rule whenever the rule keeps within the limits.
        const rule = runRule(p);
        if (summarize(p, rule).unservedKwh === 0)
          assert.ok(summarize(p, rule).cost >= expected - 1e-9);
      },
    ),
    { numRuns: 120, seed: 11 },
  );
});

test("household: with losses and positive prices the optimum never charges and discharges at once", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 3, noNaN: true }),
          fc.double({ min: 0, max: 4, noNaN: true }),
          fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        ),
        { minLength: 3, maxLength: 24 },
      ),
      async (steps) => {
        const p = household(
          steps.map((s) => s[0]),
          steps.map((s) => s[1]),
          steps.map((s) => s[2]),
          {
            battery: battery({
              capacityKwh: 5,
              socMaxKwh: 5,
              initialKwh: 2,
              chargeEfficiency: 0.95,
              dischargeEfficiency: 0.95,
              maxChargeKw: 3,
              maxDischargeKw: 3,
            }),
            exportLimitKw: 5,
            exportPrice: new Float64Array(steps.length).fill(0.04),
          },
        );
        const s = await runPerfect(p, solver);
        checkInvariants(p, s);
        for (let t = 0; t < steps.length; t++)
          assert.ok(
            Math.min(s.chargeKw[t] as number, s.dischargeKw[t] as number) < 1e-7,
            `step ${t}`,
          );
        assert.ok(summarize(p, s).cost <= summarize(p, runRule(p)).cost + 1e-9);
      },
    ),
    { numRuns: 40, seed: 3 },
  );
});

test("household: MPC with a perfect forecast over the whole period is the perfect optimum", async () => {
  const load = [0.5, 0.4, 1.2, 2.0, 1.5, 0.8, 0.6, 1.1];
  const pv = [0, 0.5, 2.5, 3.0, 1.0, 0.2, 0, 0];
  const price = [0.1, 0.1, 0.2, 0.3, 0.3, 0.2, 0.1, 0.1];
  const p = household(load, pv, price, {
    battery: battery({ capacityKwh: 3, socMaxKwh: 3, initialKwh: 1 }),
  });
  const perfectForecast: Forecaster = {
    name: "perfect",
    forecast: (t, h) => ({ loadKw: p.loadKw.slice(t, t + h), pvKw: p.pvKw.slice(t, t + h) }),
  };
  const opt = summarize(p, await runPerfect(p, solver)).cost;
  const mpc = await runMpc(p, solver, { horizonSteps: load.length, forecaster: perfectForecast });
  checkInvariants(p, mpc);
  close(summarize(p, mpc).cost, opt, 1e-9);
  // A short horizon with a wrong forecast is never better than the optimum.
  const flat: Forecaster = {
    name: "flat",
    forecast: (_t, h) => ({
      loadKw: new Float64Array(h).fill(1),
      pvKw: new Float64Array(h).fill(1),
    }),
  };
  const worse = await runMpc(p, solver, { horizonSteps: 3, forecaster: flat });
  checkInvariants(p, worse);
  assert.ok(summarize(p, worse).cost >= opt - 1e-9);
});

test("household: an EV that cannot be charged in time is reported with the reason", async () => {
  const n = 10;
  const p = household(new Array(n).fill(0.5), new Array(n).fill(0), new Array(n).fill(0.2), {
    ev: {
      capacityKwh: 60,
      chargerKw: 3.7,
      efficiency: 0.9,
      vehicleToHome: false,
      sessions: [{ arriveStep: 2, departStep: 6, arrivalKwh: 10, requiredKwh: 30 }],
    },
  });
  for (const run of [() => runPerfect(p, solver), async () => runRule(p)]) {
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, "E_INFEASIBLE");
      assert.match(error.message, /ev\.sessions\[0\]: the EV cannot be charged in time/);
      assert.match(error.message, /arrives at t2 with 10 kWh and must leave at t6 with 30 kWh/);
      assert.match(error.message, /reach at most 23\.32 kWh/);
      return true;
    });
  }
});

test("household: EV, vehicle-to-home, a flexible load and a demand-response cap together", async () => {
  const n = 24;
  const price = Array.from({ length: n }, (_, t) => (t < 6 ? 0.1 : t >= 17 && t < 21 ? 0.4 : 0.2));
  const load = Array.from({ length: n }, (_, t) => (t >= 17 && t < 22 ? 2.5 : 0.6));
  const pv = Array.from({ length: n }, (_, t) =>
    Math.max(0, 3 * Math.sin(((t - 6) / 12) * Math.PI)),
  );
  const p = household(load, pv, price, {
    battery: battery({
      capacityKwh: 5,
      socMaxKwh: 5,
      initialKwh: 1,
      maxChargeKw: 2.5,
      maxDischargeKw: 2.5,
      chargeEfficiency: 0.95,
      dischargeEfficiency: 0.95,
      reserveKwh: 0.5,
    }),
    ev: {
      capacityKwh: 40,
      chargerKw: 7,
      efficiency: 0.9,
      vehicleToHome: true,
      sessions: [
        { arriveStep: 0, departStep: 8, arrivalKwh: 12, requiredKwh: 30 },
        { arriveStep: 18, departStep: 24, arrivalKwh: 20, requiredKwh: 15 },
      ],
    },
    flexibleLoads: [{ name: "dishwasher", energyKwh: 1.5, startStep: 9, endStep: 16, maxKw: 1 }],
    events: [{ name: "evening peak", startStep: 17, endStep: 21, importCapKw: 1 }],
    importLimitKw: 10,
  });
  const s = await runPerfect(p, solver);
  checkInvariants(p, s);
  for (let t = 17; t < 21; t++) assert.ok((s.importKw[t] as number) <= 1 + 1e-7, `cap at ${t}`);
  assert.ok((s.evSocKwh[7] as number) >= 30 - 1e-7, "EV leaves with what it needs");
  assert.ok((s.evSocKwh[23] as number) >= 15 - 1e-7);
  const flex = s.flexKw[0] as Float64Array;
  close(
    flex.reduce((a, x) => a + x, 0),
    1.5,
    1e-7,
  );
  for (let t = 0; t < n; t++) if (t < 9 || t >= 16) assert.equal(flex[t], 0);
  for (let t = 0; t < n; t++) assert.ok((s.socKwh[t] as number) >= 0.5 - 1e-7, "reserve kept");
  // The same home without the event: the cap binds, so the optimum costs more with it.
  const free = await runPerfect({ ...p, events: [] }, solver);
  assert.ok(summarize(p, s).cost >= summarize(p, free).cost - 1e-9);
});

test("household: import beyond what grid and battery can give is refused with the step named", async () => {
  const p = household([1, 5, 1], [0, 0, 0], [0.2, 0.2, 0.2], {
    importLimitKw: 3,
    battery: battery({ maxDischargeKw: 1 }),
  });
  await assert.rejects(
    () => runPerfect(p, solver),
    /step 1 \(t1\): load exceeds supply: 5 kW net of PV, but the grid gives at most 3 kW and the battery 1 kW/,
  );
  // With a value of lost load the shortfall is shed and priced instead.
  const s = await runPerfect({ ...p, valueOfLostLoadPerKwh: 5 }, solver);
  assert.ok((s.unservedKw[1] as number) > 0);
  checkInvariants(p, s);
});

test("MPC over a year of minutes: the controller starts and plans its first steps", async () => {
  const n = 525_600;
  const p = household(new Array(n).fill(0.5), new Array(n).fill(0), new Array(n).fill(0.2), {
    dtHours: 1 / 60,
    battery: battery(),
  });
  const mpc = new MpcController(p, solver, {
    horizonSteps: 30,
    forecaster: {
      name: "flat",
      forecast: (_, h) => ({ loadKw: new Float64Array(h).fill(0.5), pvKw: new Float64Array(h) }),
    },
  });
  for (let t = 0; t < 3; t++) await mpc.step(t);
  close(mpc.schedule.importKw[0] as number, 0.5, 1e-7);
});
