/**
 * The live community on a manual clock, run on each store: intake's refusals and their codes,
 * idempotent resubmission, the gate to the millisecond, gate closure into a ledger that the
 * offline verifier accepts, the offline twin, and recovery of a block the database missed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { formatInstant } from "../../src/core/time.js";
import type { OrderItem } from "../../src/ledger/block.js";
import { clearInterval } from "../../src/ledger/clearInterval.js";
import { type SignedOrder, signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { type SignedDocument, signDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { ManualClock } from "../../src/service/clock.js";
import type { LiveCommunity } from "../../src/service/liveCommunity.js";
import { type LedgerWriter, scanLedger } from "../../src/store/ledgerStore.js";
import type { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import {
  adminDocument,
  OfflineTwin,
  openTestCommunity,
  registerMembers,
} from "../support/liveTwin.js";
import { together } from "../support/together.js";

const _SCHEDULE = { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 24 };
const TARIFF = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const MIN = 60_000;
const iso = (ms: number) => formatInstant(ms);

const nonceOf = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);

/** An order for the interval at `startMs`, signed by `who`. */
function order(
  who: Identity,
  id: string,
  side: "buy" | "sell",
  kwh: number,
  price: number,
  startMs: number,
  nonce = id,
): SignedOrder {
  return signOrder(
    {
      id,
      participant: participantIdOf(who.publicKey),
      side,
      energy_kwh: kwh,
      price_per_kwh: price,
      timestamp: iso(startMs - 20 * MIN),
      interval_start: iso(startMs),
    },
    who,
    nonceOf(nonce),
    startMs + 60 * MIN,
  );
}

/** The four fixture homes' orders for one interval: two sellers, two buyers. */
function book(startMs: number, tag: string): SignedOrder[] {
  const [a, b, c, d] = HOMES as [Identity, Identity, Identity, Identity];
  return [
    order(a, `${tag}-a`, "sell", 1.2, 0.08, startMs),
    order(b, `${tag}-b`, "sell", 0.7, 0.12, startMs),
    order(c, `${tag}-c`, "buy", 1.0, 0.28, startMs),
    order(d, `${tag}-d`, "buy", 0.9, 0.18, startMs),
  ];
}

interface Fixture {
  readonly community: LiveCommunity;
  readonly clock: ManualClock;
  readonly ledgerDir: string;
  readonly writer: LedgerWriter;
  readonly store: SqlCommunityStore;
  /** The members' registrations, as signed and sent. */
  registrations: SignedDocument[];
}

/** How far the communities' wall clock runs ahead of the machine's (documents expire on it). */
let wallAheadMs = 0;

async function openCommunity(
  db: SqlDatabase,
  ledgerDir: string,
  clock: ManualClock,
): Promise<Fixture> {
  const { community, store, writer } = await openTestCommunity(db, ledgerDir, clock, {
    wall: () => Date.now() + wallAheadMs,
  });
  return { community, clock, ledgerDir, writer, store, registrations: [] };
}

async function payloads(dir: string): Promise<string[]> {
  return (await scanLedger(dir)).acknowledged.map((r) => r.payload);
}

const refusal =
  (code: string, field?: string) => (e: { code?: string; details?: { field?: string } }) => {
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.field, field);
    return true;
  };

