/**
 * Community updates on the live community, run on each store on a manual clock: an update for
 * interval T leaves T − 1 cleared under the old rules and T under the new (the gate, the
 * mechanism, the tariff), the ledger verifies and matches its offline twin; an update for an
 * interval already open, or one that would open at once, is refused and changes nothing; a later
 * document for the same interval replaces the earlier; and a restart keeps them.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { canonicalize } from "../../src/core/canonicalJson.js";
import { formatInstant } from "../../src/core/time.js";
import { type SignedOrder, signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { splitPayload } from "../../src/ledger/replay.js";
import type { SignedDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { ManualClock } from "../../src/service/clock.js";
import type { LiveCommunity } from "../../src/service/liveCommunity.js";
import { gateClosesAt } from "../../src/service/schedule.js";
import { type LedgerWriter, scanLedger } from "../../src/store/ledgerStore.js";
import type { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import {
  adminDocument,
  OfflineTwin,
  openTestCommunity,
  registerMembers,
} from "../support/liveTwin.js";

const MIN = 60_000;
const iso = (ms: number) => formatInstant(ms);
/** Orders open an hour ahead, so that an update an hour and a half ahead is for the future. */
const SCHEDULE = { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 1 };
const TARIFF = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const NEW_TARIFF = { importPriceMicro: 250_000, exportPriceMicro: 40_000, networkFeeMicro: 0 };
const NEW_TARIFF_BLOCK = { import: { price_per_kwh: 0.25 }, export_price_per_kwh: 0.04 };
/** T: the interval the update below is for. */
const T = T0 + 30 * MIN;

const nonceOf = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);

function order(
  who: Identity,
  id: string,
  side: "buy" | "sell",
  kwh: number,
  price: number,
  startMs: number,
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
    nonceOf(`updates ${id}`),
    startMs + 60 * MIN,
  );
}

function book(startMs: number, tag: string): SignedOrder[] {
  const [a, b, c, d] = HOMES as [Identity, Identity, Identity, Identity];
  return [
    order(a, `${tag}-a`, "sell", 1.2, 0.08, startMs),
    order(b, `${tag}-b`, "sell", 0.7, 0.12, startMs),
    order(c, `${tag}-c`, "buy", 1.0, 0.28, startMs),
    order(d, `${tag}-d`, "buy", 0.9, 0.18, startMs),
  ];
}

const update = (fields: Record<string, unknown>) =>
  adminDocument(OPERATOR, { action: "community.update", ...fields });

interface Fixture {
  community: LiveCommunity;
  writer: LedgerWriter;
  readonly store: SqlCommunityStore;
  readonly clock: ManualClock;
  readonly ledgerDir: string;
  readonly registrations: SignedDocument[];
  /** Closes the community and opens it again on the same database and ledger. */
  restart(): Promise<void>;
}

const open = (db: SqlDatabase, ledgerDir: string, clock: ManualClock) =>
  openTestCommunity(db, ledgerDir, clock, { schedule: SCHEDULE });

const payloads = async (dir: string) => (await scanLedger(dir)).acknowledged.map((r) => r.payload);
const headOf = (payload: string) => JSON.parse(splitPayload(payload)?.head ?? "{}");

const refusal =
  (code: string, field: string, says?: string) =>
  (e: { code?: string; message?: string; details?: { field?: string; expected?: string } }) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.details?.field, field);
    if (says !== undefined)
      assert.ok(`${e.message} ${e.details?.expected}`.includes(says), e.message);
    return true;
  };

