/**
 * The simulator's self-consumption rule (src/sim/physics.ts, kWh per interval) and the
 * optimiser's (src/optimize/policies.ts `runRule`, kW) are the same rule (src/home/rule.ts; they
 * were two before, and this test showed them equal before one was deleted): on the shipped
 * all-features scenario's home with a battery and an EV (CityLearn Building_1, two weeks of real
 * hourly load and PV), both give the same battery, EV and grid flows interval by interval.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadScenarioFile } from "../../src/formats/scenario.js";
import type { HouseholdProblem } from "../../src/optimize/household.js";
import { runRule } from "../../src/optimize/policies.js";
import { homeFlows } from "../../src/sim/physics.js";
import type { MemberInput } from "../../src/sim/types.js";

test("rules: the simulator's and the optimiser's self-consumption rules give the same flows", async () => {
  const { input } = await loadScenarioFile("scenarios/all-features.json");
  const m = input.members.find((x) => x.battery !== null && x.ev !== null) as MemberInput;
  assert.equal(m.id, "Building_1");
  const n = input.count;
  const dt = input.stepMinutes / 60;
  const sim = homeFlows(m, input);
  const problem: HouseholdProblem = {
    dtHours: dt,
    labels: Array.from({ length: n }, (_, t) => `t${t}`),
    loadKw: m.loadKwh.map((v) => v / dt),
    pvKw: Float64Array.from(
      { length: n },
      (_, t) => ((m.pvKwh?.[t] ?? 0) + (m.windKwh?.[t] ?? 0)) / dt,
    ),
    importPrice: new Float64Array(n).fill(0.3),
    exportPrice: new Float64Array(n).fill(0.05),
    importLimitKw: Number.POSITIVE_INFINITY,
    exportLimitKw: Number.POSITIVE_INFINITY,
    peakChargePerKw: 0,
    curtailment: false,
    battery: m.battery ?? undefined,
    ev: m.ev ?? undefined,
    flexibleLoads: [],
    events: [],
  };
  const opt = runRule(problem);
  let charged = 0;
  let evCharged = 0;
  for (let t = 0; t < n; t++) {
    const at = `interval ${t}`;
    const near = (a: number, b: number, what: string, tol = 1e-9) =>
      assert.ok(Math.abs(a - b) < tol, `${at}: ${what} ${a} (simulator) against ${b} (optimiser)`);
    near(sim.evCharge[t] as number, (opt.evChargeKw[t] as number) * dt, "EV charge");
    near(sim.batteryIn[t] as number, (opt.chargeKw[t] as number) * dt, "battery charge");
    near(sim.batteryOut[t] as number, (opt.dischargeKw[t] as number) * dt, "battery discharge");
    near(
      (sim.soc[t] as number) * sim.batteryCapacityKwh,
      opt.socKwh[t] as number,
      "state of charge",
      1e-5, // the simulator keeps it as float32
    );
    near(
      sim.residual[t] as number,
      ((opt.importKw[t] as number) - (opt.exportKw[t] as number)) * dt,
      "net position",
    );
    charged += sim.batteryIn[t] as number;
    evCharged += sim.evCharge[t] as number;
  }
  // The fixture exercises both devices: the battery cycles and the EV charges every day.
  assert.ok(charged > 20, `battery charged ${charged} kWh`);
  assert.ok(evCharged > 50, `EV charged ${evCharged} kWh`);
});
