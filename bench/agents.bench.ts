/**
 * Agent decisions for 1,000 homes in one interval (goal 50 ms): every home's limit price, what
 * it learns from the outcome and the public price, for each strategy and for a mix, over a day
 * of hourly intervals after a week of warm-up.
 *
 *   npm run bench -- agents
 */
import {
  createAgent,
  NO_PREFERENCES,
  STRATEGIES,
  type StrategyName,
} from "../src/agents/strategies.js";
import { createRng } from "../src/core/rng.js";
import { fmt, header, machine, median } from "./stats.js";

header(`Agent decisions, 1,000 homes per interval (${machine()})`);
const HOMES = 1000;
for (const mix of [...STRATEGIES.map((s) => [s]), [...STRATEGIES]] as StrategyName[][]) {
  const rng = createRng(7);
  const agents = Array.from({ length: HOMES }, (_, i) =>
    createAgent(mix[i % mix.length] as StrategyName, NO_PREFERENCES, rng.fork(String(i)), 24),
  );
  const times: number[] = [];
  for (let t = 0; t < 24 * 8; t++) {
    const slot = t % 24;
    const importMicro = slot >= 16 && slot < 21 ? 480_000 : 210_000;
    const t0 = performance.now();
    const limits = new Float64Array(HOMES);
    for (let i = 0; i < HOMES; i++)
      limits[i] = (agents[i] as ReturnType<typeof createAgent>).limit({
        side: i % 3 === 0 ? "sell" : "buy",
        importMicro,
        exportMicro: 50_000,
        feeMicro: 10_000,
        slot,
      });
    const price = 130_000 + (slot % 5) * 1000;
    for (let i = 0; i < HOMES; i++) {
      const a = agents[i] as ReturnType<typeof createAgent>;
      a.observe({
        side: i % 3 === 0 ? "sell" : "buy",
        limitMicro: limits[i] as number,
        filled: (i % 7) / 6,
        priceMicro: price,
        slot,
        importMicro,
        exportMicro: 50_000,
      });
      a.hear({
        slot,
        priceMicro: price,
        importMicro,
        exportMicro: 50_000,
        supplyWh: 4000,
        demandWh: 6000,
      });
    }
    if (t >= 24 * 7) times.push(performance.now() - t0);
  }
  process.stdout.write(
    `${mix.join("+")}: ${fmt(median(times), 3)} ms median per interval, worst ${fmt(Math.max(...times), 3)} ms (goal 50 ms)\n`,
  );
}
