/**
 * Optimising the community: every home battery and the community battery scheduled together for
 * the lowest community cost (rolling windows), the community battery's benefit split among the
 * members, and, with a demand-response event, its peak reduction and cost.
 */
import { InputError } from "../core/errors.js";
import { MS_PER_MINUTE } from "../core/time.js";
import { loadScenarioFile } from "../formats/scenario.js";
import { type CommunityProblem, communityBatteryBenefit } from "../optimize/community.js";
import { round } from "../optimize/records.js";
import { HighsSolver } from "../runtime/highsSolver.js";
import { communityProblemOf } from "../sim/batteryPlans.js";

/** A demand-response event: a cap on the community's import, or a price on it, over a window. */
export interface DemandResponseEvent {
  readonly startMs: number;
  readonly endMs: number;
  readonly importCapKw?: number | undefined;
  readonly priceAdderPerKwh?: number | undefined;
}

export interface OptimizeCommunityOptions {
  readonly scenarioPath: string;
  /** Only the first days of the period. */
  readonly days?: number;
  /** Draw this many homes from the scenario's. */
  readonly homes?: number;
  /** Each solve sees this far ahead and keeps the first half, hours (default 48). */
  readonly windowHours?: number;
  readonly event?: DemandResponseEvent;
}

/** The event as steps of the simulation; throws naming `dr_start` or `dr_end` when outside. */
function eventSteps(e: DemandResponseEvent, startMs: number, stepMinutes: number, steps: number) {
  const step = (ms: number, field: "dr_start" | "dr_end") => {
    const k = Math.round((ms - startMs) / (stepMinutes * MS_PER_MINUTE));
    if (k < 0 || k > steps)
      throw new InputError(
        "E_USAGE",
        `${field}: ${new Date(ms).toISOString()} is outside the simulated period`,
        {
          details: { field },
        },
      );
    return k;
  };
  const startStep = step(e.startMs, "dr_start");
  const endStep = step(e.endMs, "dr_end");
  if (endStep <= startStep)
    throw new InputError("E_USAGE", "dr_end: must be after the event's start", {
      details: { field: "dr_end" },
    });
  return {
    name: "event",
    startStep,
    endStep,
    importCapKw: e.importCapKw,
    priceAdderPerKwh: e.priceAdderPerKwh,
  };
}

/**
 * The community's optimum: `record` as `optimize community --json` prints it, and the community
 * battery's benefit unrounded (currency units), when there is one.
 */
export async function optimizeCommunity(options: OptimizeCommunityOptions) {
  const loaded = await loadScenarioFile(options.scenarioPath, {
    ...(options.days === undefined ? {} : { days: Math.ceil(options.days) }),
    ...(options.homes === undefined ? {} : { homes: Math.round(options.homes) }),
    ledger: false,
  });
  const input = loaded.input;
  const base = communityProblemOf(input);
  const stepsPerHour = 60 / input.stepMinutes;
  const windowSteps = Math.round((options.windowHours ?? 48) * stepsPerHour);
  const commitSteps = Math.max(1, Math.round(windowSteps / 2));
  const events = options.event
    ? [eventSteps(options.event, input.startMs, input.stepMinutes, input.count)]
    : [];
  const cb = input.communityBattery;
  const problem: CommunityProblem = {
    ...base,
    events,
    communityBattery: cb ?? undefined,
  };
  const solver = new HighsSolver();
  const t0 = performance.now();
  try {
    const windows = { windowSteps, commitSteps };
    const { withBattery, benefit } = await communityBatteryBenefit(problem, solver, windows);
    let dr: Record<string, unknown> | null = null;
    const e = events[0];
    if (e !== undefined) {
      const { withBattery: free } = await communityBatteryBenefit(
        { ...problem, events: [] },
        solver,
        windows,
      );
      const peak = (imp: Float64Array) => {
        let p = 0;
        for (let t = e.startStep; t < e.endStep; t++) p = Math.max(p, imp[t] as number);
        return p;
      };
      dr = {
        start: problem.labels[e.startStep],
        end: problem.labels[e.endStep] ?? "end of period",
        import_cap_kw: e.importCapKw ?? null,
        price_per_kwh: e.priceAdderPerKwh ?? null,
        peak_without_event_kw: round(peak(free.importKw), 3),
        peak_kw: round(peak(withBattery.importKw), 3),
        peak_reduced_kw: round(peak(free.importKw) - peak(withBattery.importKw), 3),
        cost_of_response: round(withBattery.cost - free.cost, 4),
      };
    }
    let imported = 0;
    let exported = 0;
    for (let t = 0; t < input.count; t++) {
      imported += (withBattery.importKw[t] as number) * base.dtHours;
      exported += (withBattery.exportKw[t] as number) * base.dtHours;
    }
    const record = {
      scenario: input.name,
      homes: input.members.length,
      steps: input.count,
      window_hours: windowSteps / stepsPerHour,
      currency: input.currency,
      cost: round(withBattery.cost, 4),
      grid_import_kwh: round(imported, 3),
      grid_export_kwh: round(exported, 3),
      peak_import_kw: round(withBattery.peakImportKw, 3),
      community_battery: cb
        ? {
            cost_without: round(benefit.costWithout, 4),
            benefit: round(benefit.benefit, 4),
            members: input.members.map((m, i) => ({
              id: m.id,
              share_of_benefit: round(benefit.members[i] as number, 4),
            })),
          }
        : null,
      demand_response: dr,
      solves: solver.stats.solves,
      seconds: round((performance.now() - t0) / 1000, 3),
    };
    return { record, batteryBenefit: cb ? benefit.benefit : undefined };
  } finally {
    await solver.close();
  }
}

export type CommunityRecord = Awaited<ReturnType<typeof optimizeCommunity>>["record"];
