/**
 * The live `cda` community on a manual clock, run on each store: orders match the moment they
 * are accepted, in receive order, each member learning its fills at once on its private
 * channel; an order with a fill cannot be cancelled, replaced or withdrawn by a suspension; a
 * restart rebuilds the book from the stored orders; and at gate closure the block's replay
 * makes exactly the trades the live book made.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { signKeyRotation } from "../../src/app/liveRequests.js";
import { formatInstant } from "../../src/core/time.js";
import { clearInterval } from "../../src/ledger/clearInterval.js";
import { type SignedOrder, signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { type SignedDocument, signDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import type { Trade } from "../../src/market/types.js";
import { ManualClock } from "../../src/service/clock.js";
import { Feed, type Frame } from "../../src/service/feed.js";
import type { LiveCommunity } from "../../src/service/liveCommunity.js";
import { CHANNELS, MarketFeed } from "../../src/service/marketFeed.js";
import { type LedgerWriter, scanLedger } from "../../src/store/ledgerStore.js";
import { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import {
  adminDocument,
  OfflineTwin,
  openTestCommunity,
  registerMembers,
} from "../support/liveTwin.js";

const SCHEDULE = { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 24 };
const TARIFF = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const MIN = 60_000;
const iso = (ms: number) => formatInstant(ms);
const nonceOf = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);
const [A, B, C, D] = HOMES as [Identity, Identity, Identity, Identity];
const idOf = (who: Identity) => participantIdOf(who.publicKey);

function order(
  who: Identity,
  id: string,
  side: "buy" | "sell",
  kwh: number,
  price: number,
  startMs: number,
  replaces?: string,
): SignedOrder {
  return signOrder(
    {
      id,
      participant: idOf(who),
      side,
      energy_kwh: kwh,
      price_per_kwh: price,
      // The client's own timestamps run backwards: the book must not follow them.
      timestamp: iso(startMs - 20 * MIN - id.length * 1000),
      interval_start: iso(startMs),
      ...(replaces === undefined ? {} : { replaces }),
    },
    who,
    nonceOf(`${startMs}-${id}`),
    startMs + 60 * MIN,
  );
}

function cancelOf(who: Identity, orderId: string, startMs: number): SignedDocument {
  return signDocument(
    "cancel",
    {
      action: "order.cancel",
      participant: idOf(who),
      order_id: orderId,
      interval_start: iso(startMs),
    },
    who,
    nonceOf(`${startMs}-${orderId}-cancel`),
    Date.now() + 10 * MIN,
  );
}

/** A trade as both sides of the comparison show it. */
const tradeKey = (t: Trade) =>
  [t.transactionId, t.buyOrderId, t.sellOrderId, t.energyWh, t.priceMicro] as const;

const refusal =
  (code: string, field: string) => (e: { code?: string; details?: { field?: string } }) => {
    assert.equal(e.code, code);
    assert.equal(e.details?.field, field);
    return true;
  };

interface Fixture {
  community: LiveCommunity;
  feed: MarketFeed;
  writer: LedgerWriter;
  readonly frames: Frame[];
}

async function openCda(db: SqlDatabase, ledgerDir: string, clock: ManualClock): Promise<Fixture> {
  const store = new SqlCommunityStore(db, "fontana");
  const feed = new MarketFeed(await Feed.open(store, () => undefined), SCHEDULE, "depth");
  await feed.load(store, clock.now());
  const { community, writer } = await openTestCommunity(db, ledgerDir, clock, {
    store,
    mechanism: MECHANISMS.cda,
    feed,
  });
  const frames: Frame[] = [];
  for (const who of HOMES)
    feed.feed.subscribe(CHANNELS.orders(idOf(who)), { deliver: (f) => frames.push(f) });
  return { community, feed, writer, frames };
}

/** The depth of the interval's book as a snapshot shows it. */
function depthOf(feed: MarketFeed, startMs: number) {
  const view = feed.bookView(startMs);
  assert.ok("bids" in view);
  return { bids: view.bids, asks: view.asks };
}

/** The fills frames of `who`, as [type, order, kWh, price, kWh left]. */
function fillsOf(frames: readonly Frame[], who: Identity) {
  return frames
    .filter((f) => f.channel === CHANNELS.orders(idOf(who)))
    .filter((f) => f.type === "filled" || f.type === "partially_filled")
    .map((f) => {
      const d = f.data as Record<string, unknown>;
      return [f.type, d.order_id, d.energy_kwh, d.price_per_kwh, d.remaining_kwh];
    });
}

