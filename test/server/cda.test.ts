/**
 * A cda community over HTTP: an order matches the moment it is taken, the owners' own order
 * lists say how much of each open order has traded, and the public book shows what rests.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { HOMES, T0 } from "../support/ledgerFixtures.js";
import { LiveServer, order } from "../support/liveServer.js";

const [A, B] = HOMES as [Identity, Identity];
let server: LiveServer;

before(async () => {
  server = await LiveServer.start({
    name: "cda",
    id: "cda",
    community: { market: { mechanism: "cda" } },
  });
  await server.register([A, B]);
});

after(() => server.close());

async function mine(who: Identity) {
  const token = await server.session(who);
  const r = await server.call("GET", `/v1/orders?interval=${formatInstant(T0)}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.orders as { order_id: string; status: string; filled_kwh?: number }[];
}

test("cda over HTTP: an order fills on arrival; its owner sees how much, the book what rests", async () => {
  const sell = await server.call("POST", "/v1/orders", {
    body: order(A, "a-1", "sell", { kwh: 1, price: 0.1 }),
  });
  assert.equal(sell.status, 201, sell.text);
  const buy = await server.call("POST", "/v1/orders", {
    body: order(B, "b-1", "buy", { kwh: 0.4, price: 0.3 }),
  });
  assert.equal(buy.status, 201, buy.text);
  // Statuses change at clearing; the fills so far are each owner's to see at once.
  assert.deepEqual(
    (await mine(A)).map((o) => [o.order_id, o.status, o.filled_kwh]),
    [["a-1", "open", 0.4]],
  );
  assert.deepEqual(
    (await mine(B)).map((o) => [o.order_id, o.status, o.filled_kwh]),
    [["b-1", "open", 0.4]],
  );
  // The public book: what rests of the sell, no identities.
  const interval = await server.call("GET", `/v1/intervals/${formatInstant(T0)}`);
  assert.equal(interval.status, 200, interval.text);
  assert.deepEqual(
    interval.json.book.asks.map((l: { energy_kwh: number }) => l.energy_kwh),
    [0.6],
  );
  assert.deepEqual(interval.json.book.bids, []);
  // At the gate the block's trade is the live one, and the statuses follow it.
  const advanced = await server.advanceTo(T0);
  assert.equal(advanced.status, 200, advanced.text);
  const trades = await server.call("GET", `/v1/trades?interval=${formatInstant(T0)}`);
  assert.deepEqual(
    trades.json.trades.map((t: { energy_amount_kwh: number; price_per_kwh: number }) => [
      t.energy_amount_kwh,
      t.price_per_kwh,
    ]),
    [[0.4, 0.1]],
  );
  assert.deepEqual(
    (await mine(A)).map((o) => [o.order_id, o.status, o.filled_kwh]),
    [["a-1", "partially_filled", undefined]],
  );
});
