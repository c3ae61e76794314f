/**
 * The crash loop of test/server/crash.test.ts at bench scale: the built server killed with
 * SIGKILL 200 times per store at seeded random moments, every acknowledged order checked after
 * each restart and the ledger verified at the end. Reports the orders by fate, the intervals
 * cleared, the blocks, and the restart times.
 *
 *   npm run bench -- serve-crash
 *
 * Environment: BENCH_CRASH_KILLS (default 200 per store), BENCH_CRASH_STORES (default
 * "postgres,pglite").
 */
import { runCrashLoop } from "../test/support/crashLoop.js";
import { freshPostgres } from "../test/support/postgres.js";
import { fmt, header, machine, median } from "./stats.js";

const kills = Number(process.env.BENCH_CRASH_KILLS ?? 200);
const stores = (process.env.BENCH_CRASH_STORES ?? "postgres,pglite").split(",");

async function run(label: string, databaseUrl: string | undefined, seed: number): Promise<void> {
  header(`${label}: ${kills} kills (seed ${seed})`);
  const t0 = performance.now();
  const r = await runCrashLoop({ kills, seed, databaseUrl });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${r.kills} kills in ${fmt(seconds, 0)} s: orders ${r.acknowledged} acknowledged, ${r.refused} refused, ${r.unknown} never answered; ${r.advances} clock advances, ${r.clearedIntervals} intervals cleared, ${r.blocks} blocks, ledger verified; restart median ${fmt(median([...r.restartMs]), 0)} ms, worst ${fmt(Math.max(...r.restartMs), 0)} ms\n`,
  );
}

header(`Serve crash loop (${machine()}), ${new Date().toISOString()}`);
if (stores.includes("postgres")) {
  const pg = await freshPostgres();
  if (pg === undefined) process.stdout.write("PostgreSQL is not reachable: its half did not run\n");
  else
    try {
      await run("PostgreSQL", pg.url, 16_200_2);
    } finally {
      await pg.drop();
    }
}
if (stores.includes("pglite")) await run("PGlite", undefined, 16_200_1);
