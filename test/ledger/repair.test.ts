/**
 * What recovery may and may not do: without a HEAD, or with complete blocks after it that do not
 * link, nothing is verified as ok and nothing is dropped; only `ledger repair --truncate-after`
 * drops blocks, when told which to keep.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { crc32 } from "node:zlib";
import { keyFileDocument } from "../../src/ledger/keys.js";
import { verifyLedgerDir } from "../../src/store/ledgerRead.js";
import {
  diagnoseLedger,
  HEAD_FILE,
  HEADER_BYTES,
  LedgerWriter,
  LOG_FILE,
  scanLedger,
  truncateLedgerAfter,
  viewLedger,
} from "../../src/store/ledgerStore.js";
import { runCli } from "../support/cli.js";
import { buildLedger, OPERATOR } from "../support/ledgerFixtures.js";

const tmp = () => mkdtempSync(join(tmpdir(), "gridshare-repair-"));

/** Byte offsets where each record of a log starts, and the end. */
function recordStarts(log: Buffer): number[] {
  const starts: number[] = [];
  let offset = HEADER_BYTES;
  while (offset < log.length) {
    starts.push(offset);
    offset += 8 + log.readUInt32LE(offset);
  }
  return [...starts, offset];
}

/** Puts the fixtures' operator key where `clear --ledger` looks for it. */
function withOperatorKey(dir: string): void {
  writeFileSync(join(dir, "operator.key"), JSON.stringify(keyFileDocument(OPERATOR)), {
    mode: 0o600,
  });
}

function files(dir: string): [Buffer, Buffer | undefined] {
  let head: Buffer | undefined;
  try {
    head = readFileSync(join(dir, HEAD_FILE));
  } catch {
    head = undefined;
  }
  return [readFileSync(join(dir, LOG_FILE)), head];
}

test("error: complete blocks with no HEAD do not verify, and an append neither extends nor drops them", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 6)).close();
  rmSync(join(dir, HEAD_FILE));
  const before = files(dir);
  await assert.rejects(verifyLedgerDir(dir, {}), {
    code: "E_LEDGER_HEAD_MISSING",
    message: /HEAD is missing, but ledger\.log holds 6 complete block\(s\)/,
  });
  await assert.rejects(LedgerWriter.open(dir, { create: true }), {
    code: "E_LEDGER_HEAD_MISSING",
  });
  assert.deepEqual(files(dir), before, "nothing changed");
  const d = await diagnoseLedger(dir);
  assert.deepEqual([d.head, d.records, d.chain, d.tailBytes], ["missing", 6, 6, 0]);
});

test("behavior: a bit flip in block 3 of a ledger without HEAD: clear changes nothing; repair keeps blocks 0-2 when told", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 6)).close();
  rmSync(join(dir, HEAD_FILE));
  const log = readFileSync(join(dir, LOG_FILE));
  const at = (recordStarts(log)[3] as number) + 40;
  log[at] = (log[at] as number) ^ 0x10;
  writeFileSync(join(dir, LOG_FILE), log);
  withOperatorKey(dir);
  const before = files(dir);

  const clear = await runCli(["clear", "--ledger", dir, "examples/orders.json"]);
  assert.equal(clear.code, 3, clear.stderr);
  assert.match(
    clear.stderr,
    /HEAD is missing, but ledger\.log holds 3 complete block\(s\), then \d+ bytes/,
  );
  assert.match(clear.stderr, /gridshare ledger repair /);
  assert.deepEqual(files(dir), before, "the refused clear changed nothing, recovery included");

  const dry = await runCli(["ledger", "repair", dir]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /HEAD is missing/);
  assert.match(dry.stdout, /--truncate-after 2\n/);
  assert.deepEqual(files(dir), before, "without --truncate-after nothing is changed");

  const tooFar = await runCli(["ledger", "repair", dir, "--truncate-after", "4"]);
  assert.equal(tooFar.code, 2);
  assert.match(tooFar.stderr, /--truncate-after: expected a height from 0 to 2/);

  const repaired = await runCli(["ledger", "repair", dir, "--truncate-after", "2"]);
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.match(repaired.stdout, /kept blocks 0–2/);
  const report = await verifyLedgerDir(dir, {});
  assert.equal(report.blocks, 3);
});

