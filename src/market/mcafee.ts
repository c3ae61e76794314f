/**
 * `mcafee`: the trade-reduction double auction (McAfee 1992), in the multi-unit form of Huang,
 * Scheller-Wolf & Sycara (2002). It is dominant-strategy truthful in prices: no participant can
 * gain by bidding other than its true value.
 *
 * 1. Walk the ranked bids and asks as `uniform` does. Let K be the buyer and L the seller that
 *    hold the last efficient unit (the marginal pair).
 * 2. Exclude both: only buyers ranked above K and sellers ranked above L trade.
 * 3. Buyers pay K's effective bid plus the network fee, sellers receive L's ask. K and L set the
 *    prices but do not trade, so nobody who trades can move their own price.
 * 4. The short side trades its full quantity; the long side is rationed in proportion to the
 *    ordered quantities (largest remainder, ties by order id so that prices play no part).
 * The market keeps (bid_K - ask_L) per traded kWh as budget surplus.
 *
 * @see R. P. McAfee, "A dominant strategy double auction", J. Economic Theory 56 (1992)
 * @see P. Huang, A. Scheller-Wolf, K. Sycara, "Design of a multi-unit double auction
 *      e-market", Computational Intelligence 18(4) (2002)
 */
import { apportion } from "./apportion.js";
import { askAt, bidAt, type RankedBook, rankBook, walkCrossing } from "./priority.js";
import { TradeIdFactory, tradeBetween } from "./tradeIds.js";
import type { ClearingInput, Mechanism, MechanismOutcome, Order, Trade } from "./types.js";

const NO_PRICES = { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null };

/** What each of the first `count` ranked orders of a side trades when `volume` is shared. */
function allocations(book: RankedBook, ranks: Int32Array, count: number, volume: number): number[] {
  const members: Order[] = [];
  for (let r = 0; r < count; r++) members.push(book.orders[ranks[r] as number] as Order);
  const quantities = members.map((o) => o.energyWh);
  const total = quantities.reduce((a, b) => a + b, 0);
  if (total === volume) return quantities;
  return apportion(
    volume,
    quantities,
    members.map((o) => o.id),
  );
}

export function clearMcAfee(input: ClearingInput): MechanismOutcome {
  const book = rankBook(input.orders, input.grid);
  const walk = walkCrossing(book);
  const n = walk.count;
  if (n === 0) return { trades: [], prices: NO_PRICES };
  const buyerCount = walk.bidRank[n - 1] as number;
  const sellerCount = walk.askRank[n - 1] as number;
  if (buyerCount === 0 || sellerCount === 0) return { trades: [], prices: NO_PRICES };
  const buyPrice = bidAt(book, buyerCount);
  const sellPrice = askAt(book, sellerCount);
  let demand = 0;
  for (let r = 0; r < buyerCount; r++)
    demand += (book.orders[book.bids[r] as number] as Order).energyWh;
  let supply = 0;
  for (let r = 0; r < sellerCount; r++)
    supply += (book.orders[book.asks[r] as number] as Order).energyWh;
  const volume = Math.min(demand, supply);
  const bought = allocations(book, book.bids, buyerCount, volume);
  const sold = allocations(book, book.asks, sellerCount, volume);

  const ids = new TradeIdFactory("mcafee", input.interval);
  const trades: Trade[] = [];
  let i = 0;
  let j = 0;
  let bLeft = bought[0] ?? 0;
  let sLeft = sold[0] ?? 0;
  while (i < buyerCount && j < sellerCount) {
    if (bLeft === 0) {
      bLeft = bought[++i] ?? 0;
      continue;
    }
    if (sLeft === 0) {
      sLeft = sold[++j] ?? 0;
      continue;
    }
    const q = Math.min(bLeft, sLeft);
    const buy = book.bids[i] as number;
    const sell = book.asks[j] as number;
    trades.push(
      tradeBetween(ids, book.orders, buy, sell, q, buyPrice, sellPrice, input.interval.startMs),
    );
    bLeft -= q;
    sLeft -= q;
  }
  if (trades.length === 0) return { trades, prices: NO_PRICES };
  return {
    trades,
    prices: { clearingPriceMicro: null, buyPriceMicro: buyPrice, sellPriceMicro: sellPrice },
  };
}

export const mcafee: Mechanism = {
  name: "mcafee",
  kind: "bid",
  defaultKPpm: null,
  splitPrices: true,
  allowsBothSides: false,
  clear: clearMcAfee,
};