export function runLiveSuite(name: string, open: () => Promise<SqlDatabase>): void {
  const withCommunity = (title: string, body: (f: Fixture, db: SqlDatabase) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const db = await open();
      const dir = mkdtempSync(join(tmpdir(), "gridshare-live-"));
      try {
        await migrate(db);
        const f = await openCommunity(db, join(dir, "ledger"), new ManualClock(T0 - 60 * MIN));
        f.registrations = await registerMembers(f.community, OPERATOR, HOMES);
        await body(f, db);
        await f.writer.close();
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

  withCommunity(
    "orders are taken once; bad ones are refused with their codes and change nothing",
    async ({ community }) => {
      const [first] = book(T0, "x");
      const taken = await community.submit(first);
      assert.equal(taken.created, true);
      assert.equal(taken.receipt.status, "open");
      assert.equal(taken.receipt.interval_start, iso(T0));
      // The same bytes again: the first answer, nothing new.
      const again = await community.submit(JSON.parse(JSON.stringify(first)));
      assert.equal(again.created, false);
      assert.deepEqual(again.receipt, taken.receipt);
      const [a] = HOMES as [Identity];
      // The same nonce with other content.
      await assert.rejects(
        community.submit(order(a, "x-a2", "sell", 2, 0.08, T0, "x-a")),
        refusal("E_NONCE_REUSED", "nonce"),
      );
      // An id already used in the interval.
      await assert.rejects(
        community.submit(order(a, "x-a", "sell", 2, 0.08, T0, "fresh-1")),
        refusal("E_MARKET_DUPLICATE_ID", "order.id"),
      );
      // The other side while a sell is open (uniform prices net positions).
      await assert.rejects(
        community.submit(order(a, "x-a3", "buy", 1, 0.3, T0, "fresh-2")),
        refusal("E_MARKET_SIDE_CONFLICT", "order.side"),
      );
      // Changed after signing.
      const forged = { ...first, order: { ...(first as SignedOrder).order, energy_kwh: 9 } };
      await assert.rejects(community.submit(forged), refusal("E_SIGNATURE_INVALID", "signature"));
      // A key nobody registered.
      await assert.rejects(
        community.submit(order(fixedIdentity("stranger"), "s-1", "buy", 1, 0.3, T0)),
        refusal("E_PARTICIPANT_UNKNOWN", "public_key"),
      );
      // No delivery interval named, or one not on the 15-minute grid.
      const { interval_start: _, ...bare } = (first as SignedOrder).order;
      await assert.rejects(
        community.submit(signOrder(bare, a, nonceOf("bare"), T0 + 60 * MIN)),
        refusal("E_ORDER_INVALID", "order.interval_start"),
      );
      await assert.rejects(
        community.submit(order(a, "odd", "sell", 1, 0.1, T0 + 7 * MIN)),
        refusal("E_ORDER_INVALID", "order.interval_start"),
      );
      // Not open yet: more than 24 h ahead.
      await assert.rejects(
        community.submit(order(a, "far", "sell", 1, 0.1, T0 + 24 * 60 * MIN)),
        refusal("E_INTERVAL_NOT_OPEN"),
      );
      // Malformed.
      await assert.rejects(
        community.submit({ order: {}, nonce: "zz" }),
        refusal("E_ORDER_INVALID"),
      );
      const mine = await community.store.ordersOf(participantIdOf(a.publicKey), { limit: 10 });
      assert.deepEqual(
        mine.map((o) => o.orderId),
        ["x-a"],
      );
    },
  );

  withCommunity(
    "an order replaces one of its participant's own open orders in one step",
    async ({ community, clock, ledgerDir }) => {
      const [a, , c] = HOMES as [Identity, Identity, Identity];
      const replacing = (who: Identity, id: string, replaces: string, side: "buy" | "sell") =>
        signOrder(
          {
            ...order(who, id, side, 0.5, side === "buy" ? 0.3 : 0.06, T0).order,
            replaces,
          },
          who,
          nonceOf(`${id}-r`),
          T0 + 60 * MIN,
        );
      assert.equal((await community.submit(order(a, "r-1", "sell", 1, 0.1, T0))).created, true);
      assert.equal((await community.submit(order(c, "r-c", "buy", 1, 0.3, T0))).created, true);
      const replaced = await community.submit(replacing(a, "r-2", "r-1", "sell"));
      assert.equal(replaced.receipt.replaced, "r-1");
      // Not open any more, another's, missing, or itself: refused, and nothing changes.
      await assert.rejects(
        community.submit(replacing(a, "r-3", "r-1", "sell")),
        refusal("E_NOT_FOUND", "order.replaces"),
      );
      await assert.rejects(
        community.submit(replacing(a, "r-4", "r-c", "sell")),
        refusal("E_NOT_FOUND", "order.replaces"),
      );
      await assert.rejects(
        community.submit(replacing(a, "r-5", "r-5", "sell")),
        refusal("E_ORDER_INVALID", "order.replaces"),
      );
      // A replacement may change sides: the order it replaces no longer counts.
      const flipped = await community.submit(replacing(a, "r-6", "r-2", "buy"));
      assert.equal(flipped.created, true);
      const mine = await community.store.ordersOf(participantIdOf(a.publicKey), { limit: 10 });
      assert.deepEqual(mine.map((o) => [o.orderId, o.status]).sort(), [
        ["r-1", "cancelled"],
        ["r-2", "cancelled"],
        ["r-6", "open"],
      ]);
      clock.advanceTo(T0);
      await community.tick();
      const block = (await payloads(ledgerDir)).at(-1);
      const ids = JSON.parse(block as string)
        .entries.filter((e: { type: string }) => e.type === "order")
        .map((e: { envelope: SignedOrder }) => e.envelope.order.id);
      assert.deepEqual(ids.sort(), ["r-6", "r-c"]);
    },
  );

  withCommunity(
    "any submits and cancels conserve energy and money and give the offline blocks (property)",
    async ({ community, clock, ledgerDir, registrations }) => {
      const offline = new OfflineTwin(OPERATOR, OPERATOR.publicKey, {
        mechanism: MECHANISMS.uniform,
        tariff: TARIFF,
        minutes: 15,
      });
      offline.register(registrations);
      let run = 0;
      const op = fc.record({
        home: fc.integer({ min: 0, max: 3 }),
        tenthsKwh: fc.integer({ min: 1, max: 50 }),
        cents: fc.integer({ min: 1, max: 40 }),
        cancel: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          fc.array(op, { maxLength: 12 }),
          async (sells, ops) => {
            const start = T0 + run * 15 * MIN;
            const tag = `p${run++}`;
            const open: SignedOrder[] = [];
            const seqs: number[] = [];
            const cancels: SignedDocument[] = [];
            for (const [i, o] of ops.entries()) {
              const who = HOMES[o.home] as Identity;
              const side = sells[o.home] ? "sell" : "buy";
              const e = order(who, `${tag}-${i}`, side, o.tenthsKwh / 10, o.cents / 100, start);
              const taken = await community.submit(e);
              assert.equal(taken.created, true);
              open.push(e);
              seqs.push(taken.receipt.received_seq);
              if (!o.cancel) continue;
              const cancel = signDocument(
                "cancel",
                {
                  action: "order.cancel",
                  participant: participantIdOf(who.publicKey),
                  order_id: e.order.id,
                  interval_start: iso(start),
                },
                who,
                nonceOf(`${tag}-${i}-cancel`),
                Date.now() + 10 * MIN,
              );
              await community.cancel(cancel, e.order.id);
              open.pop();
              seqs.pop();
              cancels.push(cancel);
            }
            clock.advanceTo(start - 5 * MIN);
            const closed = (await community.tick()).find((c) => c.intervalStartMs === start);
            assert.equal(closed?.orders, open.length);
            if (open.length === 0) return;
            offline.clear(
              start,
              open.map((envelope, i) => ({ envelope, receivedSeq: seqs[i] as number })),
              cancels,
            );
            const r = closed?.result;
            assert.ok(r !== undefined);
            // Energy: each order's fill and grid remainder make up its energy; both sides trade alike.
            let bought = 0;
            let sold = 0;
            for (const [i, e] of open.entries()) {
              const filled = r.orderFilledWh[i] as number;
              assert.equal(
                filled + (r.orderGridWh[i] as number),
                Math.round(e.order.energy_kwh * 1000),
              );
              if (e.order.side === "buy") bought += filled;
              else sold += filled;
            }
            assert.equal(bought, sold);
            assert.equal(bought, r.summary.tradedWh);
            // Money: payments = receipts + network fees + budget surplus + grid cost.
            const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
            assert.equal(
              sum(r.orderPaysMicro),
              sum(r.orderReceivesMicro) +
                r.summary.networkFeesMicro +
                r.summary.budgetSurplusMicro +
                r.summary.gridCostMicro,
            );
          },
        ),
        { numRuns: 12 },
      );
      assert.deepEqual(await payloads(ledgerDir), offline.payloads);
    },
  );

  withCommunity(
    "a cancel and an operator document sent again after they expired get their first answer",
    async ({ community }) => {
      const [a] = HOMES as [Identity];
      const [sell] = book(T0, "e");
      await community.submit(sell);
      const cancel = signDocument(
        "cancel",
        {
          action: "order.cancel",
          participant: participantIdOf(a.publicKey),
          order_id: "e-a",
          interval_start: iso(T0),
        },
        a,
        nonceOf("e-cancel"),
        Date.now() + 10 * MIN,
      );
      const cancelled = await community.cancel(cancel, "e-a");
      const stranger = fixedIdentity("expiring");
      const add = adminDocument(OPERATOR, {
        action: "participant.add",
        public_key: stranger.publicKey,
        name: "late",
      });
      const added = await community.admin(add);
      const never = adminDocument(OPERATOR, {
        action: "participant.add",
        public_key: fixedIdentity("never").publicKey,
        name: "never",
      });
      wallAheadMs = 60 * MIN;
      try {
        assert.deepEqual(await community.cancel(cancel, "e-a"), {
          created: false,
          answer: cancelled.answer,
        });
        const again = await community.admin(add);
        assert.deepEqual([again.created, again.answer], [false, added.answer]);
        // Bytes never taken are refused as expired, and so is other content under a used nonce.
        await assert.rejects(community.admin(never), refusal("E_DOCUMENT_EXPIRED", "expires"));
        await assert.rejects(
          community.cancel({ ...cancel, signature: never.signature }, "e-a"),
          refusal("E_SIGNATURE_INVALID"),
        );
      } finally {
        wallAheadMs = 0;
      }
    },
  );

  withCommunity("a suspended participant's orders are refused", async ({ community }) => {
    const c = HOMES[2] as Identity;
    const suspend = { action: "participant.suspend", participant: participantIdOf(c.publicKey) };
    assert.equal((await community.admin(adminDocument(OPERATOR, suspend))).created, true);
    await assert.rejects(community.submit(book(T0, "s")[2]), refusal("E_PARTICIPANT_SUSPENDED"));
  });

  withCommunity(
    "a member suspended after it cancelled keeps its cancel in a block the verifier accepts",
    async ({ community, clock, ledgerDir }) => {
      const [a, , c] = HOMES as [Identity, Identity, Identity];
      await community.submit(order(a, "v-a", "sell", 1, 0.08, T0));
      await community.submit(order(c, "v-c", "buy", 1, 0.28, T0));
      await community.submit(order(a, "v-a2", "sell", 1, 0.09, T0));
      const cancel = signDocument(
        "cancel",
        {
          action: "order.cancel",
          participant: participantIdOf(a.publicKey),
          order_id: "v-a2",
          interval_start: iso(T0),
        },
        a,
        nonceOf("v-a2-cancel"),
        Date.now() + 10 * MIN,
      );
      assert.equal((await community.cancel(cancel, "v-a2")).created, true);
      const suspend = { action: "participant.suspend", participant: participantIdOf(a.publicKey) };
      assert.equal((await community.admin(adminDocument(OPERATOR, suspend))).created, true);
      clock.advanceTo(T0);
      await community.tick();
      const logged = await payloads(ledgerDir);
      const report = await verifyBlocks(logged, { operator: OPERATOR.publicKey });
      // The suspension withdrew v-a; the block holds v-c and v-a2's cancel.
      assert.equal(report.orders, 1);
    },
  );

  withCommunity(
    "the gate closes to the millisecond, on the market's clock",
    async ({ community, clock }) => {
      const gate = T0 - 5 * MIN;
      clock.advanceTo(gate - 1);
      const [a, b] = book(T0, "g");
      const taken = await community.submit(a);
      assert.equal(taken.created, true);
      clock.advanceTo(gate);
      await assert.rejects(community.submit(b), refusal("E_GATE_CLOSED", "order.interval_start"));
      // The same bytes again after the gate are the same order: the first answer, not a refusal
      // (a client that lost the answer may resend it at any time).
      const again = await community.submit(JSON.parse(JSON.stringify(a)));
      assert.deepEqual([again.created, again.receipt], [false, taken.receipt]);
      await community.tick();
      assert.deepEqual((await community.submit(a)).receipt, taken.receipt);
    },
  );

  withCommunity(
    "a cancel sent again after the gate gets its first answer; one never taken is refused",
    async ({ community, clock }) => {
      const a = HOMES[0] as Identity;
      const cancelOf = (orderId: string, nonce: string) =>
        signDocument(
          "cancel",
          {
            action: "order.cancel",
            participant: participantIdOf(a.publicKey),
            order_id: orderId,
            interval_start: iso(T0),
          },
          a,
          nonceOf(nonce),
          Date.now() + 10 * MIN,
        );
      for (const id of ["c-1", "c-2"])
        assert.equal((await community.submit(order(a, id, "sell", 1, 0.1, T0))).created, true);
      const doc = cancelOf("c-1", "c-1-cancel");
      const first = await community.cancel(doc, "c-1");
      assert.equal(first.created, true);
      clock.advanceTo(T0 - 5 * MIN);
      // The same bytes again after the gate, and after the interval cleared: the first answer.
      const again = await community.cancel(JSON.parse(JSON.stringify(doc)), "c-1");
      assert.deepEqual(again, { created: false, answer: first.answer });
      await community.tick();
      assert.deepEqual(await community.cancel(doc, "c-1"), again);
      // A cancel never taken, or other content under the used nonce, meets the closed gate.
      await assert.rejects(
        community.cancel(cancelOf("c-2", "c-2-cancel"), "c-2"),
        refusal("E_GATE_CLOSED", "document.interval_start"),
      );
      await assert.rejects(
        community.cancel(cancelOf("c-2", "c-1-cancel"), "c-2"),
        refusal("E_GATE_CLOSED", "document.interval_start"),
      );
      const mine = await community.store.ordersOf(participantIdOf(a.publicKey), { limit: 5 });
      assert.deepEqual(mine.map((o) => [o.orderId, o.status]).sort(), [
        ["c-1", "cancelled"],
        ["c-2", "unfilled"],
      ]);
    },
  );

  withCommunity(
    "advances at the same time are all answered; the clock ends at the latest, each gate closes once",
    async ({ community, clock, ledgerDir, store }) => {
      for (const e of book(T0, "v")) assert.equal((await community.submit(e)).created, true);
      const registryBlocks = (await payloads(ledgerDir)).length;
      const advance = (ms: number, tag: string) =>
        signDocument(
          "admin",
          { action: "clock.advance", to: iso(ms) },
          OPERATOR,
          nonceOf(tag),
          Date.now() + 10 * MIN,
        );
      // As the route does it: the document, then a tick, each advance on its own; all of them
      // checked against the clock before any is recorded.
      const moveAll = (docs: unknown[]) => {
        together(store, docs.length);
        return Promise.all(
          docs.map(async (doc) => {
            const answer = await community.admin(doc);
            return { created: answer.created, cleared: await community.tick() };
          }),
        );
      };
      // Two instants, the later sent first, then the same instant twice.
      const rounds = [
        [advance(T0 + 15 * MIN, "v-later"), advance(T0, "v-earlier")],
        [advance(T0 + 30 * MIN, "v-same-1"), advance(T0 + 30 * MIN, "v-same-2")],
      ];
      const cleared: string[] = [];
      for (const docs of rounds) {
        const answers = await moveAll(docs);
        assert.deepEqual(
          answers.map((a) => a.created),
          [true, true],
        );
        for (const a of answers) cleared.push(...a.cleared.map((c) => iso(c.intervalStartMs)));
      }
      assert.equal(clock.now(), T0 + 30 * MIN);
      assert.deepEqual(
        cleared.sort(),
        [-45, -30, -15, 0, 15, 30].map((m) => iso(T0 + m * MIN)),
      );
      assert.equal((await payloads(ledgerDir)).length, registryBlocks + 1);
      // Persisted where the clock is, and replayed answers leave it there.
      assert.equal((await community.store.loadClock())?.now, T0 + 30 * MIN);
      assert.equal((await community.admin(rounds[0]?.[1])).created, false);
      assert.equal(clock.now(), T0 + 30 * MIN);
      // An advance that arrives behind the clock is still refused.
      await assert.rejects(
        community.admin(advance(T0 + 20 * MIN, "v-behind")),
        refusal("E_INPUT", "document.to"),
      );
    },
  );

  withCommunity(
    "gate closure clears into a ledger the offline verifier accepts, the twin of clear",
    async ({ community, clock, ledgerDir, registrations }) => {
      const first = book(T0, "k0");
      const second = book(T0 + 15 * MIN, "k1");
      const seqs: number[] = [];
      for (const e of [...first, ...second]) {
        const taken = await community.submit(e);
        assert.equal(taken.created, true);
        seqs.push(taken.receipt.received_seq);
      }
      assert.deepEqual(await community.tick(), []);
      clock.advanceTo(T0 + 15 * MIN); // past both gates (T0 − 5 min and T0 + 10 min)
      const closed = await community.tick();
      // Every gate since the community started closes in order; those without orders get no
      // block. Heights 0-3 are the four registrations' registry blocks.
      assert.deepEqual(
        closed.map((c) => [iso(c.intervalStartMs), c.blockHeight, c.orders, c.rejected]),
        [
          [iso(T0 - 45 * MIN), null, 0, 0],
          [iso(T0 - 30 * MIN), null, 0, 0],
          [iso(T0 - 15 * MIN), null, 0, 0],
          [iso(T0), 4, 4, 0],
          [iso(T0 + 15 * MIN), 5, 4, 0],
        ],
      );
      // Nothing more is due; an interval with no orders gets no block.
      clock.advanceTo(T0 + 30 * MIN);
      assert.deepEqual(
        (await community.tick()).map((c) => c.blockHeight),
        [null],
      );
      const logged = await payloads(ledgerDir);
      assert.equal(logged.length, 6);
      const report = await verifyBlocks(logged, { operator: OPERATOR.publicKey });
      assert.equal(report.orders, 8);
      // The twin: the same signed documents through the offline pipeline give the same blocks,
      // byte for byte.
      const offline = new OfflineTwin(OPERATOR, OPERATOR.publicKey, {
        mechanism: MECHANISMS.uniform,
        tariff: TARIFF,
        minutes: 15,
      });
      offline.register(registrations);
      for (const [k, orders] of [first, second].entries())
        offline.clear(
          T0 + k * 15 * MIN,
          orders.map((envelope, i) => ({ envelope, receivedSeq: seqs[k * 4 + i] as number })),
        );
      assert.deepEqual(logged, offline.payloads);
      // Each order's status follows its fills.
      const c = HOMES[2] as Identity;
      const [filled] = await community.store.ordersOf(participantIdOf(c.publicKey), {
        intervalStartMs: T0,
        limit: 5,
      });
      assert.equal(filled?.status, "filled");
    },
  );

  test(`${name}: a block the database missed (a crash between the two) is marked at start`, async () => {
    const db = await open();
    const dir = mkdtempSync(join(tmpdir(), "gridshare-live-"));
    try {
      await migrate(db);
      const clock = new ManualClock(T0 - 60 * MIN);
      const f = await openCommunity(db, join(dir, "ledger"), clock);
      await registerMembers(f.community, OPERATOR, HOMES);
      for (const e of book(T0, "r")) await f.community.submit(e);
      // The gate closure's first half only: the block appended and made durable, the database
      // not told.
      const orders = await f.store.openOrders(T0);
      clearInterval({
        interval: { startMs: T0, minutes: 15 },
        tariff: TARIFF,
        mechanism: MECHANISMS.uniform,
        items: orders.map(
          (o): OrderItem => ({ kind: "signed", envelope: o.envelope, receivedSeq: o.receivedSeq }),
        ),
        requireSignatures: true,
        format2: { cancels: [] },
        ledger: { store: f.writer, operator: OPERATOR },
      });
      await f.writer.close();
      clock.advanceTo(T0);
      const reopened = await openCommunity(db, join(dir, "ledger"), clock);
      // Heights 0-3 are the registrations.
      assert.deepEqual(await reopened.store.intervalRecord(T0).then((r) => r?.blockHeight), 4);
      // The gate is not closed twice: no second block.
      assert.deepEqual(await reopened.community.tick(), []);
      assert.equal((await payloads(join(dir, "ledger"))).length, 5);
      const statuses = (
        await reopened.store.ordersOf(participantIdOf((HOMES[0] as Identity).publicKey), {
          limit: 5,
        })
      ).map((o) => o.status);
      assert.deepEqual(statuses, ["filled"]);
      await reopened.writer.close();
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
