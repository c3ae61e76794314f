import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { T0 } from "../../test/support/books.js";
import { kPoint, rankSide } from "./priority.js";
import type { GridTariff, Order } from "./types.js";

/** The obvious ranking: a comparison sort on (price, timestamp, id). */
function naiveRank(orders: readonly Order[], side: "buy" | "sell", grid: GridTariff): number[] {
  const idx = orders.map((_, i) => i).filter((i) => orders[i]!.side === side);
  const eff = (o: Order) =>
    side === "buy" ? o.limitPriceMicro - grid.networkFeeMicro : o.limitPriceMicro;
  return idx.sort((a, b) => {
    const x = orders[a]!;
    const y = orders[b]!;
    const dp = side === "buy" ? eff(y) - eff(x) : eff(x) - eff(y);
    if (dp !== 0) return dp;
    if (x.timestampMs !== y.timestampMs) return x.timestampMs - y.timestampMs;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  });
}

const orderList = (maxPrice: number, maxTimeSpread: number) =>
  fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 5 }),
      buy: fc.boolean(),
      price: fc.integer({ min: 1, max: maxPrice }),
      t: fc.integer({ min: 0, max: maxTimeSpread }),
    }),
    { selector: (o) => o.id, maxLength: 300 },
  );

test("property: radix ranking equals the comparison sort, ties by time then id", () => {
  for (const [maxPrice, spread] of [
    [30, 3],
    [2_000_000, 900_000],
    [Math.floor(Number.MAX_SAFE_INTEGER / 4), 1e12], // packing would overflow 2^53: dense ranks
  ] as const) {
    fc.assert(
      fc.property(orderList(maxPrice, spread), fc.integer({ min: 0, max: 10 }), (raw, fee) => {
        const orders: Order[] = raw.map((o) => ({
          id: o.id,
          participant: "p",
          side: o.buy ? "buy" : "sell",
          energyWh: 1,
          limitPriceMicro: o.price,
          timestampMs: T0 + o.t,
        }));
        const grid = { importPriceMicro: 1, exportPriceMicro: 0, networkFeeMicro: fee };
        for (const side of ["buy", "sell"] as const) {
          assert.deepEqual([...rankSide(orders, side, grid)], naiveRank(orders, side, grid));
        }
      }),
      { numRuns: 150 },
    );
  }
});

test("default: kPoint rounds half to even", () => {
  assert.equal(kPoint(100, 103, 500_000), 102); // 101.5 -> 102
  assert.equal(kPoint(100, 101, 500_000), 100); // 100.5 -> 100
  assert.equal(kPoint(100, 200, 0), 100);
  assert.equal(kPoint(100, 200, 1_000_000), 200);
});
