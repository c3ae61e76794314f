import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbitraryBook, book, grid, order } from "../../test/support/books.js";
import { checkInvariants, clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { askAt, bidAt, rankBook, walkCrossing } from "./priority.js";
import type { ClearingInput } from "./types.js";
import { uniform } from "./uniform.js";

runMechanismSuite(uniform);

// Hand-computed case. Rule: k-double auction (Rustichini, Satterthwaite & Williams 1994), the
// price between the marginal accepted ask and bid, p = a + k (b - a).
// Bids: o4 1.0 kWh @0.28, o5 1.4 @0.18, o6 0.6 @0.10. Asks: o1 1.2 @0.08, o2 0.8 @0.12, o3 1.5 @0.20.
// Walk: o4-o1 1.0; o5-o1 0.2; o5-o2 0.8; next ask 0.20 > bid 0.18 stops it. Traded 2.0 kWh.
// Marginal pair (o5 @0.18, o2 @0.12): k = 0.5 gives 0.15; k = 0 gives 0.12; k = 1 gives 0.18.
// Welfare = 1.0 (0.28-0.08) + 0.2 (0.18-0.08) + 0.8 (0.18-0.12) = 0.268.
const textbook = book([
  order("o1", "home-1", "sell", 1.2, 0.08, 118),
  order("o2", "home-2", "sell", 0.8, 0.12, 90),
  order("o3", "home-3", "sell", 1.5, 0.2, 170),
  order("o4", "home-7", "buy", 1.0, 0.28, 60),
  order("o5", "home-8", "buy", 1.4, 0.18, 75),
  order("o6", "home-9", "buy", 0.6, 0.1, 30),
]);

test("default: k = 0.5 clears at the midpoint of the marginal pair", () => {
  const r = clear(uniform, textbook);
  assert.equal(r.summary.tradedWh, 2000);
  assert.equal(r.summary.prices.clearingPriceMicro, 150_000);
  assert.equal(r.summary.welfareMicro, 268_000);
  assert.deepEqual(
    r.trades.map((t) => [t.seller, t.buyer, t.energyWh]),
    [
      ["home-1", "home-7", 1000],
      ["home-1", "home-8", 200],
      ["home-2", "home-8", 800],
    ],
  );
  // home-8 is short 0.4 kWh (grid at 0.30), home-3 exports 1.5 kWh at 0.05.
  const h8 = r.participants.find((p) => p.participant === "home-8");
  assert.deepEqual([h8?.gridImportWh, h8?.paysMicro], [400, 150_000 + 120_000]);
  assert.equal(r.summary.gridCostMicro, 400 * 0.3 * 1000 + 600 * 0.3 * 1000 - 1500 * 0.05 * 1000);
});

test("args: k = 0 and k = 1 give the marginal ask and bid", () => {
  assert.equal(clear(uniform, textbook, 0).summary.prices.clearingPriceMicro, 120_000);
  assert.equal(clear(uniform, textbook, 1_000_000).summary.prices.clearingPriceMicro, 180_000);
});

test("behavior: the network fee is a wedge between buyer and seller", () => {
  // With a 0.07 fee, o5's effective bid is 0.11 < o2's ask 0.12: only o4 and o5 vs o1 trade.
  const r = clear(uniform, { ...textbook, grid: grid(0.3, 0.05, 0.07) });
  assert.equal(r.summary.tradedWh, 1200);
  // Marginal pair: o5 effective 0.11 and o1 0.08 -> midpoint 0.095; buyers pay 0.165 all in.
  assert.equal(r.summary.prices.clearingPriceMicro, 95_000);
  assert.equal(r.summary.networkFeesMicro, 1200 * 70);
});

test("behavior: no crossing means no trade and no price", () => {
  const r = clear(uniform, book([order("a", "s", "sell", 1, 0.2), order("b", "b", "buy", 1, 0.1)]));
  assert.equal(r.trades.length, 0);
  assert.equal(r.summary.prices.clearingPriceMicro, null);
  assert.equal(r.summary.gridCostMicro, 300_000 - 50_000);
});

test("property: the price lies between the marginal accepted ask and bid", () => {
  fc.assert(
    fc.property(arbitraryBook(), fc.integer({ min: 0, max: 1_000_000 }), (input, k) => {
      const r = clear(uniform, input, k);
      const ranked = rankBook(input.orders, input.grid);
      const walk = walkCrossing(ranked);
      const n = walk.count;
      if (n === 0) {
        assert.equal(r.summary.prices.clearingPriceMicro, null);
        return;
      }
      const b = bidAt(ranked, walk.bidRank[n - 1]!);
      const a = askAt(ranked, walk.askRank[n - 1]!);
      const p = r.summary.prices.clearingPriceMicro!;
      assert.ok(a <= p && p <= b, `${a} <= ${p} <= ${b}`);
    }),
    { numRuns: 300 },
  );
});

/** Maximum gains from trade by brute force over unit matchings (dynamic programming on subsets). */
function bruteForceWelfare(input: ClearingInput): number {
  const fee = input.grid.networkFeeMicro;
  const buyUnits: number[] = [];
  const sellUnits: number[] = [];
  for (const o of input.orders) {
    for (let u = 0; u < o.energyWh; u++)
      (o.side === "buy" ? buyUnits : sellUnits).push(o.limitPriceMicro);
  }
  const n = sellUnits.length;
  let best = new Map<number, number>([[0, 0]]);
  for (const bid of buyUnits) {
    const next = new Map(best);
    for (const [mask, value] of best) {
      for (let j = 0; j < n; j++) {
        if (mask & (1 << j)) continue;
        const gain = bid - fee - (sellUnits[j] as number);
        const m = mask | (1 << j);
        const v = value + gain;
        if (v > (next.get(m) ?? Number.NEGATIVE_INFINITY)) next.set(m, v);
      }
    }
    best = next;
  }
  return Math.max(...best.values());
}

test("property: uniform's volume maximises welfare (brute force on small books)", () => {
  fc.assert(
    fc.property(
      arbitraryBook({
        maxOrders: 6,
        maxEnergyWh: 3,
        maxPriceMicro: 20,
        maxFeeMicro: 4,
        participants: 6,
      }),
      (input) => {
        const r = clear(uniform, input);
        checkInvariants(uniform, input, r);
        const orders = new Map(input.orders.map((o) => [o.id, o]));
        const achieved = r.trades.reduce(
          (a, t) =>
            a +
            t.energyWh *
              (orders.get(t.buyOrderId)!.limitPriceMicro -
                input.grid.networkFeeMicro -
                orders.get(t.sellOrderId)!.limitPriceMicro),
          0,
        );
        assert.equal(achieved, bruteForceWelfare(input));
      },
    ),
    { numRuns: 400 },
  );
});
