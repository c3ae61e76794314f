/**
 * `cda`: the continuous double auction. The interval's orders are replayed in timestamp order
 * (ties by order id), or as given when the input says so (the server's receive order), through the {@link OrderBook}: each trades at the resting order's price with
 * price-time priority and partial fills, and whatever rests at the end of the interval goes to
 * the grid. Buy orders enter the book at their limit minus the network fee, so a buyer never
 * pays more than its limit all in. A trade's timestamp is the time of the match.
 */
import { OrderBook } from "./orderBook.js";
import { TradeIdFactory, tradeBetween } from "./tradeIds.js";
import type { ClearingInput, Mechanism, MechanismOutcome, Order, Trade } from "./types.js";

export function clearCda(input: ClearingInput): MechanismOutcome {
  const fee = input.grid.networkFeeMicro;
  const { orders } = input;
  const indices = orders.map((_, i) => i);
  const sorted =
    input.sequence === "given"
      ? indices
      : indices.sort((x, y) => {
          const a = orders[x] as Order;
          const b = orders[y] as Order;
          return a.timestampMs - b.timestampMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        });
  const book = new OrderBook();
  const ids = new TradeIdFactory("cda", input.interval);
  const trades: Trade[] = [];
  const indexOf = new Map<string, number>();
  const pairSeq = new Map<string, number>();
  for (const i of sorted) {
    const o = orders[i] as Order;
    indexOf.set(o.id, i);
    const price = o.side === "buy" ? o.limitPriceMicro - fee : o.limitPriceMicro;
    if (price < 0) continue; // a bid below the fee cannot trade locally; it goes to the grid
    const events = book.submit({
      id: o.id,
      participant: o.participant,
      side: o.side,
      quantity: o.energyWh,
      price,
      timestampMs: o.timestampMs,
    });
    for (const e of events) {
      if (e.type !== "trade") continue;
      // Within one interval two orders meet again only after a modify; seq keeps ids unique.
      const pair = `${e.buyOrderId}\u0000${e.sellOrderId}`;
      const seq = pairSeq.get(pair) ?? 0;
      pairSeq.set(pair, seq + 1);
      const buy = indexOf.get(e.buyOrderId) as number;
      const sell = indexOf.get(e.sellOrderId) as number;
      trades.push(
        tradeBetween(ids, orders, buy, sell, e.quantity, e.price, e.price, e.timestampMs, seq),
      );
    }
  }
  return {
    trades,
    prices: { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null },
  };
}

export const cda: Mechanism = {
  name: "cda",
  kind: "continuous",
  defaultKPpm: null,
  splitPrices: false,
  allowsBothSides: true,
  clear: clearCda,
};
