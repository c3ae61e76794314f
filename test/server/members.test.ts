/**
 * Members' own reads and cancels against a real server on 127.0.0.1, and who may do what: every
 * endpoint that touches private data or changes state is called as the owner, another member,
 * the operator and nobody, and each answer is asserted (OWASP API1: broken object-level
 * authorisation).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { fixedIdentity, HOMES, T0 } from "../support/ledgerFixtures.js";
import {
  ADMIN,
  admin,
  cancel as cancelOf,
  idOf,
  LiveServer,
  MIN,
  nonce,
  order,
} from "../support/liveServer.js";

const [A, B, C] = HOMES as [Identity, Identity, Identity];
let server: LiveServer;
const call: LiveServer["call"] = (method, path, options) => server.call(method, path, options);
const session = (who: Identity) => server.sessionReply(who);
const cancel = (who: Identity, orderId: string, participant = idOf(who)) =>
  cancelOf(who, orderId, { participant });

before(async () => {
  server = await LiveServer.start({ name: "members", id: "members" });
  await server.register([A, B, C]);
  for (const [who, id, side] of [
    [A, "a-1", "sell"],
    [A, "a-2", "sell"],
    [B, "b-1", "buy"],
    [C, "c-1", "buy"],
  ] as const)
    assert.equal((await call("POST", "/v1/orders", { body: order(who, id, side) })).status, 201);
});

after(() => server.close());

test("members: a session token shows the caller its own orders and nobody else's", async () => {
  const a = await session(A);
  assert.equal(a.status, 201, JSON.stringify(a.json));
  assert.equal(a.json.participant, idOf(A));
  const mine = await call("GET", "/v1/orders", { token: a.json.token });
  assert.deepEqual(mine.json.orders.map((o: { order_id: string }) => o.order_id).sort(), [
    "a-1",
    "a-2",
  ]);
  const b = await session(B);
  const theirs = await call("GET", "/v1/orders", { token: b.json.token });
  assert.deepEqual(
    theirs.json.orders.map((o: { order_id: string }) => o.order_id),
    ["b-1"],
  );
  // Nobody, a forged token, and the operator (whose session is the operator's, no participant's).
  assert.equal((await call("GET", "/v1/orders")).status, 401);
  assert.equal(
    (await call("GET", "/v1/orders", { token: `${a.json.token}x` })).code,
    "E_SIGNATURE_INVALID",
  );
  const operator = await session(ADMIN);
  assert.equal(operator.json.participant, "operator");
  assert.equal(
    (await call("GET", "/v1/orders", { token: operator.json.token })).code,
    "E_FORBIDDEN",
  );
  // A challenge is taken once.
  const { json } = await call("POST", "/v1/session/challenge");
  const answer = (who: Identity) =>
    signDocument(
      "session",
      { action: "session.open", challenge: json.challenge },
      who,
      nonce(),
      Date.now() + MIN,
    );
  assert.equal((await call("POST", "/v1/session", { body: answer(A) })).status, 201);
  assert.equal(
    (await call("POST", "/v1/session", { body: answer(B) })).code,
    "E_SIGNATURE_INVALID",
  );
});

test("members: only the owner cancels its order; the others get answers that reveal nothing", async () => {
  // Another member naming the owner: not its key's participant.
  assert.equal(
    (await call("DELETE", "/v1/orders/a-1", { body: cancel(B, "a-1", idOf(A)) })).code,
    "E_LEDGER_KEY_MISMATCH",
  );
  // Another member in its own name: it has no such order.
  const other = await call("DELETE", "/v1/orders/a-1", { body: cancel(B, "a-1") });
  assert.equal(other.status, 404);
  assert.equal(other.code, "E_NOT_FOUND");
  // The operator, and nobody.
  assert.equal(
    (await call("DELETE", "/v1/orders/a-1", { body: cancel(ADMIN, "a-1") })).code,
    "E_PARTICIPANT_UNKNOWN",
  );
  assert.equal(
    (await call("DELETE", "/v1/orders/a-1", { body: { nothing: true } })).code,
    "E_INPUT",
  );
  const forged = { ...cancel(A, "a-1"), nonce: "ab".repeat(16) };
  assert.equal(
    (await call("DELETE", "/v1/orders/a-1", { body: forged })).code,
    "E_SIGNATURE_INVALID",
  );
  // A document for another order than the one addressed.
  assert.equal(
    (await call("DELETE", "/v1/orders/a-2", { body: cancel(A, "a-1") })).code,
    "E_INPUT",
  );
  // The owner; the same bytes again are the same answer; the order is cancelled once.
  const mine = cancel(A, "a-1");
  const done = await call("DELETE", "/v1/orders/a-1", { body: mine });
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(done.json.status, "cancelled");
  assert.deepEqual((await call("DELETE", "/v1/orders/a-1", { body: mine })).json, done.json);
  assert.equal(
    (await call("DELETE", "/v1/orders/a-1", { body: cancel(A, "a-1") })).code,
    "E_NOT_FOUND",
  );
});

test("members: operator actions are the operator's alone", async () => {
  const add = {
    action: "participant.add",
    public_key: fixedIdentity("newcomer").publicKey,
    name: "newcomer",
  };
  assert.equal(
    (await call("POST", "/v1/participants", { body: admin(add, A) })).code,
    "E_FORBIDDEN",
  );
  assert.equal(
    (await call("POST", "/v1/participants", { body: { document: add } })).code,
    "E_INPUT",
  );
  assert.equal((await call("POST", "/v1/participants", { body: admin(add) })).status, 201);
  assert.equal(
    (
      await call("POST", "/v1/clock/advance", {
        body: admin({ action: "clock.advance", to: formatInstant(T0 - 50 * MIN) }, B),
      })
    ).code,
    "E_FORBIDDEN",
  );
  assert.equal(
    (
      await call("POST", "/v1/participants", {
        body: admin({ action: "participant.suspend", participant: "gs-nobody" }),
      })
    ).code,
    "E_NOT_FOUND",
  );
});

test("members: suspending a member cancels its open orders at once; a cancelled order is not cleared", async () => {
  const suspended = await call("POST", "/v1/participants", {
    body: admin({ action: "participant.suspend", participant: idOf(C) }),
  });
  assert.equal(suspended.status, 200, JSON.stringify(suspended.json));
  const [c1] = await server.platform.community.store.ordersOf(idOf(C), { limit: 5 });
  assert.equal(c1?.status, "cancelled");
  assert.equal((await session(C)).code, "E_PARTICIPANT_SUSPENDED");
  const moved = await call("POST", "/v1/clock/advance", {
    body: admin({ action: "clock.advance", to: formatInstant(T0) }),
  });
  assert.equal(moved.json.cleared.at(-1).orders, 2); // a-2 and b-1: a-1 and c-1 were cancelled
  assert.equal(
    (await call("DELETE", "/v1/orders/a-2", { body: cancel(A, "a-2") })).code,
    "E_GATE_CLOSED",
  );
});
