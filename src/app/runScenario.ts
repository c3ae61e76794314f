/**
 * A scenario run with its home batteries on the run's battery policy: the self-consumption rule,
 * the joint community optimum (planned before the run), or each home's own MPC (planned inside
 * the run, interval by interval). The solver lives only as long as the run.
 */
import { HighsSolver } from "../runtime/highsSolver.js";
import { mpcController, perfectBatteryPlans } from "../sim/batteryPlans.js";
import { type RunHooks, runSimulation, type SimulationRun } from "../sim/run.js";
import type { SimulationInput } from "../sim/types.js";

export interface PolicyRun {
  readonly run: SimulationRun;
  /** Time spent planning batteries (inside the run for MPC), seconds. */
  readonly planSeconds: number;
}

export async function runWithBatteryPolicy(
  input: SimulationInput,
  hooks: RunHooks = {},
): Promise<PolicyRun> {
  const policy = input.batteryPolicy ?? "rule";
  if (policy === "rule") return { run: await runSimulation(input, hooks), planSeconds: 0 };
  const solver = new HighsSolver();
  let planMs = 0;
  try {
    if (policy === "perfect") {
      const t0 = performance.now();
      const plans = await perfectBatteryPlans(input, solver);
      planMs = performance.now() - t0;
      const run = await runSimulation({ ...input, batteryPlans: plans }, hooks);
      return { run, planSeconds: planMs / 1000 };
    }
    const mpc = mpcController(input, solver);
    const run = await runSimulation(input, hooks, {
      steers: (i) => mpc.steers(i),
      async decide(i, t, agent) {
        const t0 = performance.now();
        const kwh = await mpc.decide(i, t, agent);
        planMs += performance.now() - t0;
        return kwh;
      },
    });
    return { run, planSeconds: planMs / 1000 };
  } finally {
    await solver.close();
  }
}
