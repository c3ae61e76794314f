import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { book, grid, order } from "../../test/support/books.js";
import { clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { mmr } from "./mmr.js";

runMechanismSuite(mmr);

/** Long et al. (2017): mid-market rate and the blended prices of the long side. */
function long2017(lb: number, ls: number, D: number, S: number): { pBuy: number; pSell: number } {
  const pmm = (lb + ls) / 2;
  if (S >= D) return { pBuy: pmm, pSell: (D * pmm + (S - D) * ls) / S };
  return { pSell: pmm, pBuy: (S * pmm + (D - S) * lb) / D };
}

test("default: hand-computed, demand exceeds supply", () => {
  // λb = 0.30, λs = 0.05 → P_mm = 0.175. D = 4, S = 1: sellers get 0.175, buyers pay
  // (1·0.175 + 3·0.30) / 4 = 0.26875.
  const r = clear(mmr, book([order("s", "S", "sell", 1, 0.1), order("b", "B", "buy", 4, 0.2)]));
  assert.equal(r.trades[0]?.priceMicro, 175_000);
  assert.equal(r.summary.prices.sellPriceMicro, 175_000);
  assert.equal(r.summary.prices.buyPriceMicro, 268_750);
});

test("behavior: the network fee comes out of the local price, buyers never pay above import", () => {
  // λb' = 0.30 − 0.04 = 0.26 → P_mm = 0.155; buyers pay 0.195 all in per local kWh.
  const r = clear(
    mmr,
    book([order("s", "S", "sell", 2, 0.1), order("b", "B", "buy", 1, 0.2)], grid(0.3, 0.05, 0.04)),
  );
  assert.equal(r.trades[0]?.priceMicro, 155_000);
  assert.equal(r.summary.prices.buyPriceMicro, 195_000);
  assert.equal(r.summary.networkFeesMicro, 40_000);
});

test("property: blended prices match Long et al.'s formulas", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), (dKwh, sKwh) => {
      const r = clear(
        mmr,
        book([order("s", "S", "sell", sKwh / 10, 0.1), order("b", "B", "buy", dKwh / 10, 0.2)]),
      );
      const e = long2017(0.3, 0.05, dKwh, sKwh);
      assert.ok(Math.abs(r.summary.prices.buyPriceMicro! - e.pBuy * 1e6) <= 0.5 + 1e-6);
      assert.ok(Math.abs(r.summary.prices.sellPriceMicro! - e.pSell * 1e6) <= 0.5 + 1e-6);
    }),
  );
});
