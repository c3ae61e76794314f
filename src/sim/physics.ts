/**
 * The physical side of every home, interval by interval: consumption (household load plus EV
 * charging), generation (PV plus wind), the home battery on the self-consumption rule (charge
 * from surplus, discharge to cover deficit) or on a given schedule (e.g. the community optimum
 * from src/optimize), and what is left: the net position the home takes
 * to the market. It does not depend on prices, so every market variant of a run shares it.
 *
 * Per home and interval (kWh):
 *   consumption = direct use + battery discharge + bought locally + grid import
 *   generation  = direct use + battery charge    + sold locally   + grid export
 * with direct use = min(consumption, generation); the net position is
 *   residual = consumption - generation + battery charge - battery discharge
 * (positive: to buy; negative: to sell).
 */
import { BatteryState } from "../home/battery.js";
import { chargeGreedily } from "../home/ev.js";
import { serveAsSoonAsPossible } from "../home/flexibleLoad.js";
import { steerBattery } from "../home/rule.js";
import type { MemberInput, SimulationInput } from "./types.js";

export interface HomeFlows {
  readonly consumption: Float64Array;
  readonly generation: Float64Array;
  readonly evCharge: Float64Array;
  /** Flexible loads served, kWh per interval (null: the home has none). */
  readonly flexible: Float64Array | null;
  readonly batteryIn: Float64Array;
  readonly batteryOut: Float64Array;
  /** State of charge at the end of each interval, fraction (NaN without a battery). */
  readonly soc: Float32Array;
  readonly residual: Float64Array;
  /** EV energy that could not be delivered before departure, kWh (whole run). */
  readonly evUnmetKwh: number;
  readonly batteryCapacityKwh: number;
}

/**
 * What a home draws besides its household load whatever its battery does: the EV charging from
 * arrival and the flexible loads served at once (the self-consumption rule's way), kWh per
 * interval, and the EV energy missing at departures.
 */
export function deviceDemand(
  member: MemberInput,
  count: number,
  stepHours: number,
): { evCharge: Float64Array; flexible: Float64Array | null; evUnmetKwh: number } {
  const ev = member.ev ? chargeGreedily(member.ev, count, stepHours) : null;
  const loads = member.flexibleLoads ?? [];
  let flexible: Float64Array | null = null;
  if (loads.length > 0) {
    flexible = new Float64Array(count);
    for (const kw of serveAsSoonAsPossible(loads, count, stepHours))
      for (let t = 0; t < count; t++)
        flexible[t] = (flexible[t] as number) + (kw[t] as number) * stepHours;
  }
  return {
    evCharge: ev ? ev.chargeKwh : new Float64Array(count),
    flexible,
    evUnmetKwh: ev ? ev.unmetKwh : 0,
  };
}

/**
 * One home's physics filled interval by interval, so that a battery can be decided at each step
 * from what was known before it (`step`). `flows` is complete once every step has been taken.
 */
export class HomePhysics {
  readonly flows: HomeFlows;
  private readonly battery: BatteryState | null;

  constructor(
    private readonly member: MemberInput,
    sim: Pick<SimulationInput, "count" | "stepMinutes">,
  ) {
    const n = sim.count;
    const stepHours = sim.stepMinutes / 60;
    const demand = deviceDemand(member, n, stepHours);
    this.battery = member.battery ? new BatteryState(member.battery, stepHours) : null;
    this.flows = {
      consumption: new Float64Array(n),
      generation: new Float64Array(n),
      evCharge: demand.evCharge,
      flexible: demand.flexible,
      batteryIn: new Float64Array(n),
      batteryOut: new Float64Array(n),
      soc: new Float32Array(n).fill(Number.NaN),
      residual: new Float64Array(n),
      evUnmetKwh: demand.evUnmetKwh,
      batteryCapacityKwh: member.battery?.capacityKwh ?? 0,
    };
  }

  /**
   * Interval `t` with the battery on `plannedKwh` (kWh into it, negative: out; clipped to what
   * it can take or give) or, when null, on the self-consumption rule. Returns the net position.
   */
  step(t: number, plannedKwh: number | null): number {
    const member = this.member;
    const f = this.flows;
    const battery = this.battery;
    let c = (member.loadKwh[t] as number) + (f.evCharge[t] as number);
    if (f.flexible) c += f.flexible[t] as number;
    const g =
      (member.pvKwh ? (member.pvKwh[t] as number) : 0) +
      (member.windKwh ? (member.windKwh[t] as number) : 0);
    f.consumption[t] = c;
    f.generation[t] = g;
    let net = c - g;
    if (battery) {
      // The plan, or the rule: charge from surplus, discharge to cover the deficit.
      const e = steerBattery(battery, plannedKwh ?? -net);
      if (e > 0) f.batteryIn[t] = e;
      else if (e < 0) f.batteryOut[t] = -e;
      net += e;
      f.soc[t] = battery.fraction;
    }
    f.residual[t] = net;
    return net;
  }
}

/** Every interval of one home, its battery on `plan` (kWh per interval) or on the rule. */
export function homeFlows(
  member: MemberInput,
  sim: Pick<SimulationInput, "count" | "stepMinutes">,
  plan: Float64Array | null = null,
): HomeFlows {
  const home = new HomePhysics(member, sim);
  for (let t = 0; t < sim.count; t++) home.step(t, plan ? (plan[t] as number) : null);
  return home.flows;
}
