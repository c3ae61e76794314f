/**
 * The community battery in a market variant: after the market has cleared an interval it takes
 * what the community would export and covers what it would import, split among the homes in
 * proportion to what each left to the grid; homes settle with it at the grid's tariffs, so their
 * bills do not change here, and its surplus (or deficit) over the run goes back to the homes in
 * proportion to their consumption.
 */
import { invariant } from "../core/errors.js";
import { sum } from "../core/stats.js";
import { energyCostMicro, kwhToWh } from "../core/units.js";
import type { BatteryState } from "../home/battery.js";
import { apportion } from "../market/apportion.js";
import type { Order } from "../market/types.js";
import type { HomeAccount, VariantAccount } from "./accounts.js";
import type { HomeFlows } from "./physics.js";

/** What the community battery exchanged in one interval, Wh. */
export interface BatteryExchange {
  readonly chargeWh: number;
  readonly dischargeWh: number;
}

/**
 * Charges from the unmatched export or discharges into the unmatched import, and records its state
 * of charge at `t`. What it exchanges is settled in whole Wh, rounded half-even from what it can
 * take or give (as a meter rounds); the battery itself takes or gives at most what it can, so a
 * rounded-up Wh never lifts it above full or below its floor.
 */
export function exchangeWithBattery(
  cb: BatteryState | null,
  acc: VariantAccount,
  t: number,
  unmatched: { readonly importWh: number; readonly exportWh: number },
): BatteryExchange {
  if (!cb) return { chargeWh: 0, dischargeWh: 0 };
  let chargeWh = 0;
  let dischargeWh = 0;
  if (unmatched.exportWh > 0) {
    chargeWh = Math.min(unmatched.exportWh, kwhToWh(cb.chargeableKwh()));
    cb.charge(chargeWh / 1000);
  } else if (unmatched.importWh > 0) {
    dischargeWh = Math.min(unmatched.importWh, kwhToWh(cb.dischargeableKwh()));
    cb.discharge(dischargeWh / 1000);
  }
  acc.communityBatterySoc[t] = cb.fraction;
  return { chargeWh, dischargeWh };
}

/** Splits `totalWh` among the homes on one side in proportion to their remainders. */
export function apportionShares(
  totalWh: number,
  remainders: Float64Array,
  orders: readonly Order[],
  orderMember: Int32Array,
  side: "buy" | "sell",
  ids: readonly string[],
): Map<number, number> {
  const members: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < orders.length; j++) {
    if ((orders[j] as Order).side !== side) continue;
    const i = orderMember[j] as number;
    if ((remainders[i] as number) > 0) {
      members.push(i);
      weights.push(remainders[i] as number);
    }
  }
  invariant(
    weights.reduce((a, b) => a + b, 0) >= totalWh,
    "community battery exchanged more than the homes offered",
  );
  const shares = apportion(
    totalWh,
    weights,
    members.map((i) => ids[i] as string),
  );
  const out = new Map<number, number>();
  for (let k = 0; k < members.length; k++) out.set(members[k] as number, shares[k] as number);
  return out;
}

/** The battery's surplus over the run goes back to the homes, in proportion to consumption. */
export function shareBatterySurplus(
  variants: readonly VariantAccount[],
  flows: readonly HomeFlows[],
  ids: readonly string[],
): void {
  for (const acc of variants) {
    const net = acc.communityBattery.receivesMicro - acc.communityBattery.paysMicro;
    if (acc.plan.mechanism === null || net === 0) continue;
    const weights = flows.map((f) => Math.round(sum(f.consumption) * 1000));
    if (weights.every((w) => w === 0)) continue;
    const sign = net < 0 ? -1 : 1;
    const shares = apportion(Math.abs(net), weights, ids);
    shares.forEach((s, i) => {
      (acc.homes[i] as HomeAccount).communityBatteryShareMicro = sign * s;
    });
  }
}

/** Settles one home's part of the battery's exchange at the grid's tariffs. */
export function settleWithBattery(
  acc: VariantAccount,
  side: "buy" | "sell",
  cbPartWh: number,
  priceMicro: number,
): void {
  if (cbPartWh <= 0) return;
  if (side === "buy") acc.communityBattery.receivesMicro += energyCostMicro(cbPartWh, priceMicro);
  else acc.communityBattery.paysMicro += energyCostMicro(cbPartWh, priceMicro);
}