export function runUpdatesSuite(name: string, openDb: () => Promise<SqlDatabase>): void {
  const withCommunity = (title: string, body: (f: Fixture) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const db = await openDb();
      const dir = mkdtempSync(join(tmpdir(), "gridshare-updates-"));
      try {
        await migrate(db);
        const clock = new ManualClock(T0 - 60 * MIN);
        const ledgerDir = join(dir, "ledger");
        const opened = await open(db, ledgerDir, clock);
        const f: Fixture = {
          ...opened,
          clock,
          ledgerDir,
          registrations: await registerMembers(opened.community, OPERATOR, HOMES),
          async restart() {
            await f.writer.close();
            const again = await open(db, ledgerDir, clock);
            f.community = again.community;
            f.writer = again.writer;
          },
        };
        await body(f);
        await f.writer.close();
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

  withCommunity(
    "an update for T leaves T − 1 under the old rules and T under the new, gate included",
    async (f) => {
      const { community, clock } = f;
      const doc = update({
        from_interval: iso(T),
        market: { mechanism: "mcafee" },
        tariff: NEW_TARIFF_BLOCK,
        gate_closure_minutes: 10,
      });
      const taken = await community.admin(doc);
      assert.equal(taken.created, true);
      assert.deepEqual(JSON.parse(taken.answer), {
        update: {
          from_interval: iso(T),
          market: { mechanism: "mcafee" },
          tariff: { ...NEW_TARIFF_BLOCK, network_fee_per_kwh: 0 },
          gate_closure_minutes: 10,
        },
        replaces: false,
      });
      assert.equal(community.rules.rulesAt(T - 15 * MIN).mechanism.name, "uniform");
      assert.equal(community.rules.rulesAt(T).mechanism.name, "mcafee");
      assert.equal(gateClosesAt(community.schedule, T - 15 * MIN), T - 20 * MIN);
      assert.equal(gateClosesAt(community.schedule, T), T - 10 * MIN);
      // Both intervals open; each takes orders until its own gate.
      clock.advanceTo(T - 60 * MIN);
      const before = book(T - 15 * MIN, "old");
      const after = [...book(T, "new")];
      const seqs = new Map<string, number>();
      for (const e of [...before, ...after])
        seqs.set(e.order.id, (await community.submit(e)).receipt.received_seq);
      clock.advanceTo(T - 18 * MIN); // T − 1's gate (T − 20) has closed, T's (T − 10) not
      const [a] = HOMES as [Identity];
      await assert.rejects(
        community.submit(order(a, "old-late", "sell", 0.3, 0.1, T - 15 * MIN)),
        refusal("E_GATE_CLOSED", "order.interval_start"),
      );
      const late = order(a, "new-late", "sell", 0.3, 0.1, T);
      seqs.set("new-late", (await community.submit(late)).receipt.received_seq);
      after.push(late);
      clock.advanceTo(T - 10 * MIN); // the new gate: under the old rules it would be T − 5
      await assert.rejects(
        community.submit(order(a, "new-later", "sell", 0.3, 0.1, T)),
        refusal("E_GATE_CLOSED", "order.interval_start"),
      );
      const closed = (await community.tick()).filter((c) => c.blockHeight !== null);
      assert.deepEqual(
        closed.map((c) => [iso(c.intervalStartMs), c.blockHeight, c.orders]),
        [
          [iso(T - 15 * MIN), 5, 4],
          [iso(T), 6, 5],
        ],
      );
      const logged = await payloads(f.ledgerDir);
      assert.deepEqual(headOf(logged[5] as string).market, {
        mechanism: "uniform",
        params: { k: 0.5 },
        grid: { import_price_per_kwh: 0.3, export_price_per_kwh: 0.05, network_fee_per_kwh: 0.01 },
      });
      assert.deepEqual(headOf(logged[6] as string).market, {
        mechanism: "mcafee",
        params: {},
        grid: { import_price_per_kwh: 0.25, export_price_per_kwh: 0.04, network_fee_per_kwh: 0 },
      });
      const report = await verifyBlocks(logged, {
        operator: OPERATOR.publicKey,
        admin: OPERATOR.publicKey,
      });
      assert.equal(report.registryBlocks, 5);
      // The twin: the same documents through the offline pipeline give the same blocks.
      const twin = new OfflineTwin(OPERATOR, OPERATOR.publicKey, {
        mechanism: MECHANISMS.uniform,
        tariff: TARIFF,
        minutes: 15,
      });
      twin.register(f.registrations);
      twin.update([doc]);
      const withSeqs = (orders: SignedOrder[]) =>
        orders.map((envelope) => ({
          envelope,
          receivedSeq: seqs.get(envelope.order.id) as number,
        }));
      twin.clear(T - 15 * MIN, withSeqs(before));
      twin.clear(T, withSeqs(after), [], { mechanism: MECHANISMS.mcafee, tariff: NEW_TARIFF });
      assert.deepEqual(logged, twin.payloads);
    },
  );

  withCommunity(
    "an update for an interval already open is refused and changes nothing",
    async (f) => {
      const { community, store } = f;
      const before = {
        blocks: (await payloads(f.ledgerDir)).length,
        documents: (await store.registrations(0)).length,
        audit: (await store.auditLog(0, 100)).length,
      };
      const [home] = HOMES as [Identity];
      const tries: [Record<string, unknown>, ReturnType<typeof refusal>][] = [
        // T0 opened at T0 − 60 (now): the first interval still to open is T0 + 15.
        [
          { from_interval: iso(T0), market: { mechanism: "mcafee" } },
          refusal("E_CONFLICT", "document.from_interval", `${iso(T0 + 15 * MIN)} or later`),
        ],
        // Three hours ahead, T0 + 15 would have opened already: from T0 + 2 h 15 on.
        [
          { from_interval: iso(T0 + 15 * MIN), open_hours: 3 },
          refusal("E_CONFLICT", "document.from_interval", `${iso(T0 + 135 * MIN)} or later`),
        ],
        [
          { from_interval: iso(T0 + 37 * MIN), market: { mechanism: "mcafee" } },
          refusal("E_INPUT", "document.from_interval", "the start of a 15-minute interval"),
        ],
        [
          { from_interval: iso(T), gate_closure_minutes: 61 },
          refusal("E_INPUT", "document.gate_closure_minutes", "at most 60 × open_hours = 60"),
        ],
        [
          {
            from_interval: iso(T),
            tariff: {
              import: { time_of_use: [{ from: "00:00", to: "12:00", price: 0.2 }] },
              export_price_per_kwh: 0.04,
            },
          },
          refusal("E_INPUT", "document.tariff.import.time_of_use", "cover every hour of the day"),
        ],
        [{ from_interval: iso(T) }, refusal("E_INPUT", "document.market", "at least one field")],
        // A market cleared at the gate never becomes a continuous one (nor the other way).
        [
          { from_interval: iso(T), market: { mechanism: "cda" } },
          refusal("E_CONFLICT", "document.market.mechanism", "not cda"),
        ],
        [
          { from_interval: iso(T), market: { mechanism: "uniform", k: 2 } },
          refusal("E_INPUT", "document.market.k"),
        ],
        [
          { from_interval: iso(T), market: { mechanism: "auction" } },
          refusal("E_INPUT", "document.market.mechanism"),
        ],
      ];
      for (const [fields, expect] of tries)
        await assert.rejects(community.admin(update(fields)), expect);
      await assert.rejects(
        community.admin(
          adminDocument(home, { action: "community.update", from_interval: iso(T), open_hours: 2 }),
        ),
        refusal("E_FORBIDDEN", "public_key"),
      );
      assert.deepEqual(community.rules.scheduled, []);
      assert.deepEqual(await store.scheduledUpdates(), []);
      assert.deepEqual(
        {
          blocks: (await payloads(f.ledgerDir)).length,
          documents: (await store.registrations(0)).length,
          audit: (await store.auditLog(0, 100)).length,
        },
        before,
      );
    },
  );

  withCommunity(
    "a later document for the same interval replaces the earlier; a restart keeps both rules",
    async (f) => {
      const first = update({ from_interval: iso(T), market: { mechanism: "mcafee" } });
      const tariff = update({ from_interval: iso(T - 15 * MIN), tariff: NEW_TARIFF_BLOCK });
      const second = update({ from_interval: iso(T), market: { mechanism: "uniform", k: 0.2 } });
      assert.equal(JSON.parse((await f.community.admin(first)).answer).replaces, false);
      assert.equal(JSON.parse((await f.community.admin(tariff)).answer).replaces, false);
      const replaced = await f.community.admin(second);
      assert.equal(JSON.parse(replaced.answer).replaces, true);
      const check = (c: LiveCommunity) => {
        const atT = c.rules.rulesAt(T);
        assert.deepEqual(
          [atT.mechanism.name, atT.kPpm, atT.tariffAt(T)],
          ["uniform", 200_000, NEW_TARIFF],
        );
        const before = c.rules.rulesAt(T - 15 * MIN);
        assert.deepEqual(
          [before.mechanism.name, before.kPpm, before.tariffAt(T)],
          ["uniform", undefined, NEW_TARIFF],
        );
        assert.deepEqual(c.rules.rulesAt(T - 30 * MIN).tariffAt(T), TARIFF);
      };
      check(f.community);
      await f.restart();
      check(f.community);
      // The same bytes again, after the restart and once their interval has opened: the first answers.
      f.clock.advanceTo(T - 60 * MIN);
      assert.deepEqual(await f.community.admin(second), { ...replaced, created: false });
      assert.equal((await f.community.admin(first)).created, false);
      for (const e of book(T, "r")) await f.community.submit(e);
      f.clock.advanceTo(T);
      await f.community.tick();
      const logged = await payloads(f.ledgerDir);
      // Registrations, the three updates (one block each), T's clearing block.
      assert.equal(logged.length, 8);
      const entryOf = (p: string) => JSON.parse(splitPayload(p)?.entries[0] ?? "{}");
      assert.deepEqual(
        logged.slice(4, 7).map((p) => entryOf(p).effect),
        [
          { from_interval: iso(T), replaces: false },
          { from_interval: iso(T - 15 * MIN), replaces: false },
          { from_interval: iso(T), replaces: true },
        ],
      );
      assert.deepEqual(headOf(logged[7] as string).market, {
        mechanism: "uniform",
        params: { k: 0.2 },
        grid: { import_price_per_kwh: 0.25, export_price_per_kwh: 0.04, network_fee_per_kwh: 0 },
      });
      await verifyBlocks(logged, { admin: OPERATOR.publicKey });
    },
  );

  withCommunity(
    "an update the log missed (a crash after its commit) is sealed at start, before any clearing block",
    async (f) => {
      // The update's commit alone, as the platform makes it: the log never hears of it.
      const doc = update({ from_interval: iso(T), market: { mechanism: "cda" } });
      const changes = '{"market":{"mechanism":"cda"}}';
      const digest = createHash("sha256").update(canonicalize(doc)).digest("hex");
      assert.deepEqual(
        await f.store.applyDocument(
          {
            nonceKey: `${doc.public_key}:${doc.nonce}`,
            digest,
            kind: "community.update",
            receivedMs: Date.now(),
            answer: "{}",
            ledger: { kind: "registry", intervalStartMs: null, document: canonicalize(doc) },
          },
          { kind: "schedule_update", update: { fromMs: T, changes, documentHash: digest } },
        ),
        { kind: "applied" },
      );
      assert.equal((await payloads(f.ledgerDir)).length, 4);
      await f.restart();
      assert.equal(f.community.rules.rulesAt(T).mechanism.name, "cda");
      f.clock.advanceTo(T - 60 * MIN);
      for (const e of book(T, "c")) await f.community.submit(e);
      f.clock.advanceTo(T);
      await f.community.tick();
      const logged = await payloads(f.ledgerDir);
      assert.deepEqual(
        logged.map((p) => [headOf(p).kind, headOf(p).market?.mechanism]),
        [...Array(4).fill(["registry", undefined]), ["registry", undefined], ["clearing", "cda"]],
      );
      await verifyBlocks(logged, { admin: OPERATOR.publicKey });
    },
  );

  withCommunity("updates sent at the same time are taken one after the other", async (f) => {
    const docs = [0.1, 0.2, 0.3].map((k) =>
      update({ from_interval: iso(T), market: { mechanism: "uniform", k } }),
    );
    const answers = await Promise.all(docs.map((d) => f.community.admin(d)));
    // One first, the others each replacing the one before it, in the order they were taken.
    assert.deepEqual(
      answers.map((a) => JSON.parse(a.answer).replaces),
      [false, true, true],
    );
    const [row] = await f.store.scheduledUpdates();
    assert.equal(row?.changes, '{"market":{"k":0.3,"mechanism":"uniform"}}');
    assert.equal(f.community.rules.rulesAt(T).kPpm, 300_000);
    await verifyBlocks(await payloads(f.ledgerDir), { admin: OPERATOR.publicKey });
  });
}
