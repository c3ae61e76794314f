/**
 * Identities and keys on the live community, run on each store: a member rotates its key (the
 * old key's orders for intervals from then on refused and its open ones cancelled, its sessions
 * refused, the id kept), the operator re-binds a lost key, every refusal with its code, the
 * batch's recheck of a key that changed meanwhile, and block signing handed over to a new key
 * at open; the ledger verifies across all of it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { signSessionAnswer } from "../../src/app/liveRequests.js";
import { formatInstant } from "../../src/core/time.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { keyRotation } from "../../src/ledger/keyDocuments.js";
import type { Identity } from "../../src/ledger/keys.js";
import { type SignedDocument, signDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { ManualClock } from "../../src/service/clock.js";
import type { LiveCommunity } from "../../src/service/liveCommunity.js";
import { Sessions } from "../../src/service/sessions.js";
import { type LedgerWriter, scanLedger } from "../../src/store/ledgerStore.js";
import type { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { OPERATOR_2 } from "../support/ledger2Fixtures.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import {
  adminDocument,
  OfflineTwin,
  openTestCommunity,
  registerMembers,
} from "../support/liveTwin.js";

const MIN = 60_000;
const iso = (ms: number) => formatInstant(ms);
const nonceOf = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);
const [A, B, C, D] = HOMES as [Identity, Identity, Identity, Identity];
const A2 = fixedIdentity("home-a 2");
const B2 = fixedIdentity("home-b 2");
const T1 = T0 + 15 * MIN;

/** An order of `who`'s participant for the interval at `startMs`, signed by `key`. */
function order(who: Identity, key: Identity, id: string, side: "buy" | "sell", startMs: number) {
  return signOrder(
    {
      id,
      participant: who.participant,
      side,
      energy_kwh: 1,
      price_per_kwh: side === "sell" ? 0.08 : 0.28,
      timestamp: iso(startMs - 20 * MIN),
      interval_start: iso(startMs),
    },
    key,
    nonceOf(`${id}:${key.publicKey}`),
    startMs + 60 * MIN,
  );
}

/** `who` rotates to `next` from `fromMs`, signed by `by`. */
function rotation(who: Identity, next: Identity, fromMs: number, by = who, name = "r") {
  const document = keyRotation(who.participant, next, iso(fromMs));
  return signDocument(
    "key",
    document,
    by,
    nonceOf(`${name}:${who.participant}`),
    Date.now() + 5 * MIN,
  );
}

const refusal =
  (code: string, field?: string) => (e: { code?: string; details?: { field?: string } }) => {
    assert.equal(e.code, code, String(e));
    if (field !== undefined) assert.equal(e.details?.field, field);
    return true;
  };

interface Opened {
  readonly community: LiveCommunity;
  readonly store: SqlCommunityStore;
  readonly writer: LedgerWriter;
  /** The members' registrations, as signed and sent. */
  readonly registered?: readonly SignedDocument[];
}

async function openOn(
  db: SqlDatabase,
  dir: string,
  clock: ManualClock,
  signers: { blockSigner: Identity; previousBlockSigner?: Identity } = { blockSigner: OPERATOR },
): Promise<Opened> {
  return openTestCommunity(db, dir, clock, {
    tariffAt: () => ({ importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 0 }),
    ...signers,
  });
}

