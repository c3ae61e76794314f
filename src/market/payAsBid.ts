/**
 * `pay-as-bid`: a discriminatory call auction. The highest bid is matched with the lowest ask in
 * turn (the same greedy walk as `uniform`), and each matched pair trades at its own price
 * `k * b + (1 - k) * a`, with `b` the buyer's effective bid (limit minus network fee) and `a` the
 * seller's ask. With the default k = 1 buyers pay their bids.
 */
import { askAt, bidAt, kPoint, rankBook, walkCrossing } from "./priority.js";
import { TradeIdFactory, tradeBetween } from "./tradeIds.js";
import type {
  ClearingInput,
  Mechanism,
  MechanismOutcome,
  MechanismParams,
  Trade,
} from "./types.js";

export function clearPayAsBid(input: ClearingInput, params: MechanismParams): MechanismOutcome {
  const book = rankBook(input.orders, input.grid);
  const walk = walkCrossing(book);
  const ids = new TradeIdFactory("pay-as-bid", input.interval);
  const trades: Trade[] = [];
  for (let t = 0; t < walk.count; t++) {
    const b = walk.bidRank[t] as number;
    const a = walk.askRank[t] as number;
    const price = kPoint(askAt(book, a), bidAt(book, b), params.kPpm);
    const buy = book.bids[b] as number;
    const sell = book.asks[a] as number;
    trades.push(
      tradeBetween(
        ids,
        book.orders,
        buy,
        sell,
        walk.energyWh[t] as number,
        price,
        price,
        input.interval.startMs,
      ),
    );
  }
  return {
    trades,
    prices: { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null },
  };
}

export const payAsBid: Mechanism = {
  name: "pay-as-bid",
  kind: "bid",
  defaultKPpm: 1_000_000,
  splitPrices: false,
  allowsBothSides: false,
  clear: clearPayAsBid,
};
