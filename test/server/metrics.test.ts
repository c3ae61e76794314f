/**
 * `/metrics` against real servers on 127.0.0.1: the order counts by outcome and code, the gate
 * closures, the ledger's height and request latency by route, each server with its own registry;
 * served to loopback clients only, or to the bearers of a token. A closed server leaves nothing
 * of itself behind in the process.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { isLoopback } from "../../src/server/metrics.js";
import { HOMES, T0 } from "../support/ledgerFixtures.js";
import {
  admin,
  isProblem,
  type LiveServer,
  order,
  register,
  startLive,
} from "../support/liveServer.js";

const [A, B] = HOMES as [Identity, Identity];
let live: LiveServer;

before(async () => {
  live = await startLive("metrics");
  await register(live, [A, B]);
});
after(() => live.close());

/** The value of the sample `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: readonly string[] = []): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    if (labels.every((l) => (m[2] ?? "").includes(l))) return Number(m[3]);
  }
  return undefined;
}

test("metrics: orders by outcome and code, gate closures, the ledger's height, latency by route", async () => {
  const first = order(A, "m-1", "sell");
  assert.equal((await live.call("POST", "/v1/orders", { body: first })).status, 201);
  assert.equal((await live.call("POST", "/v1/orders", { body: first })).status, 200);
  assert.equal(
    (await live.call("POST", "/v1/orders", { body: order(B, "m-2", "buy") })).status,
    201,
  );
  const forged = { ...first, order: { ...first.order, energy_kwh: 5 } };
  isProblem(await live.call("POST", "/v1/orders", { body: forged }), 401, "E_SIGNATURE_INVALID");
  isProblem(
    await live.call("POST", "/v1/orders", { body: { ...first, nonce: "x" } }),
    422,
    "E_ORDER_INVALID",
  );
  const moved = await live.call("POST", "/v1/clock/advance", {
    body: admin({ action: "clock.advance", to: formatInstant(T0) }),
  });
  assert.equal(moved.status, 200, moved.text);

  const r = await live.call("GET", "/metrics");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
  assert.equal(sample(r.text, "gridshare_orders_accepted_total"), 2);
  assert.equal(sample(r.text, "gridshare_orders_replayed_total"), 1);
  assert.equal(
    sample(r.text, "gridshare_orders_rejected_total", ['code="E_SIGNATURE_INVALID"']),
    1,
  );
  assert.equal(sample(r.text, "gridshare_orders_rejected_total", ['code="E_ORDER_INVALID"']), 1);
  // Two registry blocks (the two members), then the interval's clearing block.
  assert.equal(sample(r.text, "gridshare_ledger_height"), 2);
  assert.equal(sample(r.text, "gridshare_gate_closure_seconds_count"), moved.json.cleared.length);
  assert.ok((sample(r.text, "gridshare_gate_closure_seconds_sum") ?? -1) > 0);
  assert.equal(
    sample(r.text, "gridshare_http_request_duration_seconds_count", [
      'method="POST"',
      'route="/v1/orders"',
      'status="201"',
    ]),
    2,
  );
  assert.equal(
    sample(r.text, "gridshare_http_request_duration_seconds_count", [
      'route="/v1/participants"',
      'status="201"',
    ]),
    2,
  );
  assert.ok(sample(r.text, "gridshare_process_resident_memory_bytes") !== undefined);
});

test("metrics: loopback clients only; behind a trusted proxy, the forwarded client counts; each server its own", async () => {
  const proxied = await startLive("metrics-proxy", { trustProxy: true });
  try {
    const as = (ip: string) =>
      proxied.call("GET", "/metrics", { headers: { "x-forwarded-for": ip } });
    const outside = await as("203.0.113.9");
    isProblem(outside, 403, "E_FORBIDDEN");
    assert.match(outside.json.detail, /loopback only/);
    const inside = await as("127.0.0.1");
    assert.equal(inside.status, 200);
    assert.equal(sample(inside.text, "gridshare_orders_accepted_total"), 0);
    assert.equal(sample(inside.text, "gridshare_ledger_height"), -1);
  } finally {
    await proxied.close();
  }
  assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.0.0.2"));
  assert.ok(!isLoopback("10.0.0.1") && !isLoopback("::ffff:10.0.0.1") && !isLoopback("fe80::1"));
});

test("metrics: with a token, only its bearers", async () => {
  const guarded = await startLive("metrics-token", { metricsToken: "s3cret-metrics" });
  try {
    isProblem(await guarded.call("GET", "/metrics"), 403, "E_FORBIDDEN");
    isProblem(await guarded.call("GET", "/metrics", { token: "wrong" }), 403, "E_FORBIDDEN");
    assert.equal((await guarded.call("GET", "/metrics", { token: "s3cret-metrics" })).status, 200);
  } finally {
    await guarded.close();
  }
});

/** Runs the garbage collector (exposed for this process at run time) until nothing more goes. */
async function collectGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Serves a platform, reads its metrics once, and closes it, telling `watch` of both. */
async function serveOnce(name: string, watch: FinalizationRegistry<string>): Promise<string> {
  const server = await startLive(name);
  const r = await server.call("GET", "/metrics");
  assert.equal(r.status, 200);
  const resident = r.text
    .split("\n")
    .filter((line) => line.startsWith("gridshare_process_resident_memory_bytes "));
  assert.equal(resident.length, 1, r.text);
  watch.register(server.platform, `${name} platform`);
  watch.register(server.app, `${name} app`);
  await server.close();
  return name;
}

test("metrics: a closed server leaves nothing running that holds it; the process's own are served once", async () => {
  // A finalization registry, not weak references: those keep their target for the current job.
  const collected = new Set<string>();
  const watch = new FinalizationRegistry<string>((name) => collected.add(name));
  const expected: string[] = [];
  for (let i = 0; i < 3; i++) {
    const name = await serveOnce(`metrics-closed-${i}`, watch);
    expected.push(`${name} app`, `${name} platform`);
  }
  await collectGarbage();
  assert.deepEqual([...collected].sort(), expected.sort(), "every closed server is collected");
});
