/**
 * The self-consumption rule, the one way every part of gridshare runs a home battery without a
 * plan: it charges from the home's surplus and discharges to cover its deficit, within what the
 * battery can take or give. A plan (kWh into the battery, negative out) is followed the same way.
 */
import type { BatteryState } from "./battery.js";

/** Moves `intoKwh` into the battery (negative: out of it), clipped; returns what it moved. */
export function steerBattery(battery: BatteryState, intoKwh: number): number {
  if (intoKwh > 0) return battery.charge(intoKwh);
  if (intoKwh < 0) return -battery.discharge(-intoKwh);
  return 0;
}

/**
 * One step of the rule for a home whose consumption exceeds its generation by `netKwh`
 * (negative: a surplus): kWh into the battery, negative out.
 */
export function followRule(battery: BatteryState, netKwh: number): number {
  return steerBattery(battery, -netKwh);
}
