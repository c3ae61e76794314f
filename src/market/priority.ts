/**
 * Price-time priority for call auctions, and the greedy walk down the two sorted sides that
 * every bid-based mechanism starts from.
 *
 * Buyers are ranked by effective bid (limit minus network fee) high to low, sellers by ask low to
 * high; ties go to the earlier timestamp, then to the smaller order id (UTF-16 order). The order
 * of the input therefore never matters.
 *
 * Ranking is the hot path of a call auction with a million orders, so it avoids comparison
 * sorts over objects: (price, timestamp) is packed into one integer key below 2^53, the keys are
 * sorted by a stable LSD radix sort carrying the order indices, and only runs of equal keys
 * (same price and same timestamp) are ordered by id with a comparison sort.
 */
import { mulDivHalfEven } from "../core/units.js";
import type { GridTariff, Order, Side } from "./types.js";

const TWO_32 = 4294967296;

/** Effective price of an order as its side's auction compares it (micro-units per kWh). */
export function effectivePrice(order: Order, grid: GridTariff): number {
  return order.side === "buy"
    ? order.limitPriceMicro - grid.networkFeeMicro
    : order.limitPriceMicro;
}

/** Ranks of `values` among their distinct values (0 = smallest). */
function denseRanks(values: Float64Array): Float64Array {
  const distinct = Float64Array.from(new Set(values)).sort();
  const rank = new Map<number, number>();
  for (let i = 0; i < distinct.length; i++) rank.set(distinct[i] as number, i);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = rank.get(values[i] as number) as number;
  return out;
}

/**
 * Stable LSD radix sort of `idx` by integer keys in [0, 2^53), given as high and low 32-bit
 * halves. Sorts `idx`, `hi` and `lo` together; returns the arrays holding the result.
 */
function radixSort(
  idx: Int32Array,
  hi: Uint32Array,
  lo: Uint32Array,
  maxHi: number,
  maxLo: number,
): { idx: Int32Array; hi: Uint32Array; lo: Uint32Array } {
  const m = idx.length;
  // Wider digits pay off once the array dwarfs the counting table.
  const bits = m >= 200_000 ? 16 : m >= 20_000 ? 13 : 11;
  const radix = 1 << bits;
  const mask = radix - 1;
  let src: Int32Array = idx;
  let dst: Int32Array = new Int32Array(m);
  let loSrc: Uint32Array = lo;
  let hiSrc: Uint32Array = hi;
  let loDst: Uint32Array = new Uint32Array(m);
  let hiDst: Uint32Array = new Uint32Array(m);
  const count = new Int32Array(radix);
  const passes: [boolean, number][] = [];
  const loBits = maxHi > 0 ? 32 : Math.max(1, 32 - Math.clz32(maxLo));
  for (let shift = 0; shift < loBits; shift += bits) passes.push([false, shift]);
  const hiBits = maxHi > 0 ? 32 - Math.clz32(maxHi) : 0;
  for (let shift = 0; shift < hiBits; shift += bits) passes.push([true, shift]);
  for (const [useHi, shift] of passes) {
    const digits = useHi ? hiSrc : loSrc;
    count.fill(0);
    for (let i = 0; i < m; i++) count[((digits[i] as number) >>> shift) & mask]!++;
    let sum = 0;
    for (let d = 0; d < radix; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const d = ((digits[i] as number) >>> shift) & mask;
      const pos = count[d] as number;
      count[d] = pos + 1;
      dst[pos] = src[i] as number;
      loDst[pos] = loSrc[i] as number;
      hiDst[pos] = hiSrc[i] as number;
    }
    [src, dst] = [dst, src];
    [loSrc, loDst] = [loDst, loSrc];
    [hiSrc, hiDst] = [hiDst, hiSrc];
  }
  return { idx: src, hi: hiSrc, lo: loSrc };
}

/**
 * Indices (into `orders`) of the orders of one side, best first: buyers by effective bid high
 * to low, sellers by ask low to high, then earlier timestamp, then smaller id.
 */
