/**
 * One conformance suite, every mechanism: the market invariants as property tests over hundreds
 * of random books each. `runMechanismSuite(mechanism)` registers the tests.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../../src/core/canonicalJson.js";
import { clearMarket } from "../../src/market/clearMarket.js";
import { MAX_ORDER_WH, MAX_PRICE_MICRO, MAX_SIDE_WH } from "../../src/market/limits.js";
import { clearingRecord } from "../../src/market/records.js";
import type { ClearingInput, ClearingResult, Mechanism } from "../../src/market/types.js";
import { arbitraryBook, permuted } from "./books.js";

const RUNS = 300;

export function clear(mechanism: Mechanism, input: ClearingInput, kPpm?: number): ClearingResult {
  return clearMarket(input, kPpm === undefined ? { mechanism } : { mechanism, kPpm });
}

/** Asserts the invariants every mechanism must keep on one book. */
export function checkInvariants(
  mechanism: Mechanism,
  input: ClearingInput,
  result: ClearingResult,
): void {
  const orders = new Map(input.orders.map((o) => [o.id, o]));
  const filled = new Map<string, number>();
  const { grid } = input;
  for (const t of result.trades) {
    assert.notEqual(t.buyer, t.seller, "no self-trade");
    assert.ok(
      Number.isSafeInteger(t.energyWh) && t.energyWh > 0,
      "trade energy is a positive integer",
    );
    const buy = orders.get(t.buyOrderId);
    const sell = orders.get(t.sellOrderId);
    assert.ok(buy && buy.side === "buy" && buy.participant === t.buyer, "buy order matches buyer");
    assert.ok(
      sell && sell.side === "sell" && sell.participant === t.seller,
      "sell order matches seller",
    );
    filled.set(buy.id, (filled.get(buy.id) ?? 0) + t.energyWh);
    filled.set(sell.id, (filled.get(sell.id) ?? 0) + t.energyWh);
    assert.ok(
      t.sellerPriceMicro <= t.priceMicro,
      "the market never pays sellers more than buyers pay",
    );
    if (mechanism.kind === "community") {
      assert.ok(
        t.priceMicro + grid.networkFeeMicro <= grid.importPriceMicro,
        "buyer pays at most the import price",
      );
      assert.ok(
        t.sellerPriceMicro >= grid.exportPriceMicro,
        "seller receives at least the feed-in price",
      );
    } else {
      assert.ok(
        t.priceMicro + grid.networkFeeMicro <= buy.limitPriceMicro,
        "buyer pays at most its limit",
      );
      assert.ok(t.sellerPriceMicro >= sell.limitPriceMicro, "seller receives at least its ask");
    }
  }
  // Energy: nobody trades more than ordered; bought = sold; grid takes exactly the rest.
  for (const o of input.orders)
    assert.ok((filled.get(o.id) ?? 0) <= o.energyWh, `order ${o.id} overfilled`);
  let bought = 0;
  let sold = 0;
  let pays = 0;
  let receives = 0;
  for (const p of result.participants) {
    const own = input.orders.filter((o) => o.participant === p.participant);
    const orderedBuy = own.filter((o) => o.side === "buy").reduce((a, o) => a + o.energyWh, 0);
    const orderedSell = own.filter((o) => o.side === "sell").reduce((a, o) => a + o.energyWh, 0);
    assert.equal(
      p.boughtWh + p.gridImportWh,
      orderedBuy,
      `${p.participant}: demand is met locally or by the grid`,
    );
    assert.equal(
      p.soldWh + p.gridExportWh,
      orderedSell,
      `${p.participant}: supply goes locally or to the grid`,
    );
    assert.ok(p.gridImportWh >= 0 && p.gridExportWh >= 0);
    assert.ok(
      Number.isSafeInteger(p.paysMicro) && Number.isSafeInteger(p.receivesMicro),
      `${p.participant}: money is an exact integer`,
    );
    bought += p.boughtWh;
    sold += p.soldWh;
    pays += p.paysMicro;
    receives += p.receivesMicro;
  }
  assert.equal(bought, sold, "bought = sold");
  assert.equal(bought, result.summary.tradedWh);
  const s = result.summary;
  assert.equal(
    pays,
    receives + s.networkFeesMicro + s.budgetSurplusMicro + s.gridCostMicro,
    "money is conserved exactly",
  );
  assert.ok(s.budgetSurplusMicro >= 0, "budget surplus is never negative");
  if (mechanism.name !== "mcafee") assert.equal(s.budgetSurplusMicro, 0, "budget balanced");
}

function record(mechanism: Mechanism, result: ClearingResult): string {
  return canonicalize(clearingRecord(result, mechanism.splitPrices));
}

/** Registers the shared property tests for `mechanism`. */
export function runMechanismSuite(mechanism: Mechanism): void {
  const oneSide = !mechanism.allowsBothSides;
  test(`suite(${mechanism.name}): energy and money are conserved, limits respected, no self-trade`, () => {
    fc.assert(
      fc.property(arbitraryBook({ oneSidePerParticipant: oneSide }), (input) => {
        checkInvariants(mechanism, input, clear(mechanism, input));
      }),
      { numRuns: RUNS },
    );
  });

  test(`suite(${mechanism.name}): at the documented bounds (order energy, price, side total) money is still exact`, () => {
    const atBounds = arbitraryBook({
      oneSidePerParticipant: oneSide,
      participants: 200,
      maxOrders: 200,
      maxEnergyWh: MAX_ORDER_WH,
      maxPriceMicro: MAX_PRICE_MICRO,
      maxFeeMicro: MAX_PRICE_MICRO,
    }).map((input) => ({
      ...input,
      // Most orders at the order bound, so that a side reaches the interval's bound.
      orders: input.orders.map((o, i) => (i % 4 === 3 ? o : { ...o, energyWh: MAX_ORDER_WH })),
    }));
    fc.assert(
      fc.property(atBounds, (input) => {
        const sides = { buy: 0, sell: 0 };
        for (const o of input.orders) sides[o.side] += o.energyWh;
        fc.pre(sides.buy <= MAX_SIDE_WH && sides.sell <= MAX_SIDE_WH);
        checkInvariants(mechanism, input, clear(mechanism, input));
      }),
      { numRuns: 40 },
    );
  });

  test(`suite(${mechanism.name}): deterministic, and the order of the input does not matter`, () => {
    fc.assert(
      fc.property(arbitraryBook({ oneSidePerParticipant: true }), fc.integer(), (input, seed) => {
        const a = record(mechanism, clear(mechanism, input));
        assert.equal(record(mechanism, clear(mechanism, input)), a);
        // Even the continuous auction replays in (timestamp, id) order, so arrival order in the
        // file never matters.
        assert.equal(record(mechanism, clear(mechanism, permuted(input, seed))), a);
      }),
      { numRuns: RUNS },
    );
  });
}
