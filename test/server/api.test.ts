/**
 * The API against a real server listening on 127.0.0.1 (embedded database, manual clock): the
 * operator registers members, members place signed orders, the clock moves past the gate, and
 * the trades, head, block and an inclusion proof come back, the proof checking against the head.
 * Every refusal is problem+json with its code.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { checkInclusionProof } from "../../src/ledger/proofs.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import { ADMIN, admin, isProblem, LiveServer, MIN, order } from "../support/liveServer.js";
import { together } from "../support/together.js";

let server: LiveServer;
const call = (method: string, path: string, body?: unknown) => server.call(method, path, { body });

before(async () => {
  server = await LiveServer.start({ name: "api", app: { bodyLimit: 64 * 1024 } });
});

after(() => server.close());

test("api: health, readiness, the clock and the community", async () => {
  assert.deepEqual((await call("GET", "/healthz")).json, { status: "ok" });
  assert.deepEqual((await call("GET", "/readyz")).json, { ready: true });
  const clock = await call("GET", "/v1/clock");
  assert.deepEqual(clock.json, {
    now: formatInstant(T0 - 60 * MIN),
    speed: 0,
    started_at: formatInstant(T0 - 60 * MIN),
    seq: 0,
  });
  const community = await call("GET", "/v1/community");
  assert.equal(community.json.id, "fontana");
  assert.equal(community.json.operator.block_signing_public_key, OPERATOR.publicKey);
});

test("api: the operator registers members; the same document again is the same answer; others may not", async () => {
  for (const [i, home] of HOMES.entries()) {
    const add = admin({
      action: "participant.add",
      public_key: home.publicKey,
      name: `Building_${i + 1}`,
      meter_id: `m-${i + 1}`,
    });
    const r = await call("POST", "/v1/participants", add);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.participant.id, participantIdOf(home.publicKey));
    const again = await call("POST", "/v1/participants", add);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, r.json);
  }
  isProblem(
    await call(
      "POST",
      "/v1/participants",
      admin({ action: "participant.add", public_key: HOMES[0]?.publicKey, name: "again" }),
    ),
    409,
    "E_CONFLICT",
  );
  isProblem(
    await call(
      "POST",
      "/v1/participants",
      admin(
        { action: "participant.add", public_key: ADMIN.publicKey, name: "x" },
        HOMES[0] as Identity,
      ),
    ),
    403,
    "E_FORBIDDEN",
  );
  const listed = await call("GET", "/v1/participants");
  assert.equal(listed.json.participants.length, 4);
  assert.equal(listed.json.next_cursor, null);
  // Pages by id: two, then the other two.
  const first = await call("GET", "/v1/participants?limit=2");
  const ids = listed.json.participants.map((p: { id: string }) => p.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.deepEqual(
    first.json.participants.map((p: { id: string }) => p.id),
    ids.slice(0, 2),
  );
  const second = await call("GET", `/v1/participants?after=${first.json.next_cursor}&limit=2`);
  assert.deepEqual(
    second.json.participants.map((p: { id: string }) => p.id),
    ids.slice(2),
  );
  assert.equal(second.json.next_cursor, null);
  // Names are private unless the community makes them public.
  assert.equal(listed.json.participants[0].name, null);
});

test("api: orders are taken, replayed idempotently, and refused with their codes", async () => {
  const [a, b, c, d] = HOMES as [Identity, Identity, Identity, Identity];
  const first = order(a, "o-a", "sell", { kwh: 1.2, price: 0.08 });
  const r = await call("POST", "/v1/orders", first);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.interval_start, formatInstant(T0));
  const again = await call("POST", "/v1/orders", first);
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, r.json);
  for (const o of [
    order(b, "o-b", "sell", { kwh: 0.7, price: 0.12 }),
    order(c, "o-c", "buy", { kwh: 1.0, price: 0.28 }),
    order(d, "o-d", "buy", { kwh: 0.9, price: 0.18 }),
  ])
    assert.equal((await call("POST", "/v1/orders", o)).status, 201);
  const forged = { ...first, order: { ...first.order, energy_kwh: 5 } };
  isProblem(await call("POST", "/v1/orders", forged), 401, "E_SIGNATURE_INVALID");
  const bad = await call("POST", "/v1/orders", { ...first, nonce: "xyz" });
  isProblem(bad, 422, "E_ORDER_INVALID");
  assert.equal(bad.json.field, "nonce");
  isProblem(await call("POST", "/v1/orders", "{not json"), 422, "E_INPUT");
  isProblem(
    await call("POST", "/v1/orders", { ...first, pad: "x".repeat(70 * 1024) }),
    413,
    "E_TOO_LARGE",
  );
  isProblem(await call("GET", "/v1/nothing-here"), 404, "E_NOT_FOUND");
  const open = await call("GET", "/v1/intervals?status=open");
  // At 11:00 the next gate ahead is 11:15's (at 11:10); the last open is 24 h ahead.
  const starts = open.json.intervals.map((i: { start: string }) => i.start);
  assert.equal(starts[0], formatInstant(T0 - 45 * MIN));
  assert.equal(starts.at(-1), formatInstant(T0 - 60 * MIN + 24 * 60 * MIN));
  assert.equal(starts.length, 96);
  const t0 = open.json.intervals.find((i: { start: string }) => i.start === formatInstant(T0));
  assert.equal(t0.gate_closes_at, formatInstant(T0 - 5 * MIN));
});

test("api: past the gate the interval clears; trades, head, block and a proof come back and check", async () => {
  isProblem(
    await call(
      "POST",
      "/v1/clock/advance",
      admin({ action: "clock.advance", to: formatInstant(T0) }, HOMES[1] as Identity),
    ),
    403,
    "E_FORBIDDEN",
  );
  const moved = await call(
    "POST",
    "/v1/clock/advance",
    admin({ action: "clock.advance", to: formatInstant(T0) }),
  );
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  // Blocks 0-3 are the four registrations' registry blocks; the interval's is the next.
  const height = HOMES.length;
  assert.deepEqual(moved.json.cleared.at(-1), {
    interval_start: formatInstant(T0),
    block_height: height,
    orders: 4,
  });
  const late = order(HOMES[0] as Identity, "late", "sell", { kwh: 1, price: 0.1 });
  isProblem(await call("POST", "/v1/orders", late), 409, "E_GATE_CLOSED");
  const interval = await call("GET", `/v1/intervals/${formatInstant(T0)}`);
  assert.equal(interval.json.status, "cleared");
  assert.equal(interval.json.block_height, height);
  const trades = await call("GET", `/v1/trades?interval=${formatInstant(T0)}`);
  assert.ok(trades.json.trades.length > 0);
  const head = await call("GET", "/v1/ledger/head");
  assert.equal(head.json.height, height);
  const blocks: string[] = [];
  for (let h = 0; h <= height; h++)
    blocks.push(JSON.stringify((await call("GET", `/v1/ledger/blocks/${h}`)).json));
  assert.equal(JSON.parse(blocks[0] as string).head.kind, "registry");
  const report = await verifyBlocks(blocks, { operator: OPERATOR.publicKey });
  assert.equal(report.orders, 4);
  isProblem(await call("GET", "/v1/ledger/blocks/7"), 404, "E_NOT_FOUND");
  const tx = trades.json.trades[0].transaction_id;
  const proof = await call("GET", `/v1/ledger/proofs/inclusion?tx=${tx}`);
  assert.equal(proof.status, 200, JSON.stringify(proof.json));
  checkInclusionProof(proof.json, "the API's proof", OPERATOR.publicKey);
  isProblem(await call("GET", "/v1/ledger/proofs/inclusion?tx=nope"), 404, "E_LEDGER_TX_NOT_FOUND");
  const openapi = await call("GET", "/v1/openapi.json");
  assert.equal(openapi.json.openapi, "3.1.0");
  assert.ok(openapi.json.paths["/v1/orders"].post);
});

test("api: an advance's same bytes again, after the clock moved on, are answered (200), not refused", async () => {
  const first = admin({ action: "clock.advance", to: formatInstant(T0 + 5 * MIN) });
  const moved = await call("POST", "/v1/clock/advance", first);
  assert.equal(moved.status, 200, JSON.stringify(moved.json));
  const later = await call(
    "POST",
    "/v1/clock/advance",
    admin({ action: "clock.advance", to: formatInstant(T0 + 20 * MIN) }),
  );
  assert.equal(later.status, 200, JSON.stringify(later.json));
  const again = await call("POST", "/v1/clock/advance", first);
  assert.equal(again.status, 200, JSON.stringify(again.json));
  // Nothing moves back, nothing is cleared twice.
  assert.deepEqual(again.json, { now: formatInstant(T0 + 20 * MIN), cleared: [] });
  assert.equal((await call("GET", "/v1/clock")).json.now, formatInstant(T0 + 20 * MIN));
  // A document behind the clock that was never taken is still refused.
  const behind = admin({ action: "clock.advance", to: formatInstant(T0 + 10 * MIN) });
  isProblem(await call("POST", "/v1/clock/advance", behind), 422, "E_INPUT");
  isProblem(
    await call("POST", "/v1/clock/advance", { ...first, expires: behind.expires }),
    401,
    "E_SIGNATURE_INVALID",
  );
});

test("api: advances sent at the same time are all answered; the clock ends at the latest, each gate closes once", async () => {
  const advance = (ms: number) =>
    call("POST", "/v1/clock/advance", admin({ action: "clock.advance", to: formatInstant(ms) }));
  const cleared: string[] = [];
  // Two instants, the later sent first, then the same instant twice (the clock is at T0 + 20
  // min), each pair checked against the clock before either is recorded.
  for (const instants of [
    [T0 + 50 * MIN, T0 + 35 * MIN],
    [T0 + 65 * MIN, T0 + 65 * MIN],
  ]) {
    together(server.platform.community.store, 2);
    const answers = await Promise.all(instants.map(advance));
    for (const [i, r] of answers.entries()) {
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.now >= formatInstant(instants[i] as number), r.text);
      cleared.push(...r.json.cleared.map((c: { interval_start: string }) => c.interval_start));
    }
  }
  assert.equal((await call("GET", "/v1/clock")).json.now, formatInstant(T0 + 65 * MIN));
  assert.deepEqual(
    cleared.sort(),
    [30, 45, 60].map((m) => formatInstant(T0 + m * MIN)),
  );
  assert.deepEqual((await call("GET", "/readyz")).json, { ready: true });
});

test("api: an operator document sent to the wrong route is refused and changes nothing", async () => {
  const before = (await call("GET", "/v1/clock")).json.now;
  const advance = admin({
    action: "clock.advance",
    to: formatInstant(Date.parse(before) + 60 * MIN),
  });
  const wrong = await call("POST", "/v1/participants", advance);
  isProblem(wrong, 422, "E_INPUT");
  assert.equal(wrong.json.field, "document.action");
  assert.equal((await call("GET", "/v1/clock")).json.now, before);
  // Its nonce was not used: the same document on its own route is taken.
  assert.equal((await call("POST", "/v1/clock/advance", advance)).status, 200);
  const stranger = fixedIdentity("wrong-route");
  const add = admin({ action: "participant.add", public_key: stranger.publicKey, name: "x" });
  isProblem(await call("POST", "/v1/clock/advance", add), 422, "E_INPUT");
  const listed = (await call("GET", "/v1/participants")).json.participants;
  assert.ok(!listed.some((p: { public_key: string }) => p.public_key === stranger.publicKey));
});
