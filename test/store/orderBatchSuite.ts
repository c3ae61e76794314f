/**
 * Group commit of orders, on each store: a batch recorded in one transaction gives every order
 * the outcome it gets recorded alone, one after another, and leaves the same rows. The property
 * runs random scripts (reused nonces, repeated bytes, reused ids, replaces, both sides) once
 * one order per transaction and once cut into random batches, in two communities of one
 * database, and compares outcomes and rows (receive stamps by rank: the sequence is shared).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../../src/core/canonicalJson.js";
import { sha256Hex } from "../../src/core/ids.js";
import { formatInstant } from "../../src/core/time.js";
import { kwhToWh, toMicro } from "../../src/core/units.js";
import { nonceKey, signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import type { NewOrder, RecordOutcome } from "../../src/store/communityStore.js";
import { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { HOMES, T0 } from "../support/ledgerFixtures.js";

const MIN = 60_000;

interface Step {
  readonly who: number;
  readonly interval: number;
  readonly id: string;
  readonly side: "buy" | "sell";
  readonly kwh: number;
  readonly nonce: string;
  readonly replaces: string | undefined;
}

function newOrder(s: Step, oneSide: boolean): NewOrder {
  const who = HOMES[s.who] as Identity;
  const start = T0 + s.interval * 15 * MIN;
  const envelope = signOrder(
    {
      id: s.id,
      participant: participantIdOf(who.publicKey),
      side: s.side,
      energy_kwh: s.kwh,
      price_per_kwh: 0.1,
      timestamp: formatInstant(start - 20 * MIN),
      interval_start: formatInstant(start),
      ...(s.replaces === undefined ? {} : { replaces: s.replaces }),
    },
    who,
    createHash("sha256").update(s.nonce).digest("hex").slice(0, 32),
    start + 60 * MIN,
  );
  return {
    intervalStartMs: start,
    participant: envelope.order.participant,
    orderId: s.id,
    receivedMs: T0,
    side: s.side,
    energyWh: kwhToWh(s.kwh),
    priceMicro: toMicro(0.1),
    envelope,
    nonceKey: nonceKey(envelope),
    digest: sha256Hex(canonicalize(envelope)),
    oneSidePerParticipant: oneSide,
    replaces: s.replaces,
  };
}

const ids = ["o1", "o2", "o3", "o4"];
const stepArb: fc.Arbitrary<Step> = fc.record({
  who: fc.integer({ min: 0, max: 2 }),
  interval: fc.integer({ min: 0, max: 1 }),
  id: fc.constantFrom(...ids),
  side: fc.constantFrom("buy" as const, "sell" as const),
  kwh: fc.constantFrom(1, 2),
  nonce: fc.constantFrom("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"),
  replaces: fc.option(fc.constantFrom(...ids), { nil: undefined }),
});

async function registered(db: SqlDatabase, community: string): Promise<SqlCommunityStore> {
  const store = new SqlCommunityStore(db, community);
  await store.ensureCommunity(JSON.stringify({ id: community }), 0);
  for (const [i, who] of HOMES.slice(0, 3).entries())
    await store.addParticipant({
      id: participantIdOf(who.publicKey),
      name: `Building_${i + 1}`,
      role: "member",
      status: "active",
      meterId: null,
      publicKey: who.publicKey,
      registeredMs: 0,
    });
  return store;
}

/** Outcomes with each receive stamp replaced by its rank among the run's stamps. */
function ranked(outcomes: readonly RecordOutcome[]): unknown[] {
  const seqs = outcomes.flatMap((o) => (o.kind === "recorded" ? [o.receipt.received_seq] : []));
  const rank = new Map([...seqs].sort((a, b) => a - b).map((s, i) => [s, i]));
  return outcomes.map((o) =>
    o.kind === "recorded" || o.kind === "replayed"
      ? { ...o, receipt: { ...o.receipt, received_seq: rank.get(o.receipt.received_seq) ?? -1 } }
      : o,
  );
}

async function rows(db: SqlDatabase, community: string): Promise<string[]> {
  const found = await db.query<{ p: string; i: number; o: string; s: string; r: number }>(
    `select participant_id as p, interval_start_ms as i, order_id as o, status as s,
       rank() over (order by received_seq) as r
     from orders where community_id = $1 order by received_seq`,
    [community],
  );
  return found.map((r) => `${r.r} ${r.p.slice(0, 8)} ${r.i} ${r.o} ${r.s}`);
}

export function runOrderBatchSuite(name: string, open: () => Promise<SqlDatabase>): void {
  test(`${name}: an order replaced by a later order of the same batch is cancelled`, async () => {
    const db = await open();
    try {
      await migrate(db);
      const store = await registered(db, "batch-replace");
      const first = newOrder(
        { who: 0, interval: 0, id: "a", side: "sell", kwh: 1, nonce: "x1", replaces: undefined },
        true,
      );
      const second = newOrder(
        { who: 0, interval: 0, id: "b", side: "sell", kwh: 2, nonce: "x2", replaces: "a" },
        true,
      );
      const outcomes = await store.recordOrders([first, second, first]);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ["recorded", "recorded", "replayed"],
      );
      assert.deepEqual(
        (await store.openOrders(first.intervalStartMs)).map((o) => o.orderId),
        ["b"],
      );
      const [a] = await store.ordersOf(first.participant, { status: "cancelled", limit: 5 });
      assert.equal(a?.orderId, "a");
    } finally {
      await db.close();
    }
  });

  test(`${name}: a participant suspended after intake's check gets no new order; its old one replays`, async () => {
    const db = await open();
    try {
      await migrate(db);
      const store = await registered(db, "batch-suspend");
      const step = { who: 1, interval: 0, side: "buy" as const, kwh: 1, replaces: undefined };
      const first = newOrder({ ...step, id: "a", nonce: "s1" }, true);
      const later = newOrder({ ...step, id: "b", nonce: "s2" }, true);
      assert.equal((await store.recordOrders([first]))[0]?.kind, "recorded");
      const who = HOMES[1] as Identity;
      assert.equal((await store.participantByKey(who.publicKey))?.status, "active");
      await store.setParticipantStatus(first.participant, "suspended");
      // The participant as looked up is not a stale copy.
      assert.equal((await store.participantByKey(who.publicKey))?.status, "suspended");
      assert.deepEqual(
        (await store.recordOrders([later, first])).map((o) => o.kind),
        ["suspended", "replayed"],
      );
    } finally {
      await db.close();
    }
  });

  test(`${name}: property: a batch's outcomes and rows are those of one order at a time`, async () => {
    const db = await open();
    try {
      await migrate(db);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 1, maxLength: 24 }),
          fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 24, maxLength: 24 }),
          fc.boolean(),
          async (steps, cuts, oneSide) => {
            run += 1;
            const orders = steps.map((s) => newOrder(s, oneSide));
            const single = await registered(db, `single-${run}`);
            const batched = await registered(db, `batched-${run}`);
            const alone: RecordOutcome[] = [];
            for (const o of orders) alone.push(...(await single.recordOrders([o])));
            const together: RecordOutcome[] = [];
            for (let at = 0, k = 0; at < orders.length; k++) {
              const size = cuts[k % cuts.length] as number;
              together.push(...(await batched.recordOrders(orders.slice(at, at + size))));
              at += size;
            }
            assert.deepEqual(ranked(together), ranked(alone));
            assert.deepEqual(await rows(db, `batched-${run}`), await rows(db, `single-${run}`));
          },
        ),
        { numRuns: 20, seed: 20261203 },
      );
    } finally {
      await db.close();
    }
  });
}
