/**
 * Members' own reads and cancels against a real server on 127.0.0.1, and who may do what: every
 * endpoint that touches private data or changes state is called as the owner, another member,
 * the operator and nobody, and each answer is asserted (OWASP API1: broken object-level
 * authorisation).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { buildApp } from "../../src/server/app.js";
import { openPlatform, type Platform } from "../../src/service/platform.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";

const MIN = 60_000;
const ADMIN = fixedIdentity("members admin");
const [A, B, C] = HOMES as [Identity, Identity, Identity];
const idOf = (who: Identity) => participantIdOf(who.publicKey);
const dir = mkdtempSync(join(tmpdir(), "gridshare-members-"));
let platform: Platform;
let base: string;
let stop: () => Promise<void>;
let counter = 0;
const nonce = () => createHash("sha256").update(`members ${counter++}`).digest("hex").slice(0, 32);

interface Reply {
  readonly status: number;
  readonly code: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
  readonly json: any;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const init: RequestInit = { method, headers, signal: AbortSignal.timeout(20_000) };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  const r = await fetch(`${base}${path}`, init);
  const text = await r.text();
  const json = text === "" ? null : JSON.parse(text);
  return { status: r.status, code: json?.code, json };
}

const admin = (document: Record<string, unknown>, key: Identity = ADMIN) =>
  signDocument("admin", document, key, nonce(), Date.now() + 10 * MIN);

const cancel = (who: Identity, orderId: string, participant = idOf(who)) =>
  signDocument(
    "cancel",
    { action: "order.cancel", participant, order_id: orderId, interval_start: formatInstant(T0) },
    who,
    nonce(),
    Date.now() + 10 * MIN,
  );

function order(who: Identity, id: string, side: "buy" | "sell") {
  return signOrder(
    {
      id,
      participant: idOf(who),
      side,
      energy_kwh: 1,
      price_per_kwh: side === "buy" ? 0.3 : 0.1,
      timestamp: formatInstant(T0 - 30 * MIN),
      interval_start: formatInstant(T0),
    },
    who,
    nonce(),
    T0 + 60 * MIN,
  );
}

/** A session token for `who`, by signing a fresh challenge. */
async function session(who: Identity): Promise<Reply> {
  const { json } = await call("POST", "/v1/session/challenge");
  return call("POST", "/v1/session", {
    body: signDocument(
      "session",
      { action: "session.open", challenge: json.challenge },
      who,
      nonce(),
      Date.now() + MIN,
    ),
  });
}

before(async () => {
  const doc = communityTemplate(
    { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: OPERATOR.publicKey, id: "members" },
    "test",
  );
  platform = await openPlatform({
    config: await communityConfig(doc, "test"),
    dataDir: dir,
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
  });
  const app = await buildApp(platform);
  base = await app.listen({ host: "127.0.0.1", port: 0 });
  stop = async () => {
    await app.close();
    await platform.close();
  };
  for (const [i, who] of [A, B, C].entries())
    assert.equal(
      (
        await call("POST", "/v1/participants", {
          body: admin({ action: "participant.add", public_key: who.publicKey, name: `home ${i}` }),
        })
      ).status,
      201,
    );
  for (const [who, id, side] of [
    [A, "a-1", "sell"],
    [A, "a-2", "sell"],
    [B, "b-1", "buy"],
    [C, "c-1", "buy"],
  ] as const)
    assert.equal((await call("POST", "/v1/orders", { body: order(who, id, side) })).status, 201);
});

after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

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
  const [c1] = await platform.community.store.ordersOf(idOf(C), { limit: 5 });
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
