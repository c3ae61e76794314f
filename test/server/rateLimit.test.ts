/**
 * Rate limits against a real server on 127.0.0.1: per participant (the signed document's key)
 * and per address, refused with 429 E_RATE_LIMITED and Retry-After, changing nothing;
 * X-Forwarded-For counted only with trustProxy. The window is a minute, so a burst is counted
 * exactly and nothing depends on how fast the requests go.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Identity } from "../../src/ledger/keys.js";
import { runCli } from "../support/cli.js";
import { HOMES } from "../support/ledgerFixtures.js";
import {
  idOf,
  isProblem,
  type LiveServer,
  order,
  register,
  sessionOf,
  startLive,
} from "../support/liveServer.js";

const [A, B] = HOMES as [Identity, Identity];
let live: LiveServer;

before(async () => {
  live = await startLive("limits", {
    rateLimit: { perParticipant: 3, perAddress: 13, windowMs: 60_000 },
  });
  // Registrations are the admin key's: three, its whole allowance.
  await register(live, [A, B]);
});
after(() => live.close());

test("rate limit: a participant's burst past its limit is refused, changes nothing, and others go on", async () => {
  const answers = [];
  for (let i = 0; i < 5; i++)
    answers.push(await live.call("POST", "/v1/orders", { body: order(A, `a-${i}`) }));
  assert.deepEqual(
    answers.map((r) => r.status),
    [201, 201, 201, 429, 429],
  );
  const refused = answers[3] as (typeof answers)[number];
  isProblem(refused, 429, "E_RATE_LIMITED");
  assert.match(refused.json.detail, /participant: at most 3 per 60000 ms/);
  const retry = Number(refused.headers.get("retry-after"));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  const stored = await live.platform.community.store.ordersOf(idOf(A), { limit: 10 });
  assert.deepEqual(stored.map((o) => o.orderId).sort(), ["a-0", "a-1", "a-2"]);
  // Another participant has its own allowance; so does a session's bearer (B's token: B's count).
  assert.equal((await live.call("POST", "/v1/orders", { body: order(B, "b-0") })).status, 201);
  const token = (await sessionOf(live, B)).json.token;
  assert.equal(typeof token, "string");
  assert.equal((await live.call("GET", "/v1/orders", { token })).status, 200);
  isProblem(await live.call("GET", "/v1/orders", { token }), 429, "E_RATE_LIMITED");
});

test("rate limit: an address past its limit is refused; X-Forwarded-For does not help without trustProxy", async () => {
  // 2 registrations, 6 orders, a challenge, a session and two reads so far: 12 of 13.
  assert.equal((await live.call("GET", "/v1/clock")).status, 200);
  isProblem(await live.call("GET", "/v1/clock"), 429, "E_RATE_LIMITED");
  const forwarded = await live.call("GET", "/v1/clock", {
    headers: { "x-forwarded-for": "198.51.100.7" },
  });
  isProblem(forwarded, 429, "E_RATE_LIMITED");
  assert.match(forwarded.json.detail, /address/);
  assert.equal((await live.call("GET", "/healthz")).status, 200);
  assert.equal((await live.call("GET", "/readyz")).status, 200);
});

test("rate limit: with trustProxy each forwarded client has its own allowance", async () => {
  const proxied = await startLive("limits-proxy", {
    rateLimit: { perParticipant: 100, perAddress: 2, windowMs: 60_000 },
    trustProxy: true,
  });
  try {
    const as = (ip: string) =>
      proxied.call("GET", "/v1/clock", { headers: { "x-forwarded-for": ip } });
    assert.equal((await as("198.51.100.7")).status, 200);
    assert.equal((await as("198.51.100.7")).status, 200);
    isProblem(await as("198.51.100.7"), 429, "E_RATE_LIMITED");
    assert.equal((await as("203.0.113.9")).status, 200);
  } finally {
    await proxied.close();
  }
});

test("rate limit: off sets no limit", async () => {
  const open = await startLive("limits-off", { rateLimit: "off" });
  try {
    for (let i = 0; i < 30; i++) assert.equal((await open.call("GET", "/v1/clock")).status, 200);
  } finally {
    await open.close();
  }
});

test("serve --rate-limit: a number above 0 or off", async () => {
  const bad = await runCli(["serve", "--demo", "--rate-limit", "0"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--rate-limit: expected a whole number of requests per second above 0, or off/,
  );
});