test("behavior: repair says how many dropped blocks HEAD had acknowledged", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 5)).close();
  const r = await truncateLedgerAfter(dir, 1);
  assert.deepEqual([r.keptHeight, r.droppedBlocks, r.droppedAcknowledged], [1, 3, 3]);
  const scan = await scanLedger(dir);
  assert.equal(scan.acknowledged.length, 2);
  assert.equal(scan.pending.length, 0);
  // The kept ledger takes new blocks from height 2 on.
  await (await buildLedger(dir, 1)).close();
  assert.equal((await verifyLedgerDir(dir, {})).blocks, 3);
});

test("error: a complete block after HEAD that does not link is not dropped by recovery", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 2)).close();
  const head2 = readFileSync(join(dir, HEAD_FILE));
  await (await buildLedger(dir, 1)).close();
  // Change block 2 (not acknowledged by the old HEAD) and recompute its checksum: a complete
  // record that an interrupted append could not have written.
  const log = readFileSync(join(dir, LOG_FILE));
  const start = recordStarts(log)[2] as number;
  const payload = Buffer.from(log.subarray(start + 8));
  const at = payload.indexOf('"energy_kwh":') + 13;
  payload[at] = payload[at] === 0x31 ? 0x32 : 0x31;
  log.writeUInt32LE(crc32(payload), start + 4);
  payload.copy(log, start + 8);
  writeFileSync(join(dir, LOG_FILE), log);
  writeFileSync(join(dir, HEAD_FILE), head2);
  withOperatorKey(dir);
  const before = files(dir);
  await assert.rejects(LedgerWriter.open(dir, { create: false }), {
    code: "E_LEDGER_TAMPERED",
    message: /block 2: a complete block after the published head does not extend the chain/,
  });
  assert.deepEqual(files(dir), before);
  const r = await runCli(["clear", "--ledger", dir, "examples/orders.json"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /see what can be kept: gridshare ledger repair/);
  assert.deepEqual(files(dir), before);
});

test("behavior: zero bytes after the head's end are not blocks: a torn tail the next append drops", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 2)).close();
  const [log] = files(dir);
  writeFileSync(join(dir, LOG_FILE), Buffer.concat([log, Buffer.alloc(100)]));
  const scan = await scanLedger(dir);
  assert.equal(scan.pending.length, 0);
  assert.deepEqual(scan.tornTail, { offset: log.length, bytes: 100 });
  const report = await verifyLedgerDir(dir, {});
  assert.equal(report.blocks, 2);
  assert.match(report.notes.join("\n"), /100 bytes of a torn, unacknowledged append/);
  const writer = await LedgerWriter.open(dir, { create: false });
  assert.equal(writer.recovery.droppedBytes, 100);
  await writer.close();
  assert.deepEqual(files(dir)[0], log);
});

test("behavior: a refused clear does not recover an interrupted append; the next accepted one does", async () => {
  const dir = tmp();
  const first = await runCli(["clear", "--ledger", dir, "examples/orders.json"]);
  assert.equal(first.code, 0, first.stderr);
  const [log, head] = files(dir);
  writeFileSync(join(dir, LOG_FILE), Buffer.concat([log, Buffer.from([7, 0, 0])]));
  const torn = files(dir);
  const refused = await runCli([
    "clear",
    "--ledger",
    dir,
    "--require-signatures",
    "examples/orders.json",
  ]);
  assert.equal(refused.code, 2);
  assert.deepEqual(files(dir), torn, "the torn tail is still there");
  const later = JSON.parse(readFileSync("examples/orders.json", "utf8"));
  later.interval.start = "2026-06-01T12:15:00Z";
  const next = join(dir, "..", `${dir.split("/").pop()}-next.json`);
  writeFileSync(next, JSON.stringify(later));
  const accepted = await runCli(["clear", "--ledger", dir, next]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stderr, /dropped 3 bytes of a torn, unacknowledged append/);
  assert.match(accepted.stderr, /appended block 1/);
  assert.notDeepEqual(files(dir)[1], head);
});

test("error: a writer opened on a view refuses when the ledger changed since the view was read", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 2)).close();
  const view = await viewLedger(dir);
  await (await buildLedger(dir, 1)).close();
  await assert.rejects(LedgerWriter.open(dir, { create: false, view }), {
    code: "E_LEDGER_CHANGED",
  });
  const fresh = await viewLedger(dir);
  const writer = await LedgerWriter.open(dir, { create: false, view: fresh });
  assert.equal(writer.state.height, 2);
  await writer.close();
});
