import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { book, order } from "../../test/support/books.js";
import { clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { billSharing } from "./billSharing.js";

runMechanismSuite(billSharing);

test("default: hand-computed, the joint saving is shared equally per kWh", () => {
  // λb = 0.30, λs = 0.05, D = 4 kWh, S = 1 kWh. Alone: buyers pay 1.20, the seller earns 0.05.
  // Jointly the community imports 3 kWh (0.90): saving G = 0.25 · 1 = 0.25, shared over
  // D + S = 5 kWh: g = 0.05 per kWh. Buyers pay 0.25 per kWh, the seller gets 0.10 per kWh,
  // i.e. the local kWh changes hands at p = 0.05 + 0.25 · 1/5 = 0.10.
  const r = clear(
    billSharing,
    book([order("s", "S", "sell", 1, 0.1), order("b", "B", "buy", 4, 0.2)]),
  );
  assert.equal(r.trades[0]?.priceMicro, 100_000);
  assert.equal(r.summary.prices.buyPriceMicro, 250_000);
  assert.equal(r.summary.prices.sellPriceMicro, 100_000);
  const pays = r.participants.find((p) => p.participant === "B")?.paysMicro;
  assert.equal(pays, 1_000_000); // 4 kWh at 0.25
});

test("property: everyone saves the same amount per kWh, and the savings add up to the joint saving", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), (dKwh, sKwh) => {
      const D = dKwh / 10;
      const S = sKwh / 10;
      const r = clear(
        billSharing,
        book([order("s", "S", "sell", S, 0.1), order("b", "B", "buy", D, 0.2)]),
      );
      const buyerSaving =
        0.3 * D - r.participants.find((p) => p.participant === "B")!.paysMicro / 1e6;
      const sellerGain =
        r.participants.find((p) => p.participant === "S")!.receivesMicro / 1e6 - 0.05 * S;
      const joint = 0.25 * Math.min(D, S);
      assert.ok(Math.abs(buyerSaving + sellerGain - joint) < 1e-5, "savings add up");
      assert.ok(Math.abs(buyerSaving / D - sellerGain / S) < 1e-5, "same saving per kWh");
    }),
  );
});