export function runCdaSuite(name: string, open: () => Promise<SqlDatabase>): void {
  const withCda = (
    title: string,
    body: (
      f: Fixture,
      db: SqlDatabase,
      dir: string,
      clock: ManualClock,
      regs: SignedDocument[],
    ) => Promise<void>,
  ) =>
    test(`${name}: ${title}`, async () => {
      const db = await open();
      const dir = mkdtempSync(join(tmpdir(), "gridshare-cda-"));
      try {
        await migrate(db);
        const clock = new ManualClock(T0 - 60 * MIN);
        const f = await openCda(db, join(dir, "ledger"), clock);
        const regs = await registerMembers(f.community, OPERATOR, HOMES);
        await body(f, db, dir, clock, regs);
        await f.feed.feed.close();
        await f.writer.close();
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

  withCda(
    "cda orders match on arrival; fills are final; the block replays to the live trades",
    async (f, db, dir, clock) => {
      const { community } = f;
      await community.submit(order(A, "a-1", "sell", 1.0, 0.1, T0));
      await community.submit(order(B, "b-1", "sell", 0.5, 0.15, T0));
      await community.submit(order(C, "c-1", "buy", 0.6, 0.3, T0));
      await f.feed.feed.settled();
      // At once, privately: the buyer's order filled, the resting seller's in part, at its price.
      assert.deepEqual(fillsOf(f.frames, C), [["filled", "c-1", 0.6, 0.1, 0]]);
      assert.deepEqual(fillsOf(f.frames, A), [["partially_filled", "a-1", 0.6, 0.1, 0.4]]);
      assert.deepEqual(fillsOf(f.frames, B), []);
      // The public depth shows what rests, and nobody.
      const view = depthOf(f.feed, T0);
      assert.deepEqual(view.bids, []);
      assert.deepEqual(view.asks, [
        { side: "sell", price_per_kwh: 0.1, energy_kwh: 0.4, orders: 1 },
        { side: "sell", price_per_kwh: 0.15, energy_kwh: 0.5, orders: 1 },
      ]);
      // An order without fills can be cancelled; one with a fill cannot, nor be replaced.
      assert.equal((await community.cancel(cancelOf(B, "b-1", T0), "b-1")).created, true);
      await assert.rejects(
        community.cancel(cancelOf(A, "a-1", T0), "a-1"),
        refusal("E_CONFLICT", "order_id"),
      );
      await assert.rejects(
        community.submit(order(A, "a-2", "sell", 0.4, 0.09, T0, "a-1")),
        refusal("E_CONFLICT", "order.replaces"),
      );
      // Nor can its owner be suspended before the interval clears.
      const suspend = (who: Identity) =>
        f.community.admin(
          adminDocument(OPERATOR, { action: "participant.suspend", participant: idOf(who) }),
        );
      await assert.rejects(suspend(A), refusal("E_CONFLICT", "document.participant"));
      // Nor its key changed from that interval on (a binding cancels the orders from its start);
      // from the next interval on it can be.
      const next = fixedIdentity("cda-a-next");
      await assert.rejects(
        f.community.rotateKey(signKeyRotation(idOf(A), A, next, T0, Date.now()), idOf(A)),
        refusal("E_CONFLICT", "document.participant"),
      );
      const rebind = (fromMs: number) =>
        adminDocument(OPERATOR, {
          action: "participant.rebind",
          participant: idOf(A),
          public_key: next.publicKey,
          valid_from: iso(fromMs),
        });
      await assert.rejects(
        f.community.admin(rebind(T0)),
        refusal("E_CONFLICT", "document.participant"),
      );
      assert.equal((await f.community.admin(rebind(T0 + 15 * MIN))).created, true);
      // A restart rebuilds the book from the stored orders in receive order.
      await f.feed.feed.close();
      await f.writer.close();
      Object.assign(f, await openCda(db, join(dir, "ledger"), clock));
      assert.deepEqual(depthOf(f.feed, T0).asks, [
        { side: "sell", price_per_kwh: 0.1, energy_kwh: 0.4, orders: 1 },
      ]);
      await f.community.submit(order(B, "b-2", "sell", 0.5, 0.12, T0));
      await f.community.submit(order(D, "d-1", "buy", 0.4, 0.3, T0));
      await f.feed.feed.settled();
      assert.deepEqual(fillsOf(f.frames, D), [["filled", "d-1", 0.4, 0.1, 0]]);
      assert.deepEqual(fillsOf(f.frames, A), [["filled", "a-1", 0.4, 0.1, 0]]);
      assert.deepEqual(depthOf(f.feed, T0).asks, [
        { side: "sell", price_per_kwh: 0.12, energy_kwh: 0.5, orders: 1 },
      ]);
      // A suspension withdraws the orders of a member without fills.
      await f.community.submit(order(C, "c-2", "buy", 0.2, 0.05, T0));
      assert.equal((await suspend(B)).created, true);
      await f.feed.feed.settled();
      assert.deepEqual(depthOf(f.feed, T0).asks, []);
      const live = (f.community.books?.built(T0)?.trades ?? []).map(tradeKey);
      assert.equal(live.length, 2);
      clock.advanceTo(T0 - 5 * MIN);
      const closed = (await f.community.tick()).find((c) => c.intervalStartMs === T0);
      assert.equal(closed?.orders, 4);
      assert.deepEqual(closed?.result?.trades.map(tradeKey), live);
      const logged = (await scanLedger(join(dir, "ledger"))).acknowledged.map((r) => r.payload);
      const report = await verifyBlocks(logged, { operator: OPERATOR.publicKey });
      assert.equal(report.orders, 4);
      const block = JSON.parse(logged.at(-1) as string) as { entries: { type: string }[] };
      assert.equal(block.entries.filter((e) => e.type === "cancel").length, 1);
    },
  );

  withCda(
    "random cda orders and cancels: the live fills are the offline replay's, trade for trade (property)",
    async (f, _db, dir, clock, regs) => {
      const offline = new OfflineTwin(OPERATOR, OPERATOR.publicKey, {
        mechanism: MECHANISMS.cda,
        tariff: TARIFF,
        minutes: 15,
      });
      offline.register(regs);
      let run = 0;
      const op = fc.record({
        home: fc.integer({ min: 0, max: 3 }),
        sell: fc.boolean(),
        tenthsKwh: fc.integer({ min: 1, max: 20 }),
        cents: fc.integer({ min: 1, max: 30 }),
        cancel: fc.option(fc.nat(), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
          const start = T0 + run * 15 * MIN;
          const tag = `p${run++}`;
          const taken: { who: Identity; envelope: SignedOrder; receivedSeq: number }[] = [];
          const cancels: SignedDocument[] = [];
          for (const [i, o] of ops.entries()) {
            const who = HOMES[o.home] as Identity;
            const e = order(
              who,
              `${tag}-${i}`,
              o.sell ? "sell" : "buy",
              o.tenthsKwh / 10,
              o.cents / 100,
              start,
            );
            const answer = await f.community.submit(e);
            taken.push({ who, envelope: e, receivedSeq: answer.receipt.received_seq });
            if (o.cancel === undefined) continue;
            const k = o.cancel % taken.length;
            const target = taken[k] as (typeof taken)[number];
            const id = target.envelope.order.id;
            const book = f.community.books?.built(start);
            const filled = book?.filledWh(idOf(target.who), id) ?? 0;
            const cancel = cancelOf(target.who, id, start);
            if (filled > 0) {
              await assert.rejects(
                f.community.cancel(cancel, id),
                refusal("E_CONFLICT", "order_id"),
              );
              continue;
            }
            assert.equal((await f.community.cancel(cancel, id)).created, true);
            taken.splice(k, 1);
            cancels.push(cancel);
          }
          const live = (f.community.books?.built(start)?.trades ?? []).map(tradeKey);
          clock.advanceTo(start - 5 * MIN);
          const closed = (await f.community.tick()).find((c) => c.intervalStartMs === start);
          assert.equal(closed?.orders, taken.length);
          if (taken.length === 0) return;
          assert.deepEqual(closed?.result?.trades.map(tradeKey), live);
          // The offline replay of the same orders in receive order.
          const replay = clearInterval({
            interval: { startMs: start, minutes: 15 },
            tariff: TARIFF,
            mechanism: MECHANISMS.cda,
            items: taken.map((t) => ({
              kind: "signed",
              envelope: t.envelope,
              receivedSeq: t.receivedSeq,
            })),
            format2: { cancels },
          });
          assert.equal(replay.status, "cleared");
          if (replay.status === "cleared")
            assert.deepEqual(replay.result.trades.map(tradeKey), live);
          offline.clear(start, taken, cancels);
        }),
        { numRuns: 10 },
      );
      const logged = (await scanLedger(join(dir, "ledger"))).acknowledged.map((r) => r.payload);
      assert.deepEqual(logged, offline.payloads);
      await verifyBlocks(logged, { operator: OPERATOR.publicKey });
    },
  );
}
