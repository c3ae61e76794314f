import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbitraryBook, book, order } from "../../test/support/books.js";
import { checkInvariants, clear, runMechanismSuite } from "../../test/support/mechanismSuite.js";
import { cda } from "./cda.js";

runMechanismSuite(cda);

test("default: orders replay in time order, each trade at the resting order's price and time of match", () => {
  // Replay: o3 (sell 1.5 @0.20, 11:57:10) rests; o1 (sell 1.2 @0.08) rests; o2 (sell 0.8 @0.12)
  // rests; o5 (buy 1.4 @0.18, 11:58:45) takes o1 1.2 @0.08 and o2 0.2 @0.12; o4 (buy 1.0 @0.28,
  // 11:59:00) takes o2 0.6 @0.12 and o3 0.4 @0.20; o6 (buy @0.10) rests unmatched.
  const r = clear(
    cda,
    book([
      order("o1", "home-1", "sell", 1.2, 0.08, 118),
      order("o2", "home-2", "sell", 0.8, 0.12, 90),
      order("o3", "home-3", "sell", 1.5, 0.2, 170),
      order("o4", "home-7", "buy", 1.0, 0.28, 60),
      order("o5", "home-8", "buy", 1.4, 0.18, 75),
      order("o6", "home-9", "buy", 0.6, 0.1, 30),
    ]),
  );
  assert.deepEqual(
    r.trades.map((t) => [
      t.sellOrderId,
      t.buyOrderId,
      t.energyWh,
      t.priceMicro,
      new Date(t.timestampMs).toISOString(),
    ]),
    [
      ["o1", "o5", 1200, 80_000, "2026-06-01T11:58:45.000Z"],
      ["o2", "o5", 200, 120_000, "2026-06-01T11:58:45.000Z"],
      ["o2", "o4", 600, 120_000, "2026-06-01T11:59:00.000Z"],
      ["o3", "o4", 400, 200_000, "2026-06-01T11:59:00.000Z"],
    ],
  );
});

test("property: participants on both sides never trade with themselves", () => {
  fc.assert(
    fc.property(arbitraryBook({ oneSidePerParticipant: false, participants: 3 }), (input) => {
      checkInvariants(cda, input, clear(cda, input));
    }),
    { numRuns: 300 },
  );
});
