import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { book, grid, order } from "../../test/support/books.js";
import { clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { sdr, sdrSellPrice } from "./sdr.js";

runMechanismSuite(sdr);

/** Liu et al. (2017), eqs. for the internal prices, in floating point as published. */
function liu(lb: number, ls: number, D: number, S: number): { pSell: number; pBuy: number } {
  const ratio = S / D;
  if (ratio >= 1) return { pSell: ls, pBuy: ls };
  const pSell = (lb * ls) / ((lb - ls) * ratio + ls);
  return { pSell, pBuy: pSell * ratio + lb * (1 - ratio) };
}

test("default: hand-computed SDR = 0.25", () => {
  // λb = 0.30, λs = 0.05, D = 4 kWh, S = 1 kWh: P_s = 0.015 / (0.25·0.25 + 0.05) = 0.1333…,
  // P_b = 0.1333…·0.25 + 0.30·0.75 = 0.258333…
  const r = clear(
    sdr,
    book([
      order("s", "S", "sell", 1, 0.1),
      order("b1", "B1", "buy", 3, 0.2),
      order("b2", "B2", "buy", 1, 0.2),
    ]),
  );
  assert.equal(r.summary.prices.sellPriceMicro, 133_333);
  assert.equal(r.summary.prices.buyPriceMicro, 258_333);
  assert.deepEqual(
    r.trades.map((t) => [t.buyer, t.seller, t.energyWh, t.priceMicro]),
    [
      ["B1", "S", 750, 133_333],
      ["B2", "S", 250, 133_333],
    ],
  );
});

test("behavior: supply covers demand, everything at the feed-in price", () => {
  const r = clear(sdr, book([order("s", "S", "sell", 5, 0.1), order("b", "B", "buy", 2, 0.2)]));
  assert.equal(r.summary.prices.sellPriceMicro, 50_000);
  assert.equal(r.summary.prices.buyPriceMicro, 50_000);
  assert.equal(r.summary.tradedWh, 2000);
});

test("property: prices match Liu et al.'s published formulas to half a micro-unit", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 1_000_000 }),
      fc.integer({ min: 0, max: 999_999 }),
      fc.integer({ min: 1, max: 10_000_000 }),
      fc.integer({ min: 1, max: 10_000_000 }),
      (lbMicro, lsRaw, D, S) => {
        const lsMicro = lsRaw % lbMicro;
        const expected = liu(lbMicro, lsMicro, D, S);
        const got = sdrSellPrice(lbMicro, lsMicro, D, S);
        assert.ok(Math.abs(got - expected.pSell) <= 0.5 + 1e-6, `${got} vs ${expected.pSell}`);
      },
    ),
    { numRuns: 1000 },
  );
});

test("property: blended buy price matches P_b = P_s·SDR + λb·(1 − SDR)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (dKwh, sKwh) => {
      const r = clear(
        sdr,
        book(
          [order("s", "S", "sell", sKwh / 10, 0.1), order("b", "B", "buy", dKwh / 10, 0.2)],
          grid(0.3, 0.05),
        ),
      );
      const { pBuy } = liu(0.3, 0.05, dKwh, sKwh);
      // The trade price is rounded to a micro-unit first, so allow one micro-unit.
      assert.ok(
        Math.abs(r.summary.prices.buyPriceMicro! - pBuy * 1e6) <= 1,
        `${r.summary.prices.buyPriceMicro} vs ${pBuy * 1e6}`,
      );
    }),
  );
});
