/**
 * Clearing one market interval end to end: domain checks on the orders, the mechanism's
 * matching and pricing, then settlement with the grid as fallback.
 */
import type { ValidationIssue } from "../core/issues.js";
import { MAX_SIDE_WH } from "./limits.js";
import { type SettledInterval, settle } from "./settle.js";
import type { ClearingInput, Mechanism } from "./types.js";

export interface ClearOptions {
  readonly mechanism: Mechanism;
  /** k in ppm; defaults to the mechanism's own default. Ignored by mechanisms without k. */
  readonly kPpm?: number;
}

/**
 * Rules every interval's orders must satisfy beyond their own fields: unique ids, (for the
 * call auctions and community schemes, which price net positions) each participant on one side
 * only, and at most {@link MAX_SIDE_WH} on each side in all. Returns issues as data, each naming
 * the order.
 */
export function checkOrders(input: ClearingInput, mechanism: Mechanism): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sideWh = { buy: 0, sell: 0 };
  const seenIds = new Map<string, number>();
  const sideOf = new Map<string, { side: string; index: number }>();
  input.orders.forEach((o, index) => {
    const earlier = seenIds.get(o.id);
    if (earlier !== undefined) {
      issues.push({
        path: ["orders", index, "id"],
        expected: `an id not used by another order (orders[${earlier}] has it)`,
        received: o.id,
      });
    } else {
      seenIds.set(o.id, index);
    }
    if (sideWh[o.side] + o.energyWh > MAX_SIDE_WH) {
      issues.push({
        path: ["orders", index, "energy_kwh"],
        expected: `at most ${(MAX_SIDE_WH - sideWh[o.side]) / 1000} kWh: one interval holds at most ${MAX_SIDE_WH / 1000} kWh to ${o.side} in all`,
        received: o.energyWh / 1000,
      });
    } else {
      sideWh[o.side] += o.energyWh;
    }
    if (!mechanism.allowsBothSides) {
      const prior = sideOf.get(o.participant);
      if (prior === undefined) sideOf.set(o.participant, { side: o.side, index });
      else if (prior.side !== o.side) {
        issues.push({
          path: ["orders", index, "side"],
          expected: `"${prior.side}" like this participant's orders[${prior.index}]: ${mechanism.name} prices net positions, so submit one side per participant per interval`,
          received: o.side,
        });
      }
    }
  });
  return issues;
}

/**
 * Clears and settles one interval. The orders must already satisfy {@link checkOrders}: the
 * edges (CLI, server, ledger verification) check them once; the domain trusts its input.
 */
export function clearMarket(input: ClearingInput, options: ClearOptions): SettledInterval {
  const { mechanism } = options;
  const kPpm = mechanism.defaultKPpm === null ? null : (options.kPpm ?? mechanism.defaultKPpm);
  const outcome = mechanism.clear(input, { kPpm: kPpm ?? 0 });
  return settle(input, mechanism, kPpm, outcome);
}
