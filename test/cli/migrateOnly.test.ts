/**
 * `gridshare serve --migrate-only` on the embedded database and on PostgreSQL: it applies every
 * migration once and says which, then finds nothing to apply; a schema newer than this program
 * knows (as an older binary would meet after an upgrade) is refused, by `--migrate-only` and by
 * `serve` itself, and stays as it was.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/sql/migrations.js";
import { openPglite } from "../../src/store/sql/pglite.js";
import { openPostgres } from "../../src/store/sql/postgres.js";
import { runCli } from "../support/cli.js";
import { freshPostgres } from "../support/postgres.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-migrate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const appliedLines = MIGRATIONS.map((m) => `applied migration ${m.version}: ${m.name}\n`).join("");

async function bumpSchema(db: SqlDatabase): Promise<void> {
  try {
    await db.query(
      "insert into schema_migrations (version, name, applied_ms) values ($1, 'from the future', 0)",
      [SCHEMA_VERSION + 1],
    );
  } finally {
    await db.close();
  }
}

async function versions(db: SqlDatabase): Promise<number[]> {
  try {
    const rows = await db.query<{ version: number }>(
      "select version from schema_migrations order by version",
    );
    return rows.map((r) => Number(r.version));
  } finally {
    await db.close();
  }
}

async function migrateTwiceThenRefuseNewer(
  env: Record<string, string>,
  dataDir: string,
  where: RegExp,
  open: () => Promise<SqlDatabase>,
): Promise<void> {
  const args = ["serve", "--migrate-only", "--data-dir", dataDir];
  const first = await runCli(args, { env });
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.startsWith(appliedLines), first.stdout);
  assert.match(first.stdout, where);
  assert.match(first.stdout, new RegExp(`is at version ${SCHEMA_VERSION}\\n$`));
  const again = await runCli(args, { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^nothing to apply\n/);

  await bumpSchema(await open());
  const refused = await runCli(args, { env });
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    new RegExp(
      `schema is version ${SCHEMA_VERSION + 1}, newer than this gridshare knows \\(${SCHEMA_VERSION}\\)`,
    ),
  );
  const served = await runCli(
    ["serve", "--demo", "--port", "0", "--clock", "manual", "--data-dir", dataDir],
    { env },
  );
  assert.equal(served.code, 2);
  assert.match(served.stderr, /newer than this gridshare knows/);
  assert.deepEqual(await versions(await open()), [
    ...MIGRATIONS.map((m) => m.version),
    SCHEMA_VERSION + 1,
  ]);
}

test("serve --migrate-only: the embedded database", async () => {
  const data = join(dir, "pglite");
  await migrateTwiceThenRefuseNewer({}, data, /the embedded database in .*pglite/, () =>
    openPglite({ dataDir: data }),
  );
});

test("serve --migrate-only: PostgreSQL (DATABASE_URL)", async () => {
  const pg = await freshPostgres();
  if (pg === undefined) return;
  try {
    await migrateTwiceThenRefuseNewer(
      { DATABASE_URL: pg.url },
      join(dir, "pg"),
      /the PostgreSQL database/,
      () => openPostgres({ url: pg.url }),
    );
  } finally {
    await pg.drop();
  }
});