export function runKeysSuite(name: string, open: () => Promise<SqlDatabase>): void {
  const withCommunity = (
    title: string,
    body: (f: Opened, db: SqlDatabase, dir: string, clock: ManualClock) => Promise<void>,
  ) =>
    test(`${name}: ${title}`, async () => {
      const db = await open();
      const dir = mkdtempSync(join(tmpdir(), "gridshare-keys-"));
      try {
        await migrate(db);
        const clock = new ManualClock(T0 - 60 * MIN);
        const f = await openOn(db, join(dir, "ledger"), clock);
        const registered = await registerMembers(f.community, OPERATOR, HOMES);
        await body({ ...f, registered }, db, join(dir, "ledger"), clock);
        await f.writer.close();
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

  withCommunity(
    "a member rotates its key: same id, old key refused from then on",
    async (f, db, dir, clock) => {
      const { community, store } = f;
      await community.submit(order(A, A, "a0", "sell", T0));
      await community.submit(order(A, A, "a1", "sell", T1));
      // Known to the store's cache before the rotation.
      assert.equal((await store.participantByKey(A.publicKey))?.publicKey, A.publicKey);
      const doc = rotation(A, A2, T1);
      const rotated = await community.rotateKey(doc, A.participant);
      assert.equal(rotated.created, true);
      assert.deepEqual(JSON.parse(rotated.answer), {
        participant: A.participant,
        public_key: A2.publicKey,
        valid_from: iso(T1),
        replaces: A.publicKey,
      });
      const again = await community.rotateKey(JSON.parse(JSON.stringify(doc)), A.participant);
      assert.deepEqual(again, { created: false, answer: rotated.answer });
      // The id stays; both keys find it; the new one is current.
      const p = await store.participantByKey(A.publicKey);
      assert.equal(p?.id, A.participant);
      assert.equal(p?.publicKey, A2.publicKey);
      assert.equal((await store.participantByKey(A2.publicKey))?.id, A.participant);
      // The old key's open order from T1 on is cancelled; the one for T0 stays.
      const mine = await store.ordersOf(A.participant, { limit: 10 });
      assert.deepEqual(
        mine.map((o) => [o.orderId, o.status]),
        [
          ["a1", "cancelled"],
          ["a0", "open"],
        ],
      );
      // Orders: the old key still for T0, not from T1; the new key from T1, not before.
      await community.submit(order(A, A, "a0b", "sell", T0));
      await assert.rejects(
        community.submit(order(A, A, "a1b", "sell", T1)),
        refusal("E_KEY_NOT_BOUND", "public_key"),
      );
      await assert.rejects(
        community.submit(order(A, A2, "a0c", "sell", T0)),
        refusal("E_KEY_NOT_BOUND", "public_key"),
      );
      await community.submit(order(A, A2, "a1c", "sell", T1));
      // Sessions: the old key opens none; the new one opens the same participant's.
      const sessions = new Sessions(community.member, "test");
      const session = (key: Identity) =>
        sessions.open(signSessionAnswer(sessions.challenge().challenge, key, Date.now()));
      await assert.rejects(session(A), refusal("E_KEY_NOT_BOUND", "public_key"));
      assert.equal((await session(A2)).participant, A.participant);
      // The old key can no longer rotate.
      await assert.rejects(
        community.rotateKey(rotation(A, B2, T1 + 15 * MIN, A, "again"), A.participant),
        refusal("E_KEY_NOT_BOUND"),
      );
      // The rest of the book, then both gates close: the ledger verifies.
      for (const [who, id, side, at] of [
        [C, "c0", "buy", T0],
        [C, "c1", "buy", T1],
      ] as const)
        await community.submit(order(who, who, id, side, at));
      clock.advanceTo(T1);
      const closed = await community.tick();
      assert.deepEqual(
        closed
          .filter((c) => c.blockHeight !== null)
          .map((c) => [iso(c.intervalStartMs), c.orders, c.rejected]),
        [
          [iso(T0), 3, 0],
          [iso(T1), 2, 0],
        ],
      );
      await f.writer.close();
      // A restart replays the rotation from the database and takes on.
      const reopened = await openOn(db, dir, clock);
      const logged = (await scanLedger(dir)).acknowledged.map((r) => r.payload);
      const report = await verifyBlocks(logged, {
        operator: OPERATOR.publicKey,
        admin: OPERATOR.publicKey,
      });
      assert.equal(report.orders, 5);
      assert.ok(logged.at(-1)?.includes(`"public_key":"${A2.publicKey}"`));
      await reopened.writer.close();
    },
  );

  withCommunity("a rotation's refusals, each with its code", async ({ community }) => {
    const rotate = (doc: unknown, who = A.participant) => community.rotateKey(doc, who);
    const forged = rotation(A, A2, T1);
    const proofBy = keyRotation(A.participant, fixedIdentity("other"), iso(T1));
    const badProof = signDocument(
      "key",
      { ...proofBy, public_key: A2.publicKey },
      A,
      nonceOf("bp"),
      Date.now() + MIN,
    );
    await assert.rejects(rotate(badProof), refusal("E_SIGNATURE_INVALID", "document.proof"));
    await assert.rejects(rotate(forged, B.participant), refusal("E_INPUT", "document.participant"));
    await assert.rejects(
      rotate(rotation(A, A2, T1, B)),
      refusal("E_LEDGER_KEY_MISMATCH", "document.participant"),
    );
    await assert.rejects(
      rotate(rotation(A, A2, T1 + 7 * MIN)),
      refusal("E_INPUT", "document.valid_from"),
    );
    await assert.rejects(
      rotate(rotation(A, A2, T0 - 60 * MIN)),
      refusal("E_GATE_CLOSED", "document.valid_from"),
    );
    await assert.rejects(rotate(rotation(A, B, T1)), refusal("E_CONFLICT", "document.public_key"));
    await assert.rejects(
      rotate({ ...forged, signature: "0".repeat(128) }),
      refusal("E_SIGNATURE_INVALID", "signature"),
    );
    await community.admin(
      adminDocument(OPERATOR, { action: "participant.suspend", participant: A.participant }),
    );
    await assert.rejects(rotate(rotation(A, A2, T1, A, "s")), refusal("E_PARTICIPANT_SUSPENDED"));
  });

  withCommunity(
    "the operator re-binds a lost key: the id stays, the old key's open orders go",
    async ({ community, store }) => {
      await community.submit(order(B, B, "b0", "sell", T0));
      const doc = adminDocument(OPERATOR, {
        action: "participant.rebind",
        participant: B.participant,
        public_key: B2.publicKey,
        valid_from: iso(T0),
      });
      const rebound = await community.admin(doc);
      assert.equal(rebound.created, true);
      assert.deepEqual(JSON.parse(rebound.answer), {
        participant: B.participant,
        public_key: B2.publicKey,
        valid_from: iso(T0),
        replaces: B.publicKey,
      });
      assert.equal((await community.admin(JSON.parse(JSON.stringify(doc)))).created, false);
      const [b0] = await store.ordersOf(B.participant, { limit: 5 });
      assert.equal(b0?.status, "cancelled");
      await assert.rejects(
        community.submit(order(B, B, "b0b", "sell", T0)),
        refusal("E_KEY_NOT_BOUND"),
      );
      await community.submit(order(B, B2, "b0c", "sell", T0));
      const audit = await store.auditLog(0, 100);
      assert.deepEqual(audit.at(-1) && [audit.at(-1)?.action, audit.at(-1)?.target], [
        "participant.rebind",
        B.participant,
      ]);
      const rebind = (action: Record<string, unknown>) =>
        community.admin(
          adminDocument(OPERATOR, {
            action: "participant.rebind",
            participant: C.participant,
            public_key: fixedIdentity("c2").publicKey,
            valid_from: iso(T1),
            ...action,
          }),
        );
      await assert.rejects(
        rebind({ public_key: A.publicKey }),
        refusal("E_CONFLICT", "document.public_key"),
      );
      await assert.rejects(
        rebind({ participant: "gs00" }),
        refusal("E_NOT_FOUND", "document.participant"),
      );
      await assert.rejects(rebind({ valid_from: iso(T0 - 60 * MIN) }), refusal("E_GATE_CLOSED"));
      const byMember = signDocument(
        "admin",
        {
          action: "participant.rebind",
          participant: C.participant,
          public_key: fixedIdentity("c3").publicKey,
          valid_from: iso(T1),
        },
        C,
        nonceOf("m"),
        Date.now() + MIN,
      );
      await assert.rejects(community.admin(byMember), refusal("E_FORBIDDEN"));
    },
  );

  withCommunity(
    "an order whose key changed after intake checked it is refused in its batch",
    async ({ community, store }) => {
      await community.rotateKey(rotation(D, fixedIdentity("d2"), T1), D.participant);
      const envelope = order(D, D, "d1", "buy", T1);
      const [outcome] = await store.recordOrders([
        {
          intervalStartMs: T1,
          participant: D.participant,
          orderId: "d1",
          receivedMs: Date.now(),
          side: "buy",
          energyWh: 1000,
          priceMicro: 280_000,
          envelope,
          nonceKey: `${D.publicKey}:${envelope.nonce}`,
          digest: "d".repeat(64),
          oneSidePerParticipant: true,
        },
      ]);
      assert.deepEqual(outcome, { kind: "key_not_bound" });
    },
  );

  withCommunity(
    "the offline twin seals the same blocks across a rotation, byte for byte",
    async ({ community, registered }, _db, dir, clock) => {
      const rotate = rotation(A, A2, T1);
      await community.rotateKey(rotate, A.participant);
      const orders = [
        [order(A, A, "a0", "sell", T0), order(C, C, "c0", "buy", T0)],
        [order(A, A2, "a1", "sell", T1), order(C, C, "c1", "buy", T1)],
      ];
      const seqs: number[][] = [];
      for (const batch of orders) {
        const taken: number[] = [];
        for (const e of batch) taken.push((await community.submit(e)).receipt.received_seq);
        seqs.push(taken);
      }
      clock.advanceTo(T1);
      await community.tick();
      const twin = new OfflineTwin(OPERATOR, OPERATOR.publicKey, {
        mechanism: MECHANISMS.uniform,
        tariff: { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 0 },
        minutes: 15,
      });
      twin.register([...(registered ?? []), rotate]);
      for (const [k, batch] of orders.entries())
        twin.clear(
          T0 + k * 15 * MIN,
          batch.map((envelope, i) => ({ envelope, receivedSeq: seqs[k]?.[i] as number })),
        );
      const logged = (await scanLedger(dir)).acknowledged.map((r) => r.payload);
      assert.equal(logged.length, 7);
      assert.deepEqual(logged, twin.payloads);
    },
  );

  withCommunity(
    "block signing hands over to a new key at open, once",
    async (f, db, dir, clock) => {
      await f.community.submit(order(A, A, "a0", "sell", T0));
      await f.community.submit(order(C, C, "c0", "buy", T0));
      clock.advanceTo(T0);
      await f.community.tick();
      await f.writer.close();
      await assert.rejects(
        openOn(db, dir, clock, { blockSigner: OPERATOR_2 }),
        refusal("E_KEY_INVALID"),
      );
      const moved = await openOn(db, dir, clock, {
        blockSigner: OPERATOR_2,
        previousBlockSigner: OPERATOR,
      });
      assert.equal(moved.community.handover?.height, 5);
      await moved.community.submit(order(A, A, "a1", "sell", T1));
      await moved.community.submit(order(C, C, "c1", "buy", T1));
      clock.advanceTo(T1);
      await moved.community.tick();
      await moved.writer.close();
      // Started again with the same two keys: nothing more to hand over.
      const again = await openOn(db, dir, clock, {
        blockSigner: OPERATOR_2,
        previousBlockSigner: OPERATOR,
      });
      assert.equal(again.community.handover, undefined);
      await again.writer.close();
      const logged = (await scanLedger(dir)).acknowledged.map((r) => r.payload);
      assert.equal(logged.length, 7);
      for (const pinned of [OPERATOR, OPERATOR_2]) {
        const report = await verifyBlocks(logged, { operator: pinned.publicKey });
        assert.deepEqual(report.operators, [OPERATOR.publicKey, OPERATOR_2.publicKey]);
      }
    },
  );
}
