/**
 * Order book throughput, latency and memory on a realistic stream: about 70 % new passive limit
 * orders priced near the touch, 20 % cancels, 10 % marketable orders, prices clustered around a
 * random-walking mid. The same stream runs through the npm package hft-limit-order-book in the
 * same process; the ratio is what counts, not the absolute figures.
 *
 *   npm run bench -- orderBook
 */
import { OrderBook as HftOrderBook, Side as HftSide } from "hft-limit-order-book";
import { createRng } from "../src/core/rng.js";
import { type LimitOrder, OrderBook } from "../src/market/orderBook.js";
import { fmt, gc, header, heapUsed, machine, median, percentile } from "./stats.js";

type Op = { kind: 0; order: LimitOrder } | { kind: 1; id: string };

function stream(n: number, seed: number, cancelShare = 0.2): Op[] {
  const rng = createRng(seed);
  const ops: Op[] = [];
  const live: string[] = [];
  let mid = 100_000; // 0.10 per kWh in micro-units
  const tick = 100;
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.02) mid += (rng.next() < 0.5 ? -1 : 1) * tick;
    const r = rng.next();
    if (r < cancelShare && live.length > 0) {
      const k = rng.int(0, live.length - 1);
      const id = live[k] as string;
      live[k] = live[live.length - 1] as string;
      live.pop();
      ops.push({ kind: 1, id });
      continue;
    }
    const side = rng.next() < 0.5 ? "buy" : "sell";
    const quantity = rng.int(1, 10) * 1000;
    const id = `o${next++}`;
    let price: number;
    if (r < 0.9 || live.length === 0) {
      // passive: 1 + geometric ticks away from mid on its own side
      let k = 1;
      while (rng.next() < 0.6 && k < 40) k++;
      price = side === "buy" ? mid - k * tick : mid + k * tick;
      live.push(id);
    } else {
      price = side === "buy" ? mid + 5 * tick : mid - 5 * tick; // marketable, through the touch
    }
    ops.push({
      kind: 0,
      order: { id, participant: `p${rng.int(0, 999)}`, side, quantity, price, timestampMs: i },
    });
  }
  return ops;
}

function runOurs(ops: readonly Op[]): number {
  const book = new OrderBook();
  let events = 0;
  for (const op of ops) {
    if (op.kind === 0) events += book.submit(op.order).length;
    else events += 1 + (book.cancel(op.id).type === "cancelled" ? 0 : 0);
  }
  return events;
}

function runHft(ops: readonly Op[]): number {
  const book = new HftOrderBook();
  let n = 0;
  for (const op of ops) {
    if (op.kind === 0) {
      const o = op.order;
      const r = book.limit({
        side: o.side === "buy" ? HftSide.BUY : HftSide.SELL,
        id: o.id,
        size: o.quantity,
        price: o.price,
      });
      n += r.done.length + 1;
    } else {
      book.cancel(op.id);
      n++;
    }
  }
  return n;
}

function throughput(
  fn: (ops: readonly Op[]) => number,
  ops: readonly Op[],
  runs: number,
): { opsPerSec: number; ms: number[] } {
  fn(ops); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    fn(ops);
    ms.push(performance.now() - t0);
  }
  return { opsPerSec: ops.length / (median(ms) / 1000), ms };
}

function latencies(ops: readonly Op[]): Float64Array {
  const book = new OrderBook();
  const out = new Float64Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Op;
    const t0 = performance.now();
    if (op.kind === 0) book.submit(op.order);
    else book.cancel(op.id);
    out[i] = performance.now() - t0;
  }
  return out;
}

function timerOverheadMs(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = performance.now();
    samples[i] = performance.now() - t0;
  }
  samples.sort();
  return percentile(samples, 50);
}

function memoryPerOrder(n: number, make: () => { add(i: number): void; keep(): unknown }): number {
  gc();
  const before = heapUsed();
  const book = make();
  for (let i = 0; i < n; i++) book.add(i);
  const after = heapUsed();
  if (book.keep() === undefined) throw new Error("unreachable");
  return (after - before) / n;
}

const N = Number(process.env.BENCH_OPS ?? 1_000_000);
header(`Order book: ${N.toLocaleString("en")} operations (${machine()})`);
const ops = stream(N, 20260601);
const cancels = ops.filter((op) => op.kind === 1).length;
process.stdout.write(
  `stream: ${fmt((cancels / N) * 100, 1)} % cancels, the rest new limit orders (1 in 8 of them marketable)\n\n`,
);

const ours = throughput(runOurs, ops, 5);
const theirs = throughput(runHft, ops, 5);
const endBook = new OrderBook();
for (const op of ops) op.kind === 0 ? endBook.submit(op.order) : endBook.cancel(op.id);
const endDepth = endBook.depth(100_000);
const lat = latencies(ops);
lat.sort();
const overhead = timerOverheadMs();
const us = (ms: number) => fmt(Math.max(0, ms - overhead) * 1000, 2);

process.stdout.write("| implementation | ops/s (median of 5) | ratio |\n|---|---:|---:|\n");
process.stdout.write(
  `| gridshare OrderBook | ${Math.round(ours.opsPerSec).toLocaleString("en")} | ${fmt(ours.opsPerSec / theirs.opsPerSec)}x |\n`,
);
process.stdout.write(
  `| hft-limit-order-book 7 | ${Math.round(theirs.opsPerSec).toLocaleString("en")} | 1.00x |\n\n`,
);
process.stdout.write(
  `book at the end: ${endBook.size.toLocaleString("en")} resting orders on ${endDepth.bids.length + endDepth.asks.length} price levels\n`,
);
const steady = stream(N, 20260602, 0.45);
const oursSteady = throughput(runOurs, steady, 5);
const theirsSteady = throughput(runHft, steady, 5);
process.stdout.write(
  `steady-state variant (45 % new, 45 % cancels, 10 % marketable; the book stays small): gridshare ${Math.round(oursSteady.opsPerSec).toLocaleString("en")} ops/s, hft-limit-order-book ${Math.round(theirsSteady.opsPerSec).toLocaleString("en")} ops/s, ratio ${fmt(oursSteady.opsPerSec / theirsSteady.opsPerSec)}x\n`,
);
process.stdout.write(
  `latency per operation (timer overhead ${fmt(overhead * 1000, 3)} us subtracted): p50 ${us(percentile(lat, 50))} us, p99 ${us(percentile(lat, 99))} us, p99.9 ${us(percentile(lat, 99.9))} us, max ${us(percentile(lat, 100))} us\n`,
);

const M = 1_000_000;
const oursMem = memoryPerOrder(M, () => {
  const book = new OrderBook();
  return {
    add: (i) =>
      book.submit({
        id: `r${i}`,
        participant: `p${i % 1000}`,
        side: "buy",
        quantity: 1000,
        price: 50_000 + (i % 500) * 100,
        timestampMs: i,
      }),
    keep: () => book.size,
  };
});
const hftMem = memoryPerOrder(M, () => {
  const book = new HftOrderBook();
  return {
    add: (i) =>
      book.limit({ side: HftSide.BUY, id: `r${i}`, size: 1000, price: 50_000 + (i % 500) * 100 }),
    keep: () => book,
  };
});
process.stdout.write(
  `memory per resting order (1,000,000 resting, 500 levels, ids included): gridshare ${fmt(oursMem, 0)} bytes, hft-limit-order-book ${fmt(hftMem, 0)} bytes\n`,
);
