/**
 * Handing block signing over to a new operator key: a format-2 head names `next_operator` (and
 * carries that key's own signature), the head is signed by the old key and every later head by
 * the new one; the verifier follows the chain of keys from the first block's (or a pinned) key.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { VerificationError } from "../../src/core/errors.js";
import { type AnyHead, blockPayload, sealHead } from "../../src/ledger/block.js";
import { clearInterval } from "../../src/ledger/clearInterval.js";
import { replayChain, splitPayload } from "../../src/ledger/replay.js";
import { type VerifyOptions, verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import {
  ADMIN,
  appendKeys,
  clear2,
  GRID2,
  handover2,
  OPERATOR_2,
  received,
  register2,
  registrations,
} from "../support/ledger2Fixtures.js";
import {
  fixedIdentity,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
  T0,
} from "../support/ledgerFixtures.js";

const ROGUE = fixedIdentity("rogue operator");
const short = (key: string) => `${key.slice(0, 16)}...`;

async function refusal(payloads: readonly string[], expect: string, options: VerifyOptions = {}) {
  await assert.rejects(verifyBlocks(payloads, options), (e: unknown) => {
    assert.ok(e instanceof VerificationError, String(e));
    assert.ok(e.message.includes(expect), `expected "${expect}" in: ${e.message}`);
    return true;
  });
}

/** Registered, interval 0 cleared, handed over to OPERATOR_2 (block 2). */
function handedOver(): MemoryLedger {
  const port = new MemoryLedger();
  register2(port, registrations());
  clear2(port, 0, received(signedOrdersFor(0), 1));
  handover2(port);
  return port;
}

/** Block `height` of `payloads` re-sealed by `signer` after the blocks before it, as is otherwise. */
function resignedBy(payloads: readonly string[], height: number, signer = ROGUE): string[] {
  const before = payloads.slice(0, height);
  const parts = splitPayload(payloads[height] as string);
  assert.ok(parts);
  const head = JSON.parse(parts.head) as AnyHead & Record<string, unknown>;
  const {
    first_leaf: _f,
    tree_size: _t,
    root: _r,
    prev_head_hash: _p,
    operator: _o,
    signature: _s,
    height: _h,
    ...fields
  } = head;
  const { state } = replayChain(before);
  return [...before, blockPayload(sealHead(state, fields, parts.entries, signer, 0, 0).block)];
}

test("handover: the chain verifies across a handover, pinned to the first key or to the new one", async () => {
  const port = new MemoryLedger();
  appendKeys(port);
  const heads = port.payloads.map((p) => JSON.parse(splitPayload(p)?.head ?? "") as AnyHead);
  assert.deepEqual(
    heads.map((h) => h.operator),
    [OPERATOR, OPERATOR, OPERATOR, OPERATOR, OPERATOR_2, OPERATOR_2].map((k) => k.publicKey),
  );
  assert.equal(heads[3]?.next_operator, OPERATOR_2.publicKey);
  assert.equal(heads[3]?.tree_size, heads[2]?.tree_size, "the handover block has no entries");
  for (const pinned of [undefined, OPERATOR.publicKey, OPERATOR_2.publicKey]) {
    const report = await verifyBlocks(port.payloads, {
      ...(pinned === undefined ? {} : { operator: pinned }),
      admin: ADMIN.publicKey,
    });
    assert.equal(report.blocks, 6);
    assert.equal(report.operator, OPERATOR.publicKey);
    assert.deepEqual(report.operators, [OPERATOR.publicKey, OPERATOR_2.publicKey]);
  }
  // The chain state follows the handover: the next block is the new key's to sign.
  assert.equal(replayChain(port.payloads).state.operator, OPERATOR_2.publicKey);
  assert.equal(port.state.operator, OPERATOR_2.publicKey);
});

test("handover: the new key pinned vouches for a ledger that ends with the handover", async () => {
  const port = handedOver();
  const report = await verifyBlocks(port.payloads, { operator: OPERATOR_2.publicKey });
  assert.equal(report.blocks, 3);
});

test("handover: a head signed by a key the chain never handed over to does not verify", async () => {
  const port = handedOver();
  clear2(port, 1, received(signedOrdersFor(1), 5));
  // The old key signs on after handing over.
  await refusal(
    resignedBy(port.payloads, 3, OPERATOR),
    `block 3: signed by operator key ${short(OPERATOR.publicKey)}, not the expected ${short(OPERATOR_2.publicKey)} (the key the chain last handed over to)`,
  );
  await refusal(
    resignedBy(port.payloads, 3),
    `block 3: signed by operator key ${short(ROGUE.publicKey)}`,
  );
  // Without a handover, a rogue key never signs.
  await refusal(
    resignedBy(port.payloads, 1),
    `block 1: signed by operator key ${short(ROGUE.publicKey)}`,
  );
  // Pinned to a key the chain never reaches.
  await refusal(
    port.payloads,
    `block 0: signed by operator key ${short(OPERATOR.publicKey)}, not the expected ${short(ROGUE.publicKey)} (nor does the chain hand over to it)`,
    { operator: ROGUE.publicKey },
  );
});

test("handover: the new key must sign the handover itself, and may not be the old one", async () => {
  const base = new MemoryLedger();
  register2(base, registrations());
  const fields = { admin: ADMIN.publicKey, format: "gridshare-ledger/2", kind: "registry" };
  // A handover to OPERATOR_2 carrying another key's signature: the next key never agreed.
  const byRogue = sealHead(base.state, fields, [], OPERATOR, 0, 0, ROGUE).block.head;
  const reproof = sealHead(
    base.state,
    {
      ...fields,
      next_operator: OPERATOR_2.publicKey,
      next_operator_signature: byRogue.next_operator_signature,
    },
    [],
    OPERATOR,
    0,
    0,
  );
  await refusal(
    [...base.payloads, blockPayload(reproof.block)],
    "block 1: the next operator key's signature on the handover does not verify",
  );
  const toItself = sealHead(base.state, fields, [], OPERATOR, 0, 0, OPERATOR);
  await refusal(
    [...base.payloads, blockPayload(toItself.block)],
    "block 1: hands over to the key that already signs it",
  );
  const halfDone = sealHead(
    base.state,
    { ...fields, next_operator: OPERATOR_2.publicKey },
    [],
    OPERATOR,
    0,
    0,
  );
  await refusal(
    [...base.payloads, blockPayload(halfDone.block)],
    "block 1: a handover needs both next_operator and next_operator_signature",
  );
  const empty = sealHead(base.state, fields, [], OPERATOR, 0, 0);
  await refusal(
    [...base.payloads, blockPayload(empty.block)],
    "block 1: a registry block with no documents (and no handover)",
  );
});

test("handover: the old key can no longer append once it has handed over", () => {
  const port = handedOver();
  assert.throws(
    () =>
      clearInterval({
        interval: { startMs: T0 + 15 * 60_000, minutes: 15 },
        tariff: GRID2,
        mechanism: MECHANISMS.cda,
        items: received(signedOrdersFor(1), 5),
        requireSignatures: true,
        format2: { cancels: [] },
        ledger: { store: port, operator: OPERATOR },
      }),
    (e: { code?: string }) => e.code === "E_LEDGER_OPERATOR_MISMATCH",
  );
});
