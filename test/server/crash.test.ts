/**
 * Kill -9 at random moments: the built server on a manual clock, on PGlite and on PostgreSQL,
 * with several clients submitting signed orders and the clock advancing across gates, killed
 * with SIGKILL and restarted again and again (seeded; the seed is in any failure). After every
 * restart each acknowledged order is there exactly once, nothing unacknowledged is half there,
 * the clock is not behind what was acknowledged, every interval whose gate closed is cleared;
 * at the end the fetched ledger verifies (test/support/crashLoop.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCrashLoop } from "../support/crashLoop.js";
import { freshPostgres } from "../support/postgres.js";

/** Kills per store, 22 in all: PGlite restarts slower (its WebAssembly start). */
const PGLITE_KILLS = 10;
const POSTGRES_KILLS = 12;

test("crash: SIGKILL at random moments, on PGlite", { timeout: 180_000 }, async () => {
  const report = await runCrashLoop({
    kills: PGLITE_KILLS,
    seed: 16_05_01,
    databaseUrl: undefined,
  });
  assert.equal(report.kills, PGLITE_KILLS);
  assert.ok(report.acknowledged > 0 && report.clearedIntervals > 0 && report.blocks > 0);
});

test("crash: SIGKILL at random moments, on PostgreSQL", { timeout: 180_000 }, async (t) => {
  const pg = await freshPostgres();
  if (pg === undefined) {
    t.diagnostic("PostgreSQL is not reachable: the PostgreSQL half did not run");
    return;
  }
  try {
    const report = await runCrashLoop({
      kills: POSTGRES_KILLS,
      seed: 16_05_02,
      databaseUrl: pg.url,
    });
    assert.equal(report.kills, POSTGRES_KILLS);
    assert.ok(report.acknowledged > 0 && report.clearedIntervals > 0 && report.blocks > 0);
  } finally {
    await pg.drop();
  }
});
