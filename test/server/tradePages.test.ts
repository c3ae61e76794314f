/**
 * Pages of the trades tape over real blocks (100 intervals of four signed orders): every trade
 * exactly once and in ledger order whatever the page size, the participant and interval
 * filters, the default window of the last 96 blocks, and a cursor that is not one refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatInstant } from "../../src/core/time.js";
import { clearInterval } from "../../src/ledger/clearInterval.js";
import { indexBlocks, tradeRecords } from "../../src/ledger/queries.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { RECENT_BLOCKS, tradePage } from "../../src/server/tradePages.js";
import { HOMES, MemoryLedger, OPERATOR, signedOrdersFor, T0 } from "../support/ledgerFixtures.js";

const ledger = new MemoryLedger();
for (let k = 0; k < 100; k++)
  clearInterval({
    interval: { startMs: T0 + k * 15 * 60_000, minutes: 15 },
    tariff: { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 },
    mechanism: MECHANISMS.uniform,
    items: signedOrdersFor(k),
    requireSignatures: true,
    ledger: { store: ledger, operator: OPERATOR },
  });
const blocks = ledger.payloads;
const heads = indexBlocks(blocks).heads;
const all = tradeRecords(blocks);
const ids = (ts: readonly Record<string, unknown>[]) => ts.map((t) => t.transaction_id);

function everyPage(
  query: { participant?: string; intervalStart?: string },
  limit: number,
  cursor?: string,
) {
  const out: Record<string, unknown>[] = [];
  let next: string | null | undefined = cursor;
  let pages = 0;
  do {
    const page = tradePage(blocks, heads, {
      ...query,
      limit,
      ...(next == null ? {} : { cursor: next }),
    });
    assert.ok(page.trades.length <= limit);
    out.push(...page.trades);
    next = page.next_cursor;
    pages++;
  } while (next !== null && pages < 10_000);
  return out;
}

test("trade pages: every trade once, in ledger order, at any page size (property)", () => {
  assert.ok(all.length > 200);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 700 }), (limit) => {
      assert.deepEqual(ids(everyPage({}, limit, "0.0")), ids(all));
    }),
    { numRuns: 40 },
  );
});

test("trade pages: by default the last 96 blocks; filters by participant and interval", () => {
  const recent = tradeRecords(blocks.slice(-RECENT_BLOCKS));
  assert.deepEqual(ids(everyPage({}, 50)), ids(recent));
  const who = (HOMES[0] as { participant: string }).participant;
  const mine = all.filter((t) => t.buyer === who || t.seller === who);
  assert.ok(mine.length > 0);
  assert.deepEqual(ids(everyPage({ participant: who }, 7, "0.0")), ids(mine));
  const at = formatInstant(T0 + 3 * 15 * 60_000);
  assert.deepEqual(
    ids(everyPage({ intervalStart: at }, 1)),
    ids(tradeRecords([blocks[3] as string])),
  );
  assert.deepEqual(tradePage(blocks, heads, { intervalStart: formatInstant(T0 - 1), limit: 5 }), {
    trades: [],
    next_cursor: null,
  });
});

test("trade pages: a cursor that is not one is refused, naming it", () => {
  for (const bad of ["x", "1", "1.2.3", "999.0"])
    assert.throws(
      () => tradePage(blocks, heads, { cursor: bad, limit: 5 }),
      (e: { code?: string; details?: { field?: string } }) =>
        e.code === "E_INPUT" && e.details?.field === "cursor",
    );
});
