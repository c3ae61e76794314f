/**
 * An outage of the upstream grid: for a period the community has only its own PV (and wind) and
 * batteries. Each interval, critical load is served first, then the rest; surplus charges the
 * batteries. Four set-ups are compared on the same homes and weather:
 *
 *   alone, PV only         every home on its own generation
 *   alone, with batteries  every home on its own generation and battery
 *   shared, PV only        the community's generation pooled (a microgrid without storage)
 *   shared, with batteries generation and every battery pooled
 *
 * In a shared set-up, when energy is short, whole homes lose their critical supply, the largest
 * critical demands first, so that as many homes as possible keep theirs (load shedding by home);
 * energy too little for any whole home still goes to critical demand, and non-critical demand
 * shares what is left, pro rata. The batteries start the outage with the state of charge the normal
 * simulation (self-consumption rule) gave them at that moment; the community battery, if any,
 * joins the shared set-up. EV charging waits for the grid.
 *
 * This is an energy balance per interval: it says whether there is enough energy, not whether
 * the islanded network holds its voltage and frequency.
 */
import { BatteryState } from "../home/battery.js";
import { homeFlows } from "./physics.js";
import type { SimulationInput } from "./types.js";

export type OutageSetup =
  | "alone, PV only"
  | "alone, with batteries"
  | "shared, PV only"
  | "shared, with batteries";

export const OUTAGE_SETUPS: readonly OutageSetup[] = [
  "alone, PV only",
  "alone, with batteries",
  "shared, PV only",
  "shared, with batteries",
];

export interface OutageOptions {
  /** First interval of the outage and its length in intervals. */
  readonly start: number;
  readonly intervals: number;
  /** Share of each home's load that is critical (0-1). */
  readonly criticalShare: number;
}

export interface OutageResult {
  readonly setup: OutageSetup;
  readonly demandKwh: number;
  readonly criticalDemandKwh: number;
  readonly notServedKwh: number;
  readonly criticalNotServedKwh: number;
  /** Homes whose critical load was served in every interval of the outage. */
  readonly homesKeepingPower: number;
  /** Hours from the start until the first interval in which any home's critical load went unmet (the whole outage if never). */
  readonly autonomyHours: number;
  /** Mean over homes of the hours until their own critical load first went unmet. */
  readonly meanHomeAutonomyHours: number;
  /** Per home: critical energy not served, kWh. */
  readonly homeCriticalNotServedKwh: Float64Array;
}

const EPS = 1e-9;

