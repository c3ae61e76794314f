import assert from "node:assert/strict";
import { test } from "node:test";
import { VerificationError } from "../../src/core/errors.js";
import {
  type AnyHead,
  blockPayload,
  clearBlockMarket,
  type OrderItem,
  sealHead,
} from "../../src/ledger/block.js";
import { signedOrderEntry } from "../../src/ledger/entries.js";
import type { SignedOrder } from "../../src/ledger/envelope.js";
import type { Identity } from "../../src/ledger/keys.js";
import { replayChain, splitPayload } from "../../src/ledger/replay.js";
import { type VerifyOptions, verifyBlocks } from "../../src/ledger/verify.js";
import {
  ADMIN,
  adminDocument,
  appendFormat2,
  CANCEL_0,
  cancelOf,
  clear2,
  MECHANISM2,
  RECEIVED_0,
  RECEIVED_1,
  received,
  register2,
  registrations,
  suspension,
} from "../support/ledger2Fixtures.js";
import {
  fixedIdentity,
  HOMES,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
  T0,
} from "../support/ledgerFixtures.js";

const ROGUE = fixedIdentity("rogue member");
const home = (i: number) => HOMES[i] as Identity;

function valid(): string[] {
  const port = new MemoryLedger();
  appendFormat2(port);
  return port.payloads;
}

async function refusal(payloads: string[], expect: string, options: VerifyOptions = {}) {
  await assert.rejects(verifyBlocks(payloads, options), (e: unknown) => {
    assert.ok(e instanceof VerificationError, String(e));
    assert.ok(e.message.includes(expect), `expected "${expect}" in: ${e.message}`);
    return true;
  });
}

/**
 * A dishonest operator: block `height` with its entries edited, re-hashed and re-signed after
 * the blocks before it (the blocks after it are dropped).
 */
function reseal(payloads: string[], height: number, edit: (entries: string[]) => string[]) {
  const before = payloads.slice(0, height);
  const { state } = replayChain(before);
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
  const sealed = sealHead(state, fields, edit(parts.entries), OPERATOR, 0, 0);
  return [...before, blockPayload(sealed.block)];
}

test("format 2: registry and clearing blocks chain in one tree and verify", async () => {
  const payloads = valid();
  const report = await verifyBlocks(payloads, {
    operator: OPERATOR.publicKey,
    admin: ADMIN.publicKey,
  });
  assert.equal(report.blocks, 4);
  assert.equal(report.registryBlocks, 2);
  assert.equal(report.orders, 7);
  assert.equal(report.admin, ADMIN.publicKey);
  const heads = payloads.map((p) => JSON.parse(splitPayload(p)?.head ?? "") as AnyHead);
  assert.deepEqual(
    heads.map((h) => [h.format, h.kind]),
    [
      ["gridshare-ledger/2", "registry"],
      ["gridshare-ledger/2", "clearing"],
      ["gridshare-ledger/2", "registry"],
      ["gridshare-ledger/2", "clearing"],
    ],
  );
  // The tree runs on across kinds: each block's first leaf is the previous block's tree size.
  for (let i = 1; i < heads.length; i++)
    assert.equal(heads[i]?.first_leaf, heads[i - 1]?.tree_size);
  // Order entries carry their receive stamp; the cancel follows the orders.
  const block1 = splitPayload(payloads[1] as string)?.entries ?? [];
  assert.deepEqual(
    block1.slice(0, 5).map((e) => {
      const x = JSON.parse(e) as { type: string; received_seq?: number };
      return [x.type, x.received_seq];
    }),
    [
      ["order", 1],
      ["order", 2],
      ["order", 3],
      ["order", 4],
      ["cancel", undefined],
    ],
  );
  const replay = replayChain(payloads);
  assert.equal(replay.accepted, 4);
  assert.equal(replay.state.lastIntervalEndMs, T0 + 30 * 60_000);
  const cancel = CANCEL_0();
  assert.ok(replay.nonces.has(`${cancel.public_key}:${cancel.nonce}`));
});

test("format 2: the admin key pinned must be the registry blocks' key", async () => {
  await refusal(valid(), "block 0: names admin key", { admin: ROGUE.publicKey });
});

test("format 2: the market re-runs in receive order, never by the orders' timestamps", async () => {
  // The fixture's receive order gives other trades than timestamp order would: the test bites.
  const interval = { startMs: T0, minutes: 15 };
  const rules = JSON.parse(splitPayload(valid()[1] as string)?.head ?? "").market;
  const byReceipt = clearBlockMarket(interval, rules, RECEIVED_0(), "given");
  const byTimestamp = clearBlockMarket(interval, rules, RECEIVED_0(), "timestamp");
  assert.ok("result" in byReceipt && "result" in byTimestamp);
  assert.notDeepEqual(byReceipt.result.trades, byTimestamp.result.trades);
  // Orders listed out of their receive order.
  const swapped = reseal(valid(), 1, (e) => [e[1], e[0], ...e.slice(2)] as string[]);
  await refusal(swapped, 'block 1: order "i0-o2": received_seq 1 does not follow 2');
  // Receive stamps rewritten to the timestamps' order, trades left as recorded.
  const restamped = reseal(valid(), 1, (entries) => {
    const byTime = entries
      .slice(0, 4)
      .map((e) => (JSON.parse(e) as { envelope: SignedOrder }).envelope)
      .sort((x, y) => (x.order.timestamp < y.order.timestamp ? -1 : 1));
    return [...byTime.map((env, i) => signedOrderEntry(1, env, i + 1)), ...entries.slice(4)];
  });
  await refusal(
    restamped,
    "block 1: re-running cda on the block's 4 orders does not give the recorded",
  );
});