export function rankSide(orders: readonly Order[], side: Side, grid: GridTariff): Int32Array {
  const fee = side === "buy" ? grid.networkFeeMicro : 0;
  let m = 0;
  let pMin = Number.POSITIVE_INFINITY;
  let pMax = Number.NEGATIVE_INFINITY;
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i] as Order;
    if (o.side !== side) continue;
    m++;
    const p = o.limitPriceMicro - fee;
    if (p < pMin) pMin = p;
    if (p > pMax) pMax = p;
    const t = o.timestampMs;
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const idx = new Int32Array(m);
  if (m === 0) return idx;
  const buy = side === "buy";
  let k = 0;
  for (let i = 0; i < orders.length; i++) if ((orders[i] as Order).side === side) idx[k++] = i;
  if (m === 1) return idx;

  // Key = price part * tSpan + time part, ascending = best first.
  let pSpan = pMax - pMin + 1;
  let tSpan = tMax - tMin + 1;
  let pricePart: (o: Order, r: number) => number = buy
    ? (o) => pMax - (o.limitPriceMicro - fee)
    : (o) => o.limitPriceMicro - pMin;
  let timePart: (o: Order, r: number) => number = (o) => o.timestampMs - tMin;
  if (pSpan * tSpan > 2 ** 53) {
    // Huge ranges: compress prices and times to dense ranks first.
    const prices = new Float64Array(m);
    const times = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const o = orders[idx[r] as number] as Order;
      prices[r] = buy ? -(o.limitPriceMicro - fee) : o.limitPriceMicro;
      times[r] = o.timestampMs;
    }
    const pr = denseRanks(prices);
    const tr = denseRanks(times);
    pSpan = m;
    tSpan = m;
    pricePart = (_o, r) => pr[r] as number;
    timePart = (_o, r) => tr[r] as number;
  }
  const hi = new Uint32Array(m);
  const lo = new Uint32Array(m);
  let maxHi = 0;
  let maxLo = 0;
  for (let r = 0; r < m; r++) {
    const o = orders[idx[r] as number] as Order;
    const key = pricePart(o, r) * tSpan + timePart(o, r);
    const h = Math.floor(key / TWO_32);
    const l = key - h * TWO_32;
    hi[r] = h;
    lo[r] = l;
    if (h > maxHi) maxHi = h;
    if (l > maxLo) maxLo = l;
  }
  const sorted = radixSort(idx, hi, lo, maxHi, maxLo);
  const out = sorted.idx;
  const sh = sorted.hi;
  const sl = sorted.lo;
  // Equal keys (same price, same time): order by id.
  let cmp: ((a: number, b: number) => number) | undefined;
  for (let i = 0; i < m; ) {
    let j = i + 1;
    while (j < m && sh[j] === sh[i] && sl[j] === sl[i]) j++;
    if (j - i > 1) {
      cmp ??= (a, b) => {
        const x = (orders[a] as Order).id;
        const y = (orders[b] as Order).id;
        return x < y ? -1 : x > y ? 1 : 0;
      };
      if (j - i === 2) {
        if (cmp(out[i] as number, out[i + 1] as number) > 0) {
          const t = out[i] as number;
          out[i] = out[i + 1] as number;
          out[i + 1] = t;
        }
      } else {
        out.subarray(i, j).sort(cmp);
      }
    }
    i = j;
  }
  return out;
}

/** Both sides ranked, with prices and quantities laid out by rank. */
export interface RankedBook {
  readonly orders: readonly Order[];
  /** Buy order indices (into `orders`), best first. */
  readonly bids: Int32Array;
  /** Sell order indices, best first. */
  readonly asks: Int32Array;
  /** Effective bid by rank (limit minus fee), micro-units per kWh. */
  readonly bidPrice: Float64Array;
  /** Ask by rank, micro-units per kWh. */
  readonly askPrice: Float64Array;
  /** Ordered energy by rank, Wh. */
  readonly bidWh: Float64Array;
  readonly askWh: Float64Array;
}

export function rankBook(orders: readonly Order[], grid: GridTariff): RankedBook {
  const bids = rankSide(orders, "buy", grid);
  const asks = rankSide(orders, "sell", grid);
  const bidPrice = new Float64Array(bids.length);
  const bidWh = new Float64Array(bids.length);
  for (let r = 0; r < bids.length; r++) {
    const o = orders[bids[r] as number] as Order;
    bidPrice[r] = o.limitPriceMicro - grid.networkFeeMicro;
    bidWh[r] = o.energyWh;
  }
  const askPrice = new Float64Array(asks.length);
  const askWh = new Float64Array(asks.length);
  for (let r = 0; r < asks.length; r++) {
    const o = orders[asks[r] as number] as Order;
    askPrice[r] = o.limitPriceMicro;
    askWh[r] = o.energyWh;
  }
  return { orders, bids, asks, bidPrice, askPrice, bidWh, askWh };
}

/** Effective bid of the buy order at rank `r`. */
export function bidAt(book: RankedBook, r: number): number {
  return book.bidPrice[r] as number;
}

/** Ask of the sell order at rank `r`. */
export function askAt(book: RankedBook, r: number): number {
  return book.askPrice[r] as number;
}

/** Matched quantities between ranked bids and asks: `count` pairs of ranks and Wh. */
export interface Walk {
  readonly count: number;
  readonly bidRank: Int32Array;
  readonly askRank: Int32Array;
  readonly energyWh: Float64Array;
}

/**
 * Walks both sides from the best prices, matching while the bid is at least the ask, with partial
 * fills. The result maximises the gains from trade for divisible quantities.
 */
export function walkCrossing(book: RankedBook): Walk {
  const { bidPrice, askPrice, bidWh, askWh } = book;
  const nb = bidPrice.length;
  const na = askPrice.length;
  const cap = Math.max(0, nb + na - 1);
  const bidRank = new Int32Array(cap);
  const askRank = new Int32Array(cap);
  const energyWh = new Float64Array(cap);
  let count = 0;
  let i = 0;
  let j = 0;
  let bidLeft = nb > 0 ? (bidWh[0] as number) : 0;
  let askLeft = na > 0 ? (askWh[0] as number) : 0;
  while (i < nb && j < na) {
    if ((bidPrice[i] as number) < (askPrice[j] as number)) break;
    const q = Math.min(bidLeft, askLeft);
    bidRank[count] = i;
    askRank[count] = j;
    energyWh[count] = q;
    count++;
    bidLeft -= q;
    askLeft -= q;
    if (bidLeft === 0) {
      i++;
      if (i < nb) bidLeft = bidWh[i] as number;
    }
    if (askLeft === 0) {
      j++;
      if (j < na) askLeft = askWh[j] as number;
    }
  }
  return { count, bidRank, askRank, energyWh };
}

/** `lo + k * (hi - lo)` in integer micro-units, k in ppm, half-even. */
export function kPoint(lo: number, hi: number, kPpm: number): number {
  return lo + mulDivHalfEven(hi - lo, kPpm, 1_000_000);
}
