/**
 * The database conformance suite: every behaviour the platform relies on, run against each
 * store (PGlite always, PostgreSQL when reachable) with the same statements.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase, SqlSession } from "../../src/store/sql/database.js";
import { MIGRATIONS, migrate, SCHEMA_VERSION } from "../../src/store/sql/migrations.js";

export interface StoreUnderTest {
  readonly name: string;
  /** A database with an empty, fresh schema namespace each time it is called. */
  readonly open: () => Promise<SqlDatabase>;
}

const community = async (db: SqlSession, id: string) => {
  await db.query(
    "insert into communities (community_id, document, created_ms) values ($1, $2, $3)",
    [id, JSON.stringify({ id }), 0],
  );
};

const counter = async (db: SqlSession, c: string, name: string, value: number) => {
  await db.query("insert into counters (community_id, name, value) values ($1, $2, $3)", [
    c,
    name,
    value,
  ]);
};

const counters = async (db: SqlSession, c: string) =>
  (
    await db.query<{ name: string; value: number }>(
      "select name, value from counters where community_id = $1 order by name",
      [c],
    )
  ).map((r) => `${r.name}=${r.value}`);

export function runStoreSuite(store: StoreUnderTest): void {
  const t = (name: string, body: (db: SqlDatabase) => Promise<void>) =>
    test(`${store.name}: ${name}`, async () => {
      const db = await store.open();
      try {
        await body(db);
      } finally {
        await db.close();
      }
    });

  t("migrations apply once, are recorded, and a second run applies nothing", async (db) => {
    const first = await migrate(db);
    assert.deepEqual(
      first.applied,
      MIGRATIONS.map((m) => m.version),
    );
    assert.equal(first.version, SCHEMA_VERSION);
    const again = await migrate(db);
    assert.deepEqual(again.applied, []);
    const rows = await db.query<{ version: number }>("select version from schema_migrations");
    assert.deepEqual(
      rows.map((r) => r.version),
      MIGRATIONS.map((m) => m.version),
    );
  });

  t("a schema newer than the program is refused, and nothing changes", async (db) => {
    await migrate(db);
    await db.query("insert into schema_migrations values ($1, $2, $3)", [
      SCHEMA_VERSION + 1,
      "future",
      0,
    ]);
    await assert.rejects(migrate(db), (e: { code?: string; message: string }) => {
      assert.equal(e.code, "E_STORE_SCHEMA_NEWER");
      assert.match(
        e.message,
        new RegExp(
          `version ${SCHEMA_VERSION + 1}, newer than this gridshare knows \\(${SCHEMA_VERSION}\\)`,
        ),
      );
      return true;
    });
    const rows = await db.query("select version from schema_migrations");
    assert.equal(rows.length, MIGRATIONS.length + 1);
  });

  t(
    "bigint columns come back as exact numbers; beyond 2^53 is an error, never rounded",
    async (db) => {
      await migrate(db);
      await community(db, "c1");
      await counter(db, "c1", "max", Number.MAX_SAFE_INTEGER);
      await counter(db, "c1", "min", -Number.MAX_SAFE_INTEGER);
      const rows = await db.query<{ value: number }>(
        "select value from counters where community_id = $1 order by name",
        ["c1"],
      );
      assert.deepEqual(
        rows.map((r) => r.value),
        [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      );
      await assert.rejects(db.query("select 9007199254740993::bigint as v"), /not a safe integer/);
    },
  );

  t("a transaction commits as a whole or not at all", async (db) => {
    await migrate(db);
    await community(db, "c1");
    await db.transaction(async (tx) => {
      await counter(tx, "c1", "a", 1);
      await counter(tx, "c1", "b", 2);
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await counter(tx, "c1", "c", 3);
        throw new Error("changed my mind");
      }),
      /changed my mind/,
    );
    assert.deepEqual(await counters(db, "c1"), ["a=1", "b=2"]);
  });

  t("a unique violation is E_STORE_CONFLICT naming the constraint, and rolls back", async (db) => {
    await migrate(db);
    await community(db, "c1");
    await counter(db, "c1", "a", 1);
    await assert.rejects(
      db.transaction(async (tx) => {
        await counter(tx, "c1", "b", 2);
        await counter(tx, "c1", "a", 3);
      }),
      (e: { code?: string; details?: { sqlstate?: string; constraint?: string } }) => {
        assert.equal(e.code, "E_STORE_CONFLICT");
        assert.equal(e.details?.sqlstate, "23505");
        assert.equal(e.details?.constraint, "counters_pkey");
        return true;
      },
    );
    assert.deepEqual(await counters(db, "c1"), ["a=1"]);
  });

  t(
    "concurrent transactions are isolated: one's rollback never discards another's commit",
    async (db) => {
      await migrate(db);
      await community(db, "c1");
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      const a = db.transaction(async (tx) => {
        await counter(tx, "c1", "a", 1);
        await held;
        return "a";
      });
      const b = db
        .transaction(async (tx) => {
          await counter(tx, "c1", "b", 2);
          throw new Error("b fails");
        })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      // Let b start (on PostgreSQL it runs now; on PGlite it waits its turn), then free a.
      await new Promise((r) => setTimeout(r, 20));
      release();
      assert.equal(await a, "a");
      // The error thrown inside comes back as it was thrown.
      assert.equal((await b)?.message, "b fails");
      assert.deepEqual(await counters(db, "c1"), ["a=1"]);
    },
  );

  t("property: concurrent transactions leave exactly the committed ones' rows", async (db) => {
    await migrate(db);
    await community(db, "c1");
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ rows: fc.integer({ min: 1, max: 3 }), commit: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (plans) => {
          run++;
          await db.query("delete from counters where community_id = $1", ["c1"]);
          const results = await Promise.allSettled(
            plans.map((p, i) =>
              db.transaction(async (tx) => {
                for (let k = 0; k < p.rows; k++) await counter(tx, "c1", `${run}-${i}-${k}`, k);
                if (!p.commit) throw new Error("rollback");
              }),
            ),
          );
          const expected = plans
            .flatMap((p, i) =>
              p.commit ? Array.from({ length: p.rows }, (_, k) => `${run}-${i}-${k}=${k}`) : [],
            )
            .sort();
          assert.deepEqual(await counters(db, "c1"), expected);
          assert.equal(
            results.filter((r) => r.status === "fulfilled").length,
            plans.filter((p) => p.commit).length,
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  t(
    "a community update is recorded with its document; a later one replaces its interval's",
    async (db) => {
      await migrate(db);
      const store = new SqlCommunityStore(db, "c1");
      await store.ensureCommunity(JSON.stringify({ id: "c1" }), 0);
      const record = (nonce: string, changes: string, fromMs: number) =>
        store.applyDocument(
          {
            nonceKey: `admin:${nonce}`,
            digest: `digest-${nonce}-${changes}`,
            kind: "community.update",
            receivedMs: 1,
            answer: "{}",
            audit: { action: "community.update", target: String(fromMs), actor: "admin" },
            ledger: { kind: "registry", intervalStartMs: null, document: `{"n":"${nonce}"}` },
          },
          { kind: "schedule_update", update: { fromMs, changes, documentHash: `hash-${nonce}` } },
        );
      assert.deepEqual(await record("n1", '{"open_hours":12}', 3_600_000), { kind: "applied" });
      assert.deepEqual(await record("n2", '{"gate_closure_minutes":10}', 7_200_000), {
        kind: "applied",
      });
      assert.deepEqual(await record("n3", '{"open_hours":6}', 3_600_000), { kind: "applied" });
      // The same nonce under other content changes nothing.
      assert.deepEqual(await record("n1", '{"open_hours":1}', 3_600_000), { kind: "nonce_reused" });
      assert.deepEqual(await store.scheduledUpdates(), [
        { fromMs: 3_600_000, changes: '{"open_hours":6}', documentHash: "hash-n3" },
        { fromMs: 7_200_000, changes: '{"gate_closure_minutes":10}', documentHash: "hash-n2" },
      ]);
      // Every document stays in the registry's order, each with its audit entry.
      assert.deepEqual(await store.registrations(0), ['{"n":"n1"}', '{"n":"n2"}', '{"n":"n3"}']);
      assert.deepEqual(
        (await store.auditLog(0, 10)).map((e) => e.target),
        ["3600000", "7200000", "3600000"],
      );
    },
  );
}
