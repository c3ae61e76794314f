/**
 * `uniform`: a periodic call auction with one clearing price for the interval.
 *
 * The greedy walk down the ranked bids and asks fixes the traded volume (the maximum at the
 * crossing, which also maximises gains from trade). The price follows the k-double auction
 * (Rustichini, Satterthwaite & Williams 1994): `p = a + k (b - a)`, where `a` is the marginal
 * accepted ask and `b` the marginal accepted effective bid (limit minus network fee); k = 0.5 is
 * the midpoint. Buyers pay `p` plus the network fee, sellers receive `p`. Where several orders
 * share the marginal price, the earlier one (then the smaller id) is filled first.
 */
import { askAt, bidAt, kPoint, rankBook, walkCrossing } from "./priority.js";
import { LocalTrade, TradeIdFactory } from "./tradeIds.js";
import type {
  ClearingInput,
  Mechanism,
  MechanismOutcome,
  MechanismParams,
  Trade,
} from "./types.js";

export function clearUniform(input: ClearingInput, params: MechanismParams): MechanismOutcome {
  const book = rankBook(input.orders, input.grid);
  const walk = walkCrossing(book);
  const n = walk.count;
  if (n === 0) {
    return {
      trades: [],
      prices: { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null },
    };
  }
  const price = kPoint(
    askAt(book, walk.askRank[n - 1] as number),
    bidAt(book, walk.bidRank[n - 1] as number),
    params.kPpm,
  );
  const ids = new TradeIdFactory("uniform", input.interval);
  const trades: Trade[] = new Array(n);
  const { orders, bids, asks, bidPrice, askPrice } = book;
  const start = input.interval.startMs;
  const fee = input.grid.networkFeeMicro;
  for (let t = 0; t < n; t++) {
    const b = walk.bidRank[t] as number;
    const a = walk.askRank[t] as number;
    trades[t] = new LocalTrade(
      ids,
      orders,
      bids[b] as number,
      asks[a] as number,
      walk.energyWh[t] as number,
      price,
      price,
      start,
      (bidPrice[b] as number) + fee,
      askPrice[a] as number,
    );
  }
  return {
    trades,
    prices: { clearingPriceMicro: price, buyPriceMicro: null, sellPriceMicro: null },
  };
}

export const uniform: Mechanism = {
  name: "uniform",
  kind: "bid",
  defaultKPpm: 500_000,
  splitPrices: false,
  allowsBothSides: false,
  clear: clearUniform,
};
