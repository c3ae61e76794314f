/**
 * The request log of a real server on 127.0.0.1: every line carries the request's id, which the
 * answer echoes (the client's own when it is a plain token); bodies are not logged, and names,
 * meter ids, signatures and tokens never appear, even in an object logged on purpose.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Identity } from "../../src/ledger/keys.js";
import { HOMES } from "../support/ledgerFixtures.js";
import { admin, type LiveServer, order, sessionOf, startLive } from "../support/liveServer.js";

const [A] = HOMES as [Identity];
const NAME = "Alice Quietname";
const METER = "meter-private-4711";
let lines: string[] = [];
let live: LiveServer;

before(async () => {
  live = await startLive("logging", {
    logger: { level: "info", stream: { write: (line: string) => lines.push(line) } },
  });
});
after(() => live.close());

const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

test("logs: each request's lines carry its id, echoed in x-request-id; a bad id is replaced", async () => {
  lines = [];
  const own = await live.call("GET", "/v1/clock", { headers: { "x-request-id": "trace-abc.1" } });
  assert.equal(own.headers.get("x-request-id"), "trace-abc.1");
  const made = await live.call("GET", "/v1/clock");
  const id = made.headers.get("x-request-id") ?? "";
  assert.match(id, /^[0-9a-f-]{36}$/);
  const bad = await live.call("GET", "/v1/clock", {
    headers: { "x-request-id": "evil id with spaces" },
  });
  assert.notEqual(bad.headers.get("x-request-id"), "evil id with spaces");
  const ids = records().map((r) => r.reqId);
  assert.equal(ids.filter((x) => x === "trace-abc.1").length, 2); // incoming and completed
  assert.equal(ids.filter((x) => x === id).length, 2);
  assert.ok(!lines.join("").includes("evil id"));
  // A refusal carries an id too.
  const missing = await live.call("GET", "/v1/nothing");
  assert.match(missing.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

test("logs: no body, name, meter id, signature or token reaches the log", async () => {
  lines = [];
  const add = admin({
    action: "participant.add",
    public_key: A.publicKey,
    name: NAME,
    meter_id: METER,
  });
  assert.equal((await live.call("POST", "/v1/participants", { body: add })).status, 201);
  const placed = order(A, "log-1");
  assert.equal((await live.call("POST", "/v1/orders", { body: placed })).status, 201);
  const session = await sessionOf(live, A);
  const token = session.json.token as string;
  assert.equal((await live.call("GET", "/v1/orders", { token })).status, 200);
  live.app.log.info(
    {
      participant: { name: NAME, meter_id: METER },
      document: { signature: add.signature },
      token,
      req: { headers: { authorization: `Bearer ${token}` } },
    },
    "an object with secrets in it",
  );
  const text = lines.join("");
  assert.ok(records().length >= 9, text);
  for (const secret of [NAME, METER, add.signature, placed.signature, token])
    assert.ok(!text.includes(secret), `${secret} is in the log`);
  assert.ok(text.includes("[redacted]"));
  assert.ok(records().some((r) => r.msg === "an object with secrets in it"));
});
