import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { book, grid, order, T0 } from "../../test/support/books.js";
import { clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { mcafee } from "./mcafee.js";
import type { ClearingInput, Order } from "./types.js";

runMechanismSuite(mcafee);

// Hand-computed cases. Rule: trade reduction (McAfee 1992; multi-unit, Huang et al. 2002).
test("default: single units, the marginal pair sets the prices and does not trade", () => {
  // Buyers 10, 9, 5 and sellers 1, 3, 7 (one unit each): the efficient trades are (10,1), (9,3);
  // the marginal pair is the buyer at 9 and the seller at 3. Only (10,1) trades: the buyer pays 9,
  // the seller receives 3, and the market keeps 6.
  const r = clear(
    mcafee,
    book(
      [
        order("b1", "B1", "buy", 1, 10),
        order("b2", "B2", "buy", 1, 9),
        order("b3", "B3", "buy", 1, 5),
        order("s1", "S1", "sell", 1, 1),
        order("s2", "S2", "sell", 1, 3),
        order("s3", "S3", "sell", 1, 7),
      ],
      grid(20, 0.5),
    ),
  );
  assert.deepEqual(
    r.trades.map((t) => [t.buyer, t.seller, t.energyWh, t.priceMicro, t.sellerPriceMicro]),
    [["B1", "S1", 1000, 9_000_000, 3_000_000]],
  );
  assert.equal(r.summary.budgetSurplusMicro, 6_000_000);
  assert.deepEqual(
    [r.summary.prices.buyPriceMicro, r.summary.prices.sellPriceMicro],
    [9_000_000, 3_000_000],
  );
});

test("behavior: the long side is rationed in proportion to its quantities", () => {
  // Buyers 3 kWh @0.30, 1 kWh @0.28, 2 kWh @0.25 (marginal); sellers 1 kWh @0.05, 1 kWh @0.06,
  // 4 kWh @0.20 (marginal). Trading set: buyers 4 kWh, sellers 2 kWh -> buyers get 3:1 of 2 kWh.
  const r = clear(
    mcafee,
    book([
      order("b1", "B1", "buy", 3, 0.3),
      order("b2", "B2", "buy", 1, 0.28),
      order("b3", "B3", "buy", 2, 0.25),
      order("s1", "S1", "sell", 1, 0.05),
      order("s2", "S2", "sell", 1, 0.06),
      order("s3", "S3", "sell", 4, 0.2),
    ]),
  );
  const bought = Object.fromEntries(r.participants.map((p) => [p.participant, p.boughtWh]));
  assert.deepEqual([bought.B1, bought.B2, bought.B3], [1500, 500, 0]);
  assert.equal(r.summary.prices.buyPriceMicro, 250_000);
  assert.equal(r.summary.prices.sellPriceMicro, 200_000);
  assert.equal(r.summary.budgetSurplusMicro, 2000 * 50);
});

function utility(input: ClearingInput, who: Order, trueValue: number): number {
  const r = clear(mcafee, input);
  let u = 0;
  for (const t of r.trades) {
    if (who.side === "buy" && t.buyOrderId === who.id)
      u += t.energyWh * (trueValue - input.grid.networkFeeMicro - t.priceMicro);
    if (who.side === "sell" && t.sellOrderId === who.id)
      u += t.energyWh * (t.sellerPriceMicro - trueValue);
  }
  return u;
}

test("property: truthful, no participant gains by misreporting its price (brute force over deviations)", () => {
  const smallBook = fc
    .record({
      buys: fc.array(
        fc.record({ q: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 1, max: 12 }) }),
        { minLength: 1, maxLength: 4 },
      ),
      sells: fc.array(
        fc.record({ q: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 1, max: 12 }) }),
        { minLength: 1, maxLength: 4 },
      ),
      fee: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ buys, sells, fee }) => {
      const orders: Order[] = [
        ...buys.map((b, i) => ({
          id: `b${i}`,
          participant: `B${i}`,
          side: "buy" as const,
          energyWh: b.q,
          limitPriceMicro: b.p,
          timestampMs: T0,
        })),
        ...sells.map((s, i) => ({
          id: `s${i}`,
          participant: `S${i}`,
          side: "sell" as const,
          energyWh: s.q,
          limitPriceMicro: s.p,
          timestampMs: T0,
        })),
      ];
      return {
        interval: { startMs: T0, minutes: 15 },
        grid: { importPriceMicro: 20, exportPriceMicro: 0, networkFeeMicro: fee },
        orders,
      };
    });
  fc.assert(
    fc.property(smallBook, (input) => {
      for (const who of input.orders) {
        const honest = utility(input, who, who.limitPriceMicro);
        for (let lie = 1; lie <= 14; lie++) {
          if (lie === who.limitPriceMicro) continue;
          const deviated: ClearingInput = {
            ...input,
            orders: input.orders.map((o) => (o.id === who.id ? { ...o, limitPriceMicro: lie } : o)),
          };
          const gain = utility(deviated, who, who.limitPriceMicro);
          assert.ok(
            gain <= honest,
            `${who.id} (value ${who.limitPriceMicro}) gains ${gain} > ${honest} by reporting ${lie}`,
          );
        }
      }
    }),
    { numRuns: 400 },
  );
});
