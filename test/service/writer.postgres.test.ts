/**
 * One writer per community on a shared PostgreSQL database: a second server (another data
 * directory) opening the same community is refused while the first runs, and opens once it has
 * stopped; another community in the same database is not held up.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import { openPlatform } from "../../src/service/platform.js";
import { fixedIdentity, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import { freshPostgres } from "../support/postgres.js";

const root = mkdtempSync(join(tmpdir(), "gridshare-writer-"));
after(() => rmSync(root, { recursive: true, force: true }));

const open = async (url: string, id: string, dir: string) =>
  openPlatform({
    config: await communityConfig(
      communityTemplate(
        {
          adminPublicKey: fixedIdentity("writer admin").publicKey,
          blockSigningPublicKey: OPERATOR.publicKey,
          id,
        },
        "test",
      ),
      "test",
    ),
    dataDir: join(root, dir),
    databaseUrl: url,
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 },
  });

test("postgres: one server writes a community; a second is refused until the first stops", async () => {
  const pg = await freshPostgres();
  if (pg === undefined) return;
  try {
    const first = await open(pg.url, "fontana", "a");
    await assert.rejects(open(pg.url, "fontana", "b"), (e: { code?: string; message: string }) => {
      assert.equal(e.code, "E_STORE_LOCKED");
      assert.match(e.message, /another server is the writer of community fontana/);
      return true;
    });
    const other = await open(pg.url, "lugano", "c");
    await other.close();
    await first.close();
    const second = await open(pg.url, "fontana", "b");
    await second.close();
  } finally {
    await pg.drop();
  }
});
