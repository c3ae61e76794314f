import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { MIGRATIONS } from "../../src/store/sql/migrations.js";
import { openDatabase } from "../../src/store/sql/open.js";
import { openPglite } from "../../src/store/sql/pglite.js";
import { runStoreSuite } from "./sqlSuite.js";

runStoreSuite({ name: "pglite", open: () => openPglite() });

const tempDir = () => mkdtempSync(join(tmpdir(), "gridshare-pglite-"));

test("pglite: a data directory is opened by one server at a time, and keeps its rows", async () => {
  const dir = tempDir();
  try {
    const { db, migrations } = await openDatabase({ dataDir: dir });
    assert.deepEqual(
      migrations.applied,
      MIGRATIONS.map((m) => m.version),
    );
    await db.query("insert into communities values ($1, $2, $3)", ["c1", "{}", 1]);
    await assert.rejects(openPglite({ dataDir: dir }), (e: { code?: string; message: string }) => {
      assert.equal(e.code, "E_STORE_LOCKED");
      assert.match(e.message, /already open in this process/);
      return true;
    });
    await db.close();
    const again = await openDatabase({ dataDir: dir });
    assert.deepEqual(again.migrations.applied, []);
    assert.deepEqual(await again.db.query("select community_id from communities"), [
      { community_id: "c1" },
    ]);
    await again.db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A child process that commits rows one by one, printing each once committed, until killed. */
const WRITER = `
import { openDatabase } from ${JSON.stringify(new URL("../../src/store/sql/open.ts", import.meta.url).href)};
const { db } = await openDatabase({ dataDir: process.argv[1] });
await db.query("insert into communities values ('c1', '{}', 0) on conflict do nothing");
for (let i = 0; ; i++) {
  await db.transaction(async (tx) => {
    await tx.query("insert into counters values ('c1', $1, $2)", ["n" + i, i]);
  });
  process.stdout.write(i + "\\n");
}
`;

test("pglite: after a kill -9, every committed row is there and the stale lock is taken over", async () => {
  const dir = tempDir();
  try {
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", WRITER, dir],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let acknowledged = -1;
      let buffer = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("writer made no progress in 60 s")),
          60_000,
        );
        child.stdout.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          for (const l of lines) acknowledged = Number(l);
          if (acknowledged >= 20 + round * 7) {
            clearTimeout(timer);
            child.kill("SIGKILL");
            resolve();
          }
        });
        child.on("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await new Promise((r) => child.once("exit", r).once("close", r));
      const { db } = await openDatabase({ dataDir: dir });
      const rows = await db.query<{ value: number }>(
        "select value from counters where community_id = 'c1'",
      );
      const have = new Set(rows.map((r) => r.value));
      // Every row acknowledged before the kill survived; rows are committed in order, so the
      // survivors are a prefix of 0, 1, 2, ... that includes every acknowledged one.
      for (let i = 0; i <= acknowledged; i++)
        assert.ok(have.has(i), `row ${i} acknowledged, then lost`);
      assert.equal(Math.max(...have) + 1, have.size);
      await db.query("delete from counters");
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
