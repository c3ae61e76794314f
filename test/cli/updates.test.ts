/**
 * `gridshare community update` against a real server listening on 127.0.0.1 (embedded database,
 * manual clock): the operator changes the mechanism, k, gate closure and tariff from a later
 * interval on; a later update for the same interval replaces it; refusals are the server's codes,
 * and flags that do not make an update, or a bad tariff file, are said before anything is sent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import { writeIdentity } from "../../src/store/keyFile.js";
import { runCli } from "../support/cli.js";
import { T0 } from "../support/ledgerFixtures.js";
import { ADMIN, LiveServer, MIN } from "../support/liveServer.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-cli-updates-"));
const adminKey = join(dir, "admin.key");
const tariffFile = join(dir, "tariff.json");
const T = formatInstant(T0 + 30 * MIN);
let live: LiveServer;

async function cli(argv: string[], code = 0): Promise<string> {
  const r = await runCli(argv);
  assert.equal(r.code, code, `gridshare ${argv.join(" ")}: ${r.stderr}`);
  return code === 0 ? r.stdout : r.stderr;
}

const update = (...flags: string[]) => [
  "community",
  "update",
  "--server",
  live.base,
  "--operator-key",
  adminKey,
  "--json",
  ...flags,
];

before(async () => {
  await writeIdentity(adminKey, ADMIN, { force: false });
  writeFileSync(
    tariffFile,
    JSON.stringify({ import: { price_per_kwh: 0.25 }, export_price_per_kwh: 0.04 }),
  );
  live = await LiveServer.start({ name: "cli-updates", community: { open_hours: 1 } });
});

after(async () => {
  await live.close();
  rmSync(dir, { recursive: true, force: true });
});

test("community update: the operator schedules one, and a later one for the interval replaces it", async () => {
  const first = JSON.parse(
    await cli(update("--from", T, "--mechanism", "uniform", "--k", "0.3", "--tariff", tariffFile)),
  );
  assert.deepEqual(first, {
    from_interval: T,
    mechanism: "uniform",
    k: 0.3,
    tariff: '{"export_price_per_kwh":0.04,"import":{"price_per_kwh":0.25},"network_fee_per_kwh":0}',
    gate_closure_minutes: null,
    open_hours: null,
    replaces: false,
    created: true,
  });
  const second = JSON.parse(
    await cli(update("--from", T, "--mechanism", "mcafee", "--gate-closure-minutes", "10")),
  );
  assert.deepEqual(
    [second.mechanism, second.k, second.tariff, second.gate_closure_minutes, second.replaces],
    ["mcafee", null, null, 10, true],
  );
  const { json } = await live.call("GET", "/v1/community");
  assert.deepEqual(json.updates, [
    { from_interval: T, market: { mechanism: "mcafee" }, gate_closure_minutes: 10 },
  ]);
  const table = await runCli(
    update("--from", T, "--gate-closure-minutes", "15").map((a) =>
      a === "--json" ? "--format=table" : a,
    ),
  );
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^from_interval +2026-06-01T12:30:00Z$/m);
  assert.match(table.stdout, /^gate_closure_minutes +15$/m);
  assert.match(table.stdout, /^mechanism +-$/m);
});

test("community update: refusals are the server's, bad flags and files are said before sending", async () => {
  const open = await cli(update("--from", formatInstant(T0), "--mechanism", "mcafee"), 2);
  assert.match(
    open,
    /^gridshare: E_CONFLICT \(409\): the update cannot take effect from 2026-06-01T12:00:00Z: orders are open up to the interval starting 2026-06-01T12:00:00Z/,
  );
  assert.match(await cli(update("--from", T, "--k", "0.3"), 2), /--k: give --mechanism with it/);
  assert.match(await cli(update("--from", T), 2), /nothing to change/);
  assert.match(
    await cli(update("--from", T, "--mechanism", "auction"), 2),
    /--mechanism: expected one of/,
  );
  assert.match(
    await cli(update("--from", "soon", "--mechanism", "mcafee"), 2),
    /--from: expected an ISO 8601 time/,
  );
  writeFileSync(
    tariffFile,
    JSON.stringify({ import: { price_per_kwh: -1 }, export_price_per_kwh: 0.04 }),
  );
  assert.match(
    await cli(update("--from", T, "--tariff", tariffFile), 2),
    new RegExp(`${tariffFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: import`),
  );
  // Nothing of these reached the server's schedule.
  const { json } = await live.call("GET", "/v1/community");
  assert.equal(json.updates[0].gate_closure_minutes, 15);
  assert.equal(json.updates.length, 1);
});