test("format 2: only registered, active participants' orders clear", async () => {
  const unregistered = new MemoryLedger();
  register2(unregistered, registrations());
  const rogueOrders = signedOrdersFor(0, [ROGUE, home(1), home(2), home(3)]);
  clear2(unregistered, 0, received(rogueOrders, 1));
  await refusal(
    unregistered.payloads,
    `block 1: order "i0-o0": participant ${ROGUE.participant} is not registered`,
  );

  const before = new MemoryLedger();
  clear2(before, 0, received(signedOrdersFor(0), 1));
  await refusal(before.payloads, 'block 0: order "i0-o0": participant');

  const suspended = new MemoryLedger();
  register2(suspended, registrations());
  register2(suspended, [suspension(home(3))]);
  clear2(suspended, 1, received(signedOrdersFor(1), 1));
  await refusal(
    suspended.payloads,
    `block 2: order "i1-o3": participant ${home(3).participant} is suspended`,
  );
});

test("format 2: registry documents are the admin's, with their own effect", async () => {
  const forged = new MemoryLedger();
  const [first, ...rest] = registrations();
  assert.ok(first);
  const byRogue = { ...first, document: adminDocument(first.document.document, "forged", ROGUE) };
  register2(forged, [byRogue, ...rest]);
  await refusal(forged.payloads, "block 0: entry 0: the document is not signed by the admin key");

  const changed = reseal(valid(), 0, (e) => [
    e[0]?.replace('"name":"', '"name":"X') as string,
    ...e.slice(1),
  ]);
  await refusal(changed, "block 0: admin signature on registry entry 0 does not verify");

  const effect = reseal(valid(), 2, (e) => [
    e[0]?.replace('"status":"suspended"', '"status":"active"') as string,
  ]);
  await refusal(effect, "block 2: entry 0: the recorded effect is not the document's");

  const twice = new MemoryLedger();
  register2(twice, registrations());
  register2(
    twice,
    registrations()
      .slice(0, 1)
      .map((r) => ({ ...r, document: adminDocument(r.document.document, "again") })),
  );
  await refusal(twice.payloads, "block 1: entry 0 (participant.add): participant");

  const unknown = new MemoryLedger();
  register2(unknown, [suspension(home(0))]);
  await refusal(unknown.payloads, "is not registered");
});

test("format 2: a cancel is signed by the order's owner, for an order not cleared", async () => {
  const make = (cancel: ReturnType<typeof cancelOf>) => {
    const port = new MemoryLedger();
    register2(port, registrations());
    clear2(port, 0, RECEIVED_0(), [cancel]);
    return port.payloads;
  };
  await verifyBlocks(make(CANCEL_0()));
  await refusal(
    make(cancelOf(home(0), "i0-x", 0, home(1))),
    `block 1: cancel of order "i0-x": not signed by the order's owner`,
  );
  await refusal(
    make(cancelOf(home(0), "i0-o0", 0)),
    "the cancelled order is in the block's orders",
  );
  await refusal(make(cancelOf(home(0), "i0-x", 1)), "is for 2026-06-01T12:15:00Z");
  const tampered = reseal(valid(), 1, (e) =>
    e.map((x) => x.replace("i0-withdrawn", "i0-withdrawX")),
  );
  await refusal(
    tampered,
    'block 1: participant signature on the cancel of order "i0-withdrawX" does not verify',
  );
});

test("format 2: a format-1 block may not follow a format-2 block", async () => {
  const port = new MemoryLedger();
  register2(port, registrations());
  const { clearInterval } = await import("../../src/ledger/clearInterval.js");
  clearInterval({
    interval: { startMs: T0, minutes: 15 },
    tariff: { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 },
    mechanism: MECHANISM2,
    items: signedOrdersFor(0) as OrderItem[],
    ledger: { store: port, operator: OPERATOR },
  });
  await refusal(
    port.payloads,
    "block 1: a gridshare-ledger/1 block after a gridshare-ledger/2 block",
  );
});

test("format 2: clearing needs each order's receive stamp, in receive order", () => {
  const port = new MemoryLedger();
  assert.throws(() => clear2(port, 0, signedOrdersFor(0)), /receive order/);
  assert.throws(() => clear2(port, 0, [...RECEIVED_1()].reverse()), /receive order/);
});
