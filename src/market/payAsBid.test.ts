import assert from "node:assert/strict";
import { test } from "node:test";
import { book, order } from "../../test/support/books.js";
import { clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { payAsBid } from "./payAsBid.js";

runMechanismSuite(payAsBid);

// Hand-computed case. Rule: discriminatory (pay-as-bid) double auction, each matched pair at
// k·bid + (1 − k)·ask (see e.g. Friedman & Rust, The Double Auction Market, 1993, ch. 1).
// Same book as the uniform case: pairs o4-o1 1.0, o5-o1 0.2, o5-o2 0.8.
const textbook = book([
  order("o1", "home-1", "sell", 1.2, 0.08, 118),
  order("o2", "home-2", "sell", 0.8, 0.12, 90),
  order("o4", "home-7", "buy", 1.0, 0.28, 60),
  order("o5", "home-8", "buy", 1.4, 0.18, 75),
]);

test("default: k = 1, buyers pay their bids", () => {
  const r = clear(payAsBid, textbook);
  assert.deepEqual(
    r.trades.map((t) => [t.buyer, t.seller, t.energyWh, t.priceMicro]),
    [
      ["home-7", "home-1", 1000, 280_000],
      ["home-8", "home-1", 200, 180_000],
      ["home-8", "home-2", 800, 180_000],
    ],
  );
  // Sellers collect the whole surplus: home-1 gets 0.28 + 0.036, home-2 0.144.
  const receives = Object.fromEntries(r.participants.map((p) => [p.participant, p.receivesMicro]));
  assert.equal(receives["home-1"], 280_000 + 36_000);
  assert.equal(receives["home-2"], 144_000);
});

test("args: k = 0 pays the asks, k = 0.5 the midpoints", () => {
  assert.deepEqual(
    clear(payAsBid, textbook, 0).trades.map((t) => t.priceMicro),
    [80_000, 80_000, 120_000],
  );
  assert.deepEqual(
    clear(payAsBid, textbook, 500_000).trades.map((t) => t.priceMicro),
    [180_000, 130_000, 150_000],
  );
});
