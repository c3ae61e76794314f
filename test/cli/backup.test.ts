/**
 * Backup and restore of a live platform's data directory: a community that cleared a block is
 * backed up, restored into a new directory (embedded database) and into PostgreSQL, and comes
 * back whole (members, orders, clock, a ledger that verifies); a restore that would move a
 * ledger behind a head it published is refused and changes nothing; a running server's
 * directory and a file that is not a backup are refused with their codes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Identity } from "../../src/ledger/keys.js";
import { checkConsistencyProof } from "../../src/ledger/proofs.js";
import { HEAD_FILE } from "../../src/store/ledgerStore.js";
import { runCli } from "../support/cli.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import { LiveServer, MIN } from "../support/liveServer.js";
import { freshPostgres } from "../support/postgres.js";

const ADMIN = fixedIdentity("backup admin");
const [A, B] = HOMES as [Identity, Identity];
const root = mkdtempSync(join(tmpdir(), "gridshare-backup-"));
const source = join(root, "source");
const file = join(root, "backup.json.gz");

const start = (dataDir: string, databaseUrl?: string) =>
  LiveServer.start({
    name: "backup",
    admin: ADMIN,
    clockStartMs: T0 - 60 * MIN,
    dataDir,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
  });

async function trade(server: LiveServer, at: number, tag: string): Promise<void> {
  for (const [who, side, price] of [
    [A, "sell", 0.1],
    [B, "buy", 0.3],
  ] as const) {
    const r = await server.call("POST", "/v1/orders", {
      body: server.order(who, { id: `${tag}-${side}`, side, kwh: 1, price, intervalStartMs: at }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  const moved = await server.advanceTo(at - 5 * MIN);
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
}

const head = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "ledger", "fontana", HEAD_FILE), "utf8")).height;

before(async () => {
  const server = await start(source);
  await server.register([A, B]);
  await trade(server, T0, "k0");
  // An order left open in the next interval.
  await server.call("POST", "/v1/orders", {
    body: server.order(A, {
      id: "open-1",
      side: "sell",
      kwh: 2,
      price: 0.09,
      intervalStartMs: T0 + 15 * MIN,
    }),
  });
  await server.stop();
});

after(() => rmSync(root, { recursive: true, force: true }));

async function assertWhole(server: LiveServer): Promise<void> {
  assert.equal((await server.call("GET", "/v1/participants")).json.participants.length, 2);
  assert.equal((await server.call("GET", "/v1/clock")).json.now, "2026-06-01T11:55:00Z");
  // The two registrations' registry blocks, then the cleared interval's.
  assert.equal((await server.call("GET", "/v1/ledger/head")).json.height, 2);
  const book = await server.call("GET", `/v1/intervals/2026-06-01T12:15:00Z`);
  assert.equal(book.json.book.asks[0].energy_kwh, 2);
  const verified = await runCli([
    "ledger",
    "verify",
    join(server.dir, "ledger", "fontana"),
    "--operator",
    OPERATOR.publicKey,
  ]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stdout, /^ok: 3 blocks/);
  // The restored community takes orders and clears on: 12:15 (the open order alone), 12:30.
  await trade(server, T0 + 30 * MIN, "k2");
  assert.equal((await server.call("GET", "/v1/ledger/head")).json.height, 4);
  // The restored head extends the backed-up one: a consistency proof over HTTP checks.
  const proof = await server.call("GET", "/v1/ledger/proofs/consistency?from=2&to=4");
  assert.equal(proof.status, 200, JSON.stringify(proof.json));
  const checked = checkConsistencyProof(proof.json, "HTTP", OPERATOR.publicKey);
  assert.deepEqual([checked.first.height, checked.second.height], [2, 4]);
  const backwards = await server.call("GET", "/v1/ledger/proofs/consistency?from=4&to=2");
  assert.equal(backwards.code, "E_LEDGER_HEIGHT_OUT_OF_RANGE");
}

test("backup: a stopped server's directory is backed up, and restores whole into a new one", async () => {
  const r = await runCli(["backup", "--data-dir", source, "--out", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^backed up fontana to block 2 and \d+ database rows to .*backup\.json\.gz \(\d+ bytes\)\n$/,
  );
  assert.equal((await runCli(["backup", "--data-dir", source, "--out", file])).code, 2);
  const target = join(root, "target");
  const restored = await runCli(["restore", "--in", file, "--data-dir", target]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /^restored fontana to block 2 and \d+ database rows\n$/);
  assert.match(restored.stderr, /community file written to .*fontana\.community\.json/);
  const server = await start(target);
  try {
    await assertWhole(server);
  } finally {
    await server.close();
  }
});

test("backup: an embedded community restores into PostgreSQL", async () => {
  const pg = await freshPostgres();
  if (pg === undefined) return;
  try {
    const target = join(root, "on-postgres");
    const restored = await runCli(["restore", "--in", file, "--data-dir", target], {
      env: { DATABASE_URL: pg.url },
    });
    assert.equal(restored.code, 0, restored.stderr);
    const server = await start(target, pg.url);
    try {
      await assertWhole(server);
    } finally {
      await server.close();
    }
  } finally {
    await pg.drop();
  }
});

test("backup: a restore behind a published head is a fork, refused, and changes nothing", async () => {
  const server = await start(source);
  try {
    await trade(server, T0 + 15 * MIN, "k1");
    // While the server runs its directory is locked.
    const locked = await runCli(["backup", "--data-dir", source, "--out", join(root, "x.gz")]);
    assert.equal(locked.code, 2);
    assert.match(locked.stderr, /is already open in this process|is in use by process/);
  } finally {
    await server.stop();
  }
  assert.equal(head(source), 3);
  const refused = await runCli(["restore", "--in", file, "--data-dir", source]);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /community fontana: the data directory has published block 3, the backup ends at 2; restoring would fork its ledger/,
  );
  assert.equal(head(source), 3);
  const again = await start(source);
  try {
    assert.equal((await again.call("GET", "/v1/ledger/head")).json.height, 3);
  } finally {
    await again.stop();
  }
});

test("backup: a file that is not a backup is named", async () => {
  const bad = join(root, "bad.gz");
  writeFileSync(bad, "not gzip");
  const r = await runCli(["restore", "--in", bad, "--data-dir", join(root, "none")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /E_BACKUP_INVALID|bad\.gz: not a gridshare backup/);
  const missing = await runCli([
    "restore",
    "--in",
    join(root, "nope.gz"),
    "--data-dir",
    join(root, "none"),
  ]);
  assert.match(missing.stderr, /nope\.gz: no such file/);
});
