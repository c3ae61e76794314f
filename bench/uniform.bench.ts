/**
 * Periodic clearing speed (`uniform`, orders already parsed): clearing and settling 10,000,
 * 100,000 and 1,000,000 orders, with a plain sort of the same orders by price as the baseline
 * measured in the same process, and how time grows with n.
 *
 *   npm run bench -- uniform
 */
import { createRng } from "../src/core/rng.js";
import { clearMarket } from "../src/market/clearMarket.js";
import { MECHANISMS } from "../src/market/mechanisms.js";
import { settle } from "../src/market/settle.js";
import type { ClearingInput, Order } from "../src/market/types.js";
import { fmt, gc, header, machine, median, timeRuns } from "./stats.js";

function makeBook(n: number, seed: number): ClearingInput {
  const rng = createRng(seed);
  const orders: Order[] = [];
  const t0 = Date.UTC(2026, 5, 1, 12);
  for (let i = 0; i < n; i++) {
    const side = i % 2 === 0 ? "buy" : "sell";
    // limits clustered around 0.15/kWh with a 0.1 spread, in whole tenths of a cent
    const price = Math.max(
      1,
      Math.round(150_000 + rng.normal() * 50_000) -
        (Math.round(150_000 + rng.normal() * 50_000) % 1000),
    );
    orders.push({
      id: `o${i}`,
      participant: `h${i}`,
      side,
      energyWh: rng.int(100, 5000),
      limitPriceMicro: price,
      timestampMs: t0 - rng.int(0, 900) * 1000,
    });
  }
  return {
    interval: { startMs: t0, minutes: 15 },
    grid: { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 },
    orders,
  };
}

header(`Periodic clearing, uniform price (${machine()})`);
process.stdout.write(
  "Times are medians after warm-up; `clear` is ranking, matching, pricing and the trades, `settle` the money per order (grid fallback, fees, totals). The baseline is Array.prototype.sort of the same orders by price alone.\n\n",
);
process.stdout.write(
  "| orders | clear | settle | clear + settle | budget | trades | baseline sort | ratio to baseline | per order |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
);
const budgets: Record<number, number> = { 10000: 5, 100000: 60, 1000000: 1000 };
const results: [number, number][] = [];
for (const n of [10_000, 100_000, 1_000_000]) {
  const input = makeBook(n, n);
  const runs = n >= 1_000_000 ? 7 : n >= 100_000 ? 21 : 101;
  const warmup = n >= 1_000_000 ? 2 : 20;
  const mechanism = MECHANISMS.uniform;
  let trades = 0;
  const clearMs: number[] = [];
  const settleMs: number[] = [];
  const totalMs: number[] = [];
  for (let r = 0; r < warmup; r++) clearMarket(input, { mechanism });
  for (let r = 0; r < runs; r++) {
    if (n >= 100_000) gc();
    const t0 = performance.now();
    const outcome = mechanism.clear(input, { kPpm: 500_000 });
    const t1 = performance.now();
    settle(input, mechanism, 500_000, outcome);
    const t2 = performance.now();
    trades = outcome.trades.length;
    clearMs.push(t1 - t0);
    settleMs.push(t2 - t1);
    totalMs.push(t2 - t0);
  }
  const sortMs = timeRuns(
    () => [...input.orders].sort((a, b) => a.limitPriceMicro - b.limitPriceMicro),
    n >= 1_000_000 ? 3 : 9,
  );
  const total = median(totalMs);
  const s = median(sortMs);
  results.push([n, total]);
  const budget = budgets[n] as number;
  process.stdout.write(
    `| ${n.toLocaleString("en")} | ${fmt(median(clearMs), 1)} ms | ${fmt(median(settleMs), 1)} ms | ${fmt(total, 1)} ms | ${budget} ms ${total <= budget ? "(met)" : "(missed)"} | ${trades.toLocaleString("en")} | ${fmt(s, 1)} ms | ${fmt(total / s)}x | ${fmt((total * 1000) / n, 2)} us |\n`,
  );
}
const [a, b, c] = results as [[number, number], [number, number], [number, number]];
process.stdout.write(
  `\ngrowth exponent (time ~ n^x): 10k->100k x = ${fmt(Math.log(b[1] / a[1]) / Math.log(10))}, 100k->1M x = ${fmt(Math.log(c[1] / b[1]) / Math.log(10))}\n`,
);
const ids = mechanismIds();
process.stdout.write(
  `transaction ids are computed on first use (SHA-256 each): ${fmt(ids, 2)} us per trade when they are read\n`,
);

function mechanismIds(): number {
  const input = makeBook(100_000, 7);
  const outcome = MECHANISMS.uniform.clear(input, { kPpm: 500_000 });
  const t0 = performance.now();
  let len = 0;
  for (const t of outcome.trades) len += t.transactionId.length;
  if (len === 0) throw new Error("no ids");
  return ((performance.now() - t0) * 1000) / outcome.trades.length;
}
