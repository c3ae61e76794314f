import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { VerificationError } from "../../src/core/errors.js";
import { verifyLedgerDir, verifyScan } from "../../src/store/ledgerRead.js";
import {
  HEAD_FILE,
  LedgerWriter,
  LOG_FILE,
  parseLedgerFiles,
} from "../../src/store/ledgerStore.js";
import { buildLedger, OPERATOR } from "../support/ledgerFixtures.js";

const tmp = () => mkdtempSync(join(tmpdir(), "gridshare-ledger-"));

test("default: a written ledger verifies, and the same inputs give byte-identical files", async () => {
  const a = tmp();
  const b = tmp();
  await (await buildLedger(a, 5)).close();
  await (await buildLedger(b, 3, { flushEach: true })).close();
  const w = await LedgerWriter.open(b, { create: false });
  await w.close();
  await (await buildLedger(b, 2)).close();
  assert.deepEqual(readFileSync(join(a, LOG_FILE)), readFileSync(join(b, LOG_FILE)));
  assert.deepEqual(readFileSync(join(a, HEAD_FILE)), readFileSync(join(b, HEAD_FILE)));
  const report = await verifyLedgerDir(a, { operator: OPERATOR.publicKey });
  assert.equal(report.blocks, 5);
  assert.ok(report.trades >= 5);
  assert.equal(report.signatures, 5 + 5 * 4, "one head and four orders per block");
  assert.deepEqual(report.notes, []);
});

test("behavior: a change to any committed byte is detected, naming where (every byte, in-process)", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 2)).close();
  const log = readFileSync(join(dir, LOG_FILE));
  const head = readFileSync(join(dir, HEAD_FILE));
  await verifyScan(parseLedgerFiles(dir, log, head.toString("utf8")), {});
  for (const [file, original] of [
    [LOG_FILE, log],
    [HEAD_FILE, head],
  ] as const) {
    const missed: number[] = [];
    for (let i = 0; i < original.length; i++) {
      // Every byte, each with a different bit (and all bits of every 7th byte).
      const damaged = Buffer.from(original);
      damaged[i] = (damaged[i] as number) ^ (i % 7 === 0 ? 0xff : 1 << (i % 8));
      const [l, h] = file === LOG_FILE ? [damaged, head] : [log, damaged];
      try {
        await verifyScan(parseLedgerFiles(dir, l, h.toString("utf8")), {});
        missed.push(i);
      } catch (error) {
        assert.ok(error instanceof VerificationError, `byte ${i} of ${file}: ${String(error)}`);
        assert.match(
          error.message,
          /block \d+|HEAD|header/,
          `byte ${i} of ${file} names the place: ${error.message}`,
        );
      }
    }
    assert.deepEqual(missed, [], `${file}: undetected changes at bytes ${missed.join(", ")}`);
  }
});

test("error: blocks signed by another operator key fail against the pinned key", async () => {
  const dir = tmp();
  await (await buildLedger(dir, 1)).close();
  await assert.rejects(
    verifyLedgerDir(dir, { operator: "11".repeat(32) }),
    /block 0: signed by operator key/,
  );
});
