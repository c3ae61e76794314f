/**
 * A participant's keys over HTTP on 127.0.0.1: the member rotates its own key, the operator
 * re-binds a lost one, and who may do which (the owner, another member, the operator, nobody);
 * the keys' public record; the old key's orders and sessions refused from then on; the ledger
 * verifies with both.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { keyRotation } from "../../src/ledger/keyDocuments.js";
import type { Identity } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { fixedIdentity, HOMES, T0 } from "../support/ledgerFixtures.js";
import { ADMIN, idOf, isProblem, LiveServer, MIN, nonce, order } from "../support/liveServer.js";

const [A, B, C] = HOMES as [Identity, Identity, Identity];
const A2 = fixedIdentity("home-a rotated");
const B2 = fixedIdentity("home-b re-bound");
const T1 = T0 + 15 * MIN;
let server: LiveServer;
const call: LiveServer["call"] = (method, path, options) => server.call(method, path, options);
const keysOf = (who: Identity) => `/v1/participants/${idOf(who)}/keys`;

/** `who`'s rotation to `next` from T1, signed by `by`, in `participant`'s name. */
const rotation = (who: Identity, next: Identity, by = who, participant = idOf(who)) =>
  signDocument(
    "key",
    keyRotation(participant, next, formatInstant(T1)),
    by,
    nonce(),
    Date.now() + 5 * MIN,
  );

before(async () => {
  server = await LiveServer.start({ name: "keys", id: "keys" });
  await server.register([A, B, C]);
  for (const [who, id, at] of [
    [A, "a-0", T0],
    [A, "a-1", T1],
    [C, "c-0", T0],
  ] as const) {
    const side = who === C ? "buy" : "sell";
    const r = await call("POST", "/v1/orders", {
      body: order(who, id, side, { intervalStartMs: at }),
    });
    assert.equal(r.status, 201, r.text);
  }
});

after(() => server.close());

test("keys: only the owner rotates its key, with its current key; the id stays", async () => {
  const before = await call("GET", keysOf(A));
  assert.deepEqual(before.json, {
    participant: idOf(A),
    keys: [{ public_key: A.publicKey, valid_from: null, valid_until: null, current: true }],
  });
  // Nobody, another member in the owner's name, another member addressed at the owner, the operator.
  isProblem(await call("POST", keysOf(A), { body: { nothing: true } }), 422, "E_INPUT");
  isProblem(
    await call("POST", keysOf(A), { body: rotation(A, A2, B) }),
    422,
    "E_LEDGER_KEY_MISMATCH",
  );
  isProblem(await call("POST", keysOf(A), { body: rotation(B, A2) }), 422, "E_INPUT");
  isProblem(
    await call("POST", keysOf(A), { body: rotation(A, A2, ADMIN) }),
    403,
    "E_PARTICIPANT_UNKNOWN",
  );
  // The owner; the same bytes again are the same answer.
  const mine = rotation(A, A2);
  const done = await call("POST", keysOf(A), { body: mine });
  assert.equal(done.status, 201, done.text);
  assert.deepEqual(done.json, {
    participant: idOf(A),
    public_key: A2.publicKey,
    valid_from: formatInstant(T1),
    replaces: A.publicKey,
  });
  const again = await call("POST", keysOf(A), { body: mine });
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, done.json);
  // Rotated out, the old key rotates no more.
  isProblem(
    await call("POST", keysOf(A), { body: rotation(A, fixedIdentity("x")) }),
    403,
    "E_KEY_NOT_BOUND",
  );
  const after = await call("GET", keysOf(A));
  assert.deepEqual(after.json.keys, [
    { public_key: A.publicKey, valid_from: null, valid_until: formatInstant(T1), current: false },
    { public_key: A2.publicKey, valid_from: formatInstant(T1), valid_until: null, current: true },
  ]);
  const whose = await call("GET", `/v1/keys/${A2.publicKey}`);
  assert.equal(whose.json.participant, idOf(A));
  assert.equal(whose.json.current, true);
  isProblem(await call("GET", `/v1/keys/${fixedIdentity("nobody").publicKey}`), 404, "E_NOT_FOUND");
  isProblem(await call("GET", "/v1/keys/zz"), 422, "E_INPUT");
  isProblem(await call("GET", "/v1/participants/gs-nobody/keys"), 404, "E_NOT_FOUND");
});

test("keys: the old key's orders from the new key's start and its sessions are refused", async () => {
  isProblem(
    await call("POST", "/v1/orders", { body: order(A, "a-1b", "sell", { intervalStartMs: T1 }) }),
    403,
    "E_KEY_NOT_BOUND",
  );
  // Its order for T0 stays; the one for T1 was cancelled with the rotation.
  assert.equal((await server.sessionReply(A)).code, "E_KEY_NOT_BOUND");
  const token = await server.session(A2);
  const mine = await call("GET", "/v1/orders", { token });
  assert.equal(mine.json.participant, idOf(A));
  assert.deepEqual(
    mine.json.orders.map((o: { order_id: string; status: string }) => [o.order_id, o.status]),
    [
      ["a-1", "cancelled"],
      ["a-0", "open"],
    ],
  );
});

test("keys: only the operator re-binds a member's key", async () => {
  const rebind = {
    action: "participant.rebind",
    participant: idOf(B),
    public_key: B2.publicKey,
    valid_from: formatInstant(T1),
  };
  isProblem(await call("POST", keysOf(B), { body: server.admin(rebind, B) }), 403, "E_FORBIDDEN");
  isProblem(await call("POST", keysOf(C), { body: server.admin(rebind) }), 422, "E_INPUT");
  const done = await call("POST", keysOf(B), { body: server.admin(rebind) });
  assert.equal(done.status, 201, done.text);
  assert.equal(done.json.replaces, B.publicKey);
  // An order must name the participant (B), not the new key's own id.
  const byKeyId = server.order(B2, { id: "b-1", side: "sell", intervalStartMs: T1 });
  isProblem(await call("POST", "/v1/orders", { body: byKeyId }), 422, "E_LEDGER_KEY_MISMATCH");
  const inB = signOrder({ ...byKeyId.order, participant: idOf(B) }, B2, nonce(), T1 + 60 * MIN);
  const taken = await call("POST", "/v1/orders", { body: inB });
  assert.equal(taken.status, 201, taken.text);
  assert.equal(taken.json.participant, idOf(B));
});

test("keys: the ledger records the rotation and the re-binding, and verifies", async () => {
  const advanced = await server.advanceTo(T1);
  assert.equal(advanced.status, 200, advanced.text);
  const { blocks } = server.platform;
  const payloads = Array.from({ length: blocks.length }, (_, h) => blocks.at(h) as string);
  const report = await verifyBlocks(payloads, { admin: ADMIN.publicKey });
  assert.ok(report.registryBlocks >= 5);
  const registry = payloads.filter((b) => b.includes('"kind":"registry"')).join("");
  assert.ok(registry.includes('"action":"key.rotate"'));
  assert.ok(registry.includes('"action":"participant.rebind"'));
  const openapi = await call("GET", "/v1/openapi.json");
  assert.ok(openapi.json.paths["/v1/participants/{id}/keys"].post);
  assert.ok(openapi.json.paths["/v1/keys/{public_key}"].get);
});
