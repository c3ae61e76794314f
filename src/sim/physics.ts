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
import { BatteryState } from "./battery.js";
import type { MemberInput, SimulationInput } from "./types.js";

export interface HomeFlows {
  readonly consumption: Float64Array;
  readonly generation: Float64Array;
  readonly evCharge: Float64Array;
  readonly batteryIn: Float64Array;
  readonly batteryOut: Float64Array;
  /** State of charge at the end of each interval, fraction (NaN without a battery). */
  readonly soc: Float32Array;
  readonly residual: Float64Array;
  /** EV energy that could not be delivered before departure, kWh (whole run). */
  readonly evUnmetKwh: number;
  readonly batteryCapacityKwh: number;
}

/** Charges the EV greedily from arrival until its session's need is met or it leaves. */
export function evCharging(
  member: MemberInput,
  count: number,
  stepHours: number,
): { charge: Float64Array; unmet: number } {
  const charge = new Float64Array(count);
  const ev = member.ev;
  if (ev === null) return { charge, unmet: 0 };
  let need = 0;
  let unmet = 0;
  for (let t = 0; t < count; t++) {
    if ((ev.sessionNeedKwh[t] as number) > 0) {
      unmet += need; // a new session starts while the last one is unfinished
      need = Math.min(ev.sessionNeedKwh[t] as number, ev.batteryKwh);
    }
    if (ev.plugged[t] === 1 && need > 0) {
      const e = Math.min(need, ev.chargerKw * stepHours);
      charge[t] = e;
      need -= e;
    } else if (ev.plugged[t] === 0 && need > 0) {
      unmet += need;
      need = 0;
    }
  }
  return { charge, unmet: unmet + need };
}

export function homeFlows(
  member: MemberInput,
  sim: Pick<SimulationInput, "count" | "stepMinutes">,
  plan: Float64Array | null = null,
): HomeFlows {
  const n = sim.count;
  const stepHours = sim.stepMinutes / 60;
  const { charge: evCharge, unmet } = evCharging(member, n, stepHours);
  const consumption = new Float64Array(n);
  const generation = new Float64Array(n);
  const batteryIn = new Float64Array(n);
  const batteryOut = new Float64Array(n);
  const soc = new Float32Array(n).fill(Number.NaN);
  const residual = new Float64Array(n);
  const battery = member.battery ? new BatteryState(member.battery, stepHours) : null;
  for (let t = 0; t < n; t++) {
    const c = (member.loadKwh[t] as number) + (evCharge[t] as number);
    const g =
      (member.pvKwh ? (member.pvKwh[t] as number) : 0) +
      (member.windKwh ? (member.windKwh[t] as number) : 0);
    consumption[t] = c;
    generation[t] = g;
    let net = c - g;
    if (battery && plan) {
      const e = plan[t] as number;
      if (e > 0) {
        batteryIn[t] = battery.charge(e);
        net += batteryIn[t] as number;
      } else if (e < 0) {
        batteryOut[t] = battery.discharge(-e);
        net -= batteryOut[t] as number;
      }
      soc[t] = battery.fraction;
    } else if (battery) {
      if (net < 0) {
        const e = battery.charge(-net);
        batteryIn[t] = e;
        net += e;
      } else if (net > 0) {
        const e = battery.discharge(net);
        batteryOut[t] = e;
        net -= e;
      }
      soc[t] = battery.fraction;
    }
    residual[t] = net;
  }
  return {
    consumption,
    generation,
    evCharge,
    batteryIn,
    batteryOut,
    soc,
    residual,
    evUnmetKwh: unmet,
    batteryCapacityKwh: member.battery?.capacityKwh ?? 0,
  };
}
