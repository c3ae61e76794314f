/**
 * Community updates against a real server on 127.0.0.1 (embedded database, manual clock): the
 * operator posts an update for a later interval, `GET /v1/community` shows the rules in force
 * and the update scheduled, an update for an interval already open is refused, a restart keeps
 * the update, and once the clock has passed both gates the interval before the update is
 * cleared under the old rules and the update's under the new, in a ledger that verifies.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { splitPayload } from "../../src/ledger/replay.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import { ADMIN, isProblem, LiveServer, MIN } from "../support/liveServer.js";

let live: LiveServer;
const iso = (ms: number) => formatInstant(ms);
/** The interval the update is for: an hour and a half ahead, orders opening an hour ahead. */
const T = T0 + 30 * MIN;
const TARIFF = { import: { price_per_kwh: 0.25 }, export_price_per_kwh: 0.04 };
const UPDATE = {
  action: "community.update",
  from_interval: iso(T),
  market: { mechanism: "mcafee" },
  tariff: TARIFF,
  gate_closure_minutes: 10,
};

before(async () => {
  live = await LiveServer.start({ name: "updates", community: { open_hours: 1 } });
  await live.register(HOMES);
});

after(() => live.close());

const community = async () => (await live.call("GET", "/v1/community")).json;

test("updates: the operator schedules one; the community shows it, and the same bytes are the same answer", async () => {
  const now = await community();
  assert.deepEqual(now.rules, {
    interval_start: iso(T0 - 60 * MIN),
    market: { mechanism: "uniform", k: 0.5 },
    tariff: { import: { price_per_kwh: 0.3 }, export_price_per_kwh: 0.05, network_fee_per_kwh: 0 },
    gate_closure_minutes: 5,
    open_hours: 1,
  });
  assert.deepEqual(now.updates, []);
  const doc = live.admin(UPDATE);
  const r = await live.call("POST", "/v1/community/updates", { body: doc });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json, {
    update: {
      from_interval: iso(T),
      market: { mechanism: "mcafee" },
      tariff: { ...TARIFF, network_fee_per_kwh: 0 },
      gate_closure_minutes: 10,
    },
    replaces: false,
  });
  const again = await live.call("POST", "/v1/community/updates", { body: doc });
  assert.deepEqual([again.status, again.json], [200, r.json]);
  assert.deepEqual((await community()).updates, [{ ...r.json.update }]);
  // The interval's gate follows the update.
  const interval = await live.call("GET", `/v1/intervals/${iso(T)}`);
  assert.equal(interval.json.gate_closes_at, iso(T - 10 * MIN));
  assert.equal(interval.json.opens_at, iso(T - 60 * MIN));
});

test("updates: one for an interval already open, on the wrong route, or not the admin's is refused", async () => {
  const open = await live.call("POST", "/v1/community/updates", {
    body: live.admin({ ...UPDATE, from_interval: iso(T0) }),
  });
  isProblem(open, 409, "E_CONFLICT");
  assert.equal(open.json.field, "document.from_interval");
  assert.match(
    open.json.detail,
    /orders are open up to the interval starting 2026-06-01T12:00:00Z, and a running interval never changes rules; it could from 2026-06-01T12:15:00Z/,
  );
  isProblem(
    await live.call("POST", "/v1/community/updates", {
      body: live.admin({ ...UPDATE, from_interval: iso(T + 15 * MIN) }, HOMES[0] as Identity),
    }),
    403,
    "E_FORBIDDEN",
  );
  // Another action on this route, or an update on another route: refused before anything applies.
  const wrong = await live.call("POST", "/v1/community/updates", {
    body: live.admin({ action: "participant.suspend", participant: "gs00" }),
  });
  isProblem(wrong, 422, "E_INPUT");
  assert.equal(wrong.json.field, "document.action");
  const elsewhere = await live.call("POST", "/v1/participants", {
    body: live.admin({ ...UPDATE, from_interval: iso(T + 15 * MIN) }),
  });
  isProblem(elsewhere, 422, "E_INPUT");
  assert.equal((await community()).updates.length, 1);
});

test("updates: a restart keeps it; T − 1 clears under the old rules and T under the new", async () => {
  await live.restart();
  assert.equal((await community()).updates[0].from_interval, iso(T));
  await live.advanceTo(T - 60 * MIN);
  const [a, b, c, d] = HOMES as [Identity, Identity, Identity, Identity];
  for (const start of [T - 15 * MIN, T]) {
    const tag = start === T ? "new" : "old";
    for (const [who, side, price] of [
      [a, "sell", 0.08],
      [b, "sell", 0.12],
      [c, "buy", 0.28],
      [d, "buy", 0.18],
    ] as const) {
      const r = await live.call("POST", "/v1/orders", {
        body: live.order(who, {
          id: `${tag}-${side}-${price}`,
          side,
          price,
          intervalStartMs: start,
        }),
      });
      assert.equal(r.status, 201, r.text);
    }
  }
  const moved = await live.advanceTo(T - 10 * MIN);
  assert.deepEqual(
    moved.json.cleared.filter((x: { block_height: number | null }) => x.block_height !== null),
    [
      { interval_start: iso(T - 15 * MIN), block_height: 5, orders: 4 },
      { interval_start: iso(T), block_height: 6, orders: 4 },
    ],
  );
  const heads = await Promise.all(
    [5, 6].map(async (h) => (await live.call("GET", `/v1/ledger/blocks/${h}`)).json.head),
  );
  assert.deepEqual(
    heads.map((h) => [h.market.mechanism, h.market.grid.import_price_per_kwh]),
    [
      ["uniform", 0.3],
      ["mcafee", 0.25],
    ],
  );
  // The rules in force are those of the interval holding the market's time: T's once it starts.
  assert.equal((await community()).rules.market.mechanism, "uniform");
  await live.advanceTo(T);
  const now = await community();
  assert.deepEqual([now.rules.interval_start, now.rules.market], [iso(T), { mechanism: "mcafee" }]);
  assert.deepEqual(now.updates, []);
  const source = live.platform.blocks;
  const blocks = Array.from({ length: source.length }, (_, h) => source.at(h) as string);
  const update = JSON.parse(splitPayload(blocks[4] as string)?.entries[0] ?? "{}");
  assert.deepEqual(
    [update.type, update.effect],
    ["update", { from_interval: iso(T), replaces: false }],
  );
  const report = await verifyBlocks(blocks, {
    operator: OPERATOR.publicKey,
    admin: ADMIN.publicKey,
  });
  assert.equal(report.blocks, 7);
});
