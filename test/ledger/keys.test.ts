/**
 * Format 2's key documents: a member rotates its key (signed by its current key, with the new
 * key's proof), the operator re-binds a member's key, the participant id stays, and every order
 * verifies only under the key bound to its participant for its interval.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { VerificationError } from "../../src/core/errors.js";
import type { Identity } from "../../src/ledger/keys.js";
import { Registry } from "../../src/ledger/registry.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import {
  ADMIN,
  appendKeys,
  cancelOf,
  clear2,
  NEW_KEYS,
  rebinding,
  received,
  register2,
  registrations,
  rotation,
} from "../support/ledger2Fixtures.js";
import {
  fixedIdentity,
  HOMES,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
  T0,
} from "../support/ledgerFixtures.js";

const [A, B, C, D] = HOMES as [Identity, Identity, Identity, Identity];
const [A2, B2] = NEW_KEYS;
const ROGUE = fixedIdentity("rogue member");
const START_2 = T0 + 2 * 15 * 60_000;

async function refusal(payloads: readonly string[], expect: string) {
  await assert.rejects(verifyBlocks(payloads), (e: unknown) => {
    assert.ok(e instanceof VerificationError, String(e));
    assert.ok(e.message.includes(expect), `expected "${expect}" in: ${e.message}`);
    return true;
  });
}

/** The homes registered and interval 0 cleared; `then` appends the rest. */
function ledgerWith(then: (port: MemoryLedger, registry: Registry) => void): string[] {
  const port = new MemoryLedger();
  const registry = new Registry();
  register2(port, registrations(), registry);
  clear2(port, 0, received(signedOrdersFor(0), 1), [], registry);
  then(port, registry);
  return port.payloads;
}

test("keys: a rotation and a re-binding keep the participant's id; orders verify under the key of their interval", async () => {
  const port = new MemoryLedger();
  appendKeys(port);
  const report = await verifyBlocks(port.payloads, {
    operator: OPERATOR.publicKey,
    admin: ADMIN.publicKey,
  });
  assert.equal(report.blocks, 6);
  assert.equal(report.registryBlocks, 3);
  assert.equal(report.orders, 12);
  // Interval 2's orders name home-a and home-b, signed by their new keys.
  const block4 = port.payloads[5] as string;
  assert.ok(block4.includes(`"participant":"${A.participant}"`));
  assert.ok(block4.includes(`"public_key":"${A2.publicKey}"`));
  assert.ok(block4.includes(`"public_key":"${B2.publicKey}"`));
  assert.ok(!block4.includes(`"public_key":"${A.publicKey}"`));
});

test("keys: the registry binds each key from its instant on, and the current key is the last bound", () => {
  const registry = new Registry();
  for (const item of registrations()) registry.apply(item.effect);
  registry.apply(rotation(A, A2, 2).effect);
  assert.equal(registry.keyFor(A.participant, START_2 - 1), A.publicKey);
  assert.equal(registry.keyFor(A.participant, START_2), A2.publicKey);
  assert.equal(registry.currentKey(A.participant), A2.publicKey);
  assert.equal(registry.ownerOf(A2.publicKey), A.participant);
  // A later binding from an earlier instant overrides the pending one from then on.
  registry.apply(rebinding(A, ROGUE, 1).effect);
  assert.equal(registry.keyFor(A.participant, START_2), ROGUE.publicKey);
  assert.equal(registry.keyFor(A.participant, T0), A.publicKey);
  // A key once bound is never bound again, to anyone.
  const again = registry.effectOf(rebinding(B, A2, 3).document.document as never);
  assert.ok("problem" in again && again.problem.includes("already bound"));
  const add = registry.effectOf({ action: "participant.add", public_key: A.publicKey, name: "x" });
  assert.ok("problem" in add);
});

