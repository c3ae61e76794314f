/**
 * The audit log against a real server on 127.0.0.1: every accepted operator document is one
 * entry (time, action, target, signer, the document's hash), replays and refusals are none, and
 * only an operator session reads it: a member's session is 403, no session or a forged one 401
 * (BOLA); an operator session reads no member's orders.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { canonicalize } from "../../src/core/canonicalJson.js";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { HOMES, T0 } from "../support/ledgerFixtures.js";
import {
  ADMIN,
  admin,
  idOf,
  isProblem,
  type LiveServer,
  sessionOf,
  startLive,
} from "../support/liveServer.js";

const [A, B] = HOMES as [Identity, Identity];
let live: LiveServer;
const hashOf = (doc: unknown) => createHash("sha256").update(canonicalize(doc)).digest("hex");
const posted: { action: string; target: string; hash: string }[] = [];

async function operatorAction(path: string, document: Record<string, unknown>, target: string) {
  const doc = admin(document);
  const r = await live.call("POST", path, { body: doc });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  // The same bytes again: the same answer, and no second entry.
  assert.equal((await live.call("POST", path, { body: doc })).status, 200);
  posted.push({ action: document.action as string, target, hash: hashOf(doc) });
}

before(async () => {
  live = await startLive("audit");
  await operatorAction(
    "/v1/participants",
    { action: "participant.add", public_key: A.publicKey, name: "a", meter_id: "m-a" },
    idOf(A),
  );
  await operatorAction(
    "/v1/participants",
    { action: "participant.add", public_key: B.publicKey, name: "b" },
    idOf(B),
  );
  await operatorAction(
    "/v1/participants",
    { action: "participant.suspend", participant: idOf(B) },
    idOf(B),
  );
  await operatorAction(
    "/v1/participants",
    { action: "participant.reinstate", participant: idOf(B) },
    idOf(B),
  );
  await operatorAction(
    "/v1/clock/advance",
    { action: "clock.advance", to: formatInstant(T0 - 30 * 60_000) },
    formatInstant(T0 - 30 * 60_000),
  );
  // Refused documents leave no entry: another key's, and a second registration of A.
  isProblem(
    await live.call("POST", "/v1/participants", {
      body: admin({ action: "participant.add", public_key: B.publicKey, name: "x" }, A),
    }),
    403,
    "E_FORBIDDEN",
  );
  isProblem(
    await live.call("POST", "/v1/participants", {
      body: admin({ action: "participant.add", public_key: A.publicKey, name: "again" }),
    }),
    409,
    "E_CONFLICT",
  );
});
after(() => live.close());

test("audit: each accepted operator document once, with its time, action, target, signer and hash", async () => {
  const session = await sessionOf(live, ADMIN);
  assert.equal(session.status, 201, session.text);
  assert.equal(session.json.participant, "operator");
  const r = await live.call("GET", "/v1/audit", { token: session.json.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    r.json.entries.map((e: Record<string, string>) => ({
      action: e.action,
      target: e.target,
      hash: e.document_hash,
    })),
    posted,
  );
  for (const e of r.json.entries) {
    assert.equal(e.actor, ADMIN.publicKey);
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 10 * 60_000, e.at);
  }
  assert.equal(r.json.next, null);
  // Paged by cursor.
  const page = await live.call("GET", "/v1/audit?limit=2", { token: session.json.token });
  assert.equal(page.json.entries.length, 2);
  const rest = await live.call("GET", `/v1/audit?after=${page.json.next}`, {
    token: session.json.token,
  });
  assert.deepEqual(
    [...page.json.entries, ...rest.json.entries].map((e: { seq: number }) => e.seq),
    r.json.entries.map((e: { seq: number }) => e.seq),
  );
});

test("audit: a member, nobody and a forged token may not read it; the operator reads no member's orders", async () => {
  const member = await sessionOf(live, A);
  assert.equal(member.status, 201);
  isProblem(await live.call("GET", "/v1/audit", { token: member.json.token }), 403, "E_FORBIDDEN");
  isProblem(await live.call("GET", "/v1/audit"), 401, "E_SIGNATURE_INVALID");
  const [h, , s] = (member.json.token as string).split(".");
  const claims = Buffer.from(JSON.stringify({ sub: "operator", role: "operator" })).toString(
    "base64url",
  );
  isProblem(
    await live.call("GET", "/v1/audit", { token: `${h}.${claims}.${s}` }),
    401,
    "E_SIGNATURE_INVALID",
  );
  const operator = await sessionOf(live, ADMIN);
  isProblem(
    await live.call("GET", "/v1/orders", { token: operator.json.token }),
    403,
    "E_FORBIDDEN",
  );
  assert.equal((await live.call("GET", "/v1/orders", { token: member.json.token })).status, 200);
});

test("audit: written in the transaction of the document, in the database's audit_log", async () => {
  const rows = await live.platform.db.query<{ community_id: string; action: string }>(
    "select community_id, action from audit_log order by seq",
  );
  assert.deepEqual(
    rows.map((r) => r.action),
    posted.map((p) => p.action),
  );
  assert.ok(rows.every((r) => r.community_id === "audit"));
});