export function simulateOutage(input: SimulationInput, options: OutageOptions): OutageResult[] {
  const m = input.members.length;
  const dtH = input.stepMinutes / 60;
  const { start, intervals, criticalShare } = options;
  // Battery states at the outage's start from the normal run (rule dispatch) up to then.
  const before = input.members.map((member) =>
    homeFlows(member, { count: Math.max(start, 1), stepMinutes: input.stepMinutes }),
  );
  const socAtStart = before.map((f) => (start > 0 ? (f.soc[start - 1] as number) : Number.NaN));
  const demand = (i: number, t: number) => input.members[i]?.loadKwh[start + t] as number;
  const gen = (i: number, t: number) =>
    (input.members[i]?.pvKwh?.[start + t] ?? 0) + (input.members[i]?.windKwh?.[start + t] ?? 0);
  const batteryOf = (i: number) => {
    const b = input.members[i]?.battery;
    if (!b) return null;
    const soc = socAtStart[i] as number;
    return new BatteryState(b, dtH, Number.isNaN(soc) ? b.initialKwh : soc * b.capacityKwh);
  };

  return OUTAGE_SETUPS.map((setup) => {
    const shared = setup.startsWith("shared");
    const withBatteries = setup.endsWith("with batteries");
    const batteries = input.members.map((_, i) => (withBatteries ? batteryOf(i) : null));
    const community =
      withBatteries && shared && input.communityBattery
        ? new BatteryState(input.communityBattery, dtH)
        : null;
    const critUnmet = new Float64Array(m);
    const firstOut = new Float64Array(m).fill(intervals);
    let notServed = 0;
    let totalDemand = 0;
    let firstAny = intervals;
    for (let t = 0; t < intervals; t++) {
      const crit = new Float64Array(m);
      const rest = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        const d = demand(i, t);
        crit[i] = d * criticalShare;
        rest[i] = d - (crit[i] as number);
        totalDemand += d;
      }
      const unmetCrit = new Float64Array(m);
      const unmetRest = new Float64Array(m);
      if (!shared) {
        for (let i = 0; i < m; i++) {
          let supply = gen(i, t);
          const b = batteries[i];
          const need = (crit[i] as number) + (rest[i] as number);
          if (b && supply < need) supply += b.discharge(need - supply);
          const servedCrit = Math.min(crit[i] as number, supply);
          unmetCrit[i] = (crit[i] as number) - servedCrit;
          const servedRest = Math.min(rest[i] as number, supply - servedCrit);
          unmetRest[i] = (rest[i] as number) - servedRest;
          const surplus = supply - servedCrit - servedRest;
          if (b && surplus > 0) b.charge(surplus);
        }
      } else {
        let supply = 0;
        let need = 0;
        let needCrit = 0;
        for (let i = 0; i < m; i++) {
          supply += gen(i, t);
          need += (crit[i] as number) + (rest[i] as number);
          needCrit += crit[i] as number;
        }
        // Pooled storage: the community battery first, then the homes' in turn.
        const stores = [community, ...batteries].filter((b): b is BatteryState => b !== null);
        for (const b of stores) if (supply < need) supply += b.discharge(need - supply);
        // Short of energy: keep whole homes' critical supply, the smallest critical demands
        // first, so that as many homes as possible keep it; the rest is spread pro rata.
        let left = supply;
        let servedCrit = 0;
        if (left >= needCrit) {
          servedCrit = needCrit;
          left -= needCrit;
        } else {
          const order = Array.from({ length: m }, (_, i) => i).sort(
            (a, b) => (crit[a] as number) - (crit[b] as number),
          );
          let short = 0;
          for (const i of order) {
            const c = crit[i] as number;
            if (c <= left) {
              left -= c;
              servedCrit += c;
            } else {
              unmetCrit[i] = c;
              short += c;
            }
          }
          // What no whole home can use still goes to critical demand, pro rata.
          if (short > 0 && left > 0) {
            const f = left / short;
            for (let i = 0; i < m; i++) unmetCrit[i] = (unmetCrit[i] as number) * (1 - f);
            servedCrit += left;
            left = 0;
          }
        }
        const restNeed = need - needCrit;
        const servedRest = Math.min(restNeed, left);
        const restFactor = restNeed > 0 ? 1 - servedRest / restNeed : 0;
        for (let i = 0; i < m; i++) unmetRest[i] = (rest[i] as number) * restFactor;
        let surplus = supply - servedCrit - servedRest;
        for (const b of stores) if (surplus > 0) surplus -= b.charge(surplus);
      }
      for (let i = 0; i < m; i++) {
        critUnmet[i] = (critUnmet[i] as number) + (unmetCrit[i] as number);
        notServed += (unmetCrit[i] as number) + (unmetRest[i] as number);
        if ((unmetCrit[i] as number) > EPS && (firstOut[i] as number) === intervals) {
          firstOut[i] = t;
          firstAny = Math.min(firstAny, t);
        }
      }
    }
    let critDemand = 0;
    for (let t = 0; t < intervals; t++)
      for (let i = 0; i < m; i++) critDemand += demand(i, t) * criticalShare;
    let critNotServed = 0;
    let keeping = 0;
    let autonomy = 0;
    for (let i = 0; i < m; i++) {
      critNotServed += critUnmet[i] as number;
      if ((critUnmet[i] as number) <= EPS * intervals) keeping++;
      autonomy += (firstOut[i] as number) * dtH;
    }
    return {
      setup,
      demandKwh: totalDemand,
      criticalDemandKwh: critDemand,
      notServedKwh: notServed,
      criticalNotServedKwh: critNotServed,
      homesKeepingPower: keeping,
      autonomyHours: firstAny * dtH,
      meanHomeAutonomyHours: m > 0 ? autonomy / m : 0,
      homeCriticalNotServedKwh: critUnmet,
    };
  });
}
