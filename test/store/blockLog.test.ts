/**
 * Blocks read from the log by height: what a scan found and what was appended since, read back
 * byte for byte, past the blocks kept in memory.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { blockPayload } from "../../src/ledger/block.js";
import { sealRegistryBlock } from "../../src/ledger/communityUpdates.js";
import { participantIdOf } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { BlockLog } from "../../src/store/blockLog.js";
import { LedgerWriter, scanLedger } from "../../src/store/ledgerStore.js";
import { fixedIdentity, OPERATOR } from "../support/ledgerFixtures.js";

/** Appends `n` registry blocks of one registration each; returns their payloads. */
function appendRegistrations(writer: LedgerWriter, from: number, n: number): string[] {
  const payloads: string[] = [];
  for (let i = from; i < from + n; i++) {
    const member = fixedIdentity(`member-${i}`);
    const action = { action: "participant.add", public_key: member.publicKey, name: `m${i}` };
    const document = signDocument("admin", action, OPERATOR, `${i}`.padStart(32, "0"), 0);
    const effect = {
      participant: participantIdOf(member.publicKey),
      public_key: member.publicKey,
      status: "active" as const,
    };
    const sealed = sealRegistryBlock(
      writer.state,
      OPERATOR.publicKey,
      [{ document, effect }],
      OPERATOR,
    );
    writer.append(sealed);
    payloads.push(blockPayload(sealed.block));
  }
  return payloads;
}

test("block log: scanned and appended blocks read back by height, beyond the recent ones", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-blocklog-"));
  try {
    const writer = await LedgerWriter.open(dir, { create: true });
    const empty = new BlockLog(dir, (await scanLedger(dir)).acknowledged);
    assert.equal(empty.length, 0);
    const first = appendRegistrations(writer, 0, 40);
    await writer.flush();
    // One log read at 40 blocks, one growing from empty: both must agree with the file.
    const scanned = new BlockLog(dir, (await scanLedger(dir)).acknowledged);
    for (const p of first) empty.appended(p);
    const second = appendRegistrations(writer, 40, 90);
    await writer.flush();
    for (const p of second) {
      scanned.appended(p);
      empty.appended(p);
    }
    const all = [...first, ...second];
    const onDisk = (await scanLedger(dir)).acknowledged.map((r) => r.payload);
    assert.deepEqual(onDisk, all);
    for (const log of [scanned, empty]) {
      assert.equal(log.length, 130);
      // In order and then backwards, so most reads miss the blocks kept in memory.
      for (let h = 0; h < 130; h++) assert.equal(log.at(h), all[h], `block ${h}`);
      for (let h = 129; h >= 0; h--) assert.equal(log.at(h), all[h], `block ${h}`);
      assert.equal(log.at(130), undefined);
      assert.equal(log.at(-1), undefined);
      assert.equal(log.at(1.5), undefined);
      log.close();
    }
    await writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