test("keys: an order signed by a rotated-out key for an interval after the rotation does not verify", async () => {
  const payloads = ledgerWith((port, registry) => {
    register2(port, [rotation(A, A2, 2)], registry);
    // Interval 2 cleared offline without the registry's binding: home-a's old key signs.
    clear2(port, 2, received(signedOrdersFor(2), 5));
  });
  await refusal(
    payloads,
    `block 3: order "i2-o0": signed by key ${A.publicKey.slice(0, 16)}..., not the key bound to participant ${A.participant} for the interval starting 2026-06-01T12:30:00Z (${A2.publicKey.slice(0, 16)}...)`,
  );
});

test("keys: a new key's order for an interval before its binding does not verify", async () => {
  const payloads = ledgerWith((port, registry) => {
    register2(port, [rotation(A, A2, 2)], registry);
    // A dishonest operator clears as if the new key were home-a's from interval 1 already.
    const lying = new Registry();
    for (const item of [...registrations(), rotation(A, A2, 1)]) lying.apply(item.effect);
    clear2(port, 1, received(signedOrdersFor(1, HOMES, [A2, B, C, D]), 5), [], lying);
  });
  await refusal(payloads, `block 3: order "i1-o0": signed by key ${A2.publicKey.slice(0, 16)}...`);
});

test("keys: a rotation must be signed by the participant's current key, with the new key's proof", async () => {
  await refusal(
    ledgerWith((port) => register2(port, [rotation(A, A2, 2, { by: B })])),
    `block 2: entry 0 (key.rotate): not signed by participant ${A.participant}'s current key`,
  );
  await refusal(
    ledgerWith((port) => register2(port, [rotation(A, A2, 2, { prover: ROGUE })])),
    "block 2: the new key's proof of possession on registry entry 0 does not verify",
  );
  // After a rotation, the old key can no longer rotate again.
  await refusal(
    ledgerWith((port) => register2(port, [rotation(A, A2, 2), rotation(A, ROGUE, 3)])),
    "block 2: entry 1 (key.rotate): not signed by participant",
  );
});

test("keys: a re-binding must be signed by the admin key", async () => {
  await refusal(
    ledgerWith((port) => register2(port, [rebinding(B, B2, 2, ROGUE)])),
    "block 2: entry 0: the document is not signed by the admin key",
  );
});

test("keys: a binding never reaches back into an interval already cleared", async () => {
  await refusal(
    ledgerWith((port) => register2(port, [rebinding(B, B2, 0)])),
    "block 2: entry 0 (participant.rebind): binds a key from 2026-06-01T12:00:00Z, before the end of the last cleared interval (2026-06-01T12:15:00Z)",
  );
});

test("keys: a suspended member cannot rotate; the operator can still re-bind it", () => {
  const registry = new Registry();
  for (const item of registrations()) registry.apply(item.effect);
  registry.apply({ participant: A.participant, public_key: A.publicKey, status: "suspended" });
  const rotate = rotation(A, A2, 2);
  const refused = registry.effectOf(rotate.document.document as never, A.publicKey);
  assert.ok("problem" in refused && refused.problem.includes("is suspended"));
  const rebound = registry.effectOf(rebinding(A, A2, 2).document.document as never);
  assert.deepEqual(rebound, {
    participant: A.participant,
    public_key: A2.publicKey,
    status: "suspended",
    valid_from: "2026-06-01T12:30:00Z",
  });
});

test("keys: a cancel must be signed by the key bound for its interval", async () => {
  const payloads = ledgerWith((port, registry) => {
    register2(port, [rotation(A, A2, 2)], registry);
    // home-a's old key cancels an order of interval 2, where its new key is bound.
    clear2(
      port,
      2,
      received(signedOrdersFor(2, HOMES, [A2, B, C, D]), 5),
      [cancelOf(A, "i2-x", 2)],
      registry,
    );
  });
  await refusal(payloads, `block 3: cancel of order "i2-x": not signed by the order's owner`);
});
