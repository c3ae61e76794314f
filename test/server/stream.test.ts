/**
 * The live feed on a real WebSocket at 127.0.0.1: snapshots on subscribe, book deltas with no
 * identities, a member's own order events only on its own private channel, the clearing's
 * frames (gate closed, cleared, trades, head, each order's status), sequence numbers that rise by
 * one on every channel, match the REST snapshots, and continue after a restart, heartbeats, and
 * the refusals of bad messages.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { formatInstant } from "../../src/core/time.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { fixedIdentity, HOMES, T0 } from "../support/ledgerFixtures.js";
import { LiveServer, MIN } from "../support/liveServer.js";

const ADMIN = fixedIdentity("stream admin");
const [A, B, C] = HOMES as [Identity, Identity, Identity];
const BOOK = `book:${formatInstant(T0)}`;
let server: LiveServer;

// biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field
type Message = any;

/** A feed client that keeps every message and waits for the ones a test expects. */
class Client {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()));
      for (const w of this.waiters) w();
    });
  }

  static async open(base: string): Promise<Client> {
    const socket = new WebSocket(`${base.replace("http", "ws")}/v1/stream`);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    return new Client(socket);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Waits until `count` messages match, and returns them. */
  async wait(match: (m: Message) => boolean, count = 1): Promise<Message[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.messages.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out; messages: ${JSON.stringify(this.messages).slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  on(channel: string): Message[] {
    return this.messages.filter((m) => m.channel === channel && m.type !== "snapshot");
  }

  close(): void {
    this.socket.close();
  }
}

const rises = (frames: Message[], from = 1) =>
  assert.deepEqual(
    frames.map((f) => f.seq),
    frames.map((_, i) => from + i),
  );

before(async () => {
  server = await LiveServer.start({
    name: "stream",
    admin: ADMIN,
    clockStartMs: T0 - 60 * MIN,
    app: { stream: { heartbeatMs: 300 } },
  });
  await server.register([A, B, C]);
});

after(async () => {
  await server.close();
});

test("stream: snapshots, book deltas without identities, private order events, clearing frames", async () => {
  const pub = await Client.open(server.base);
  pub.send({ op: "subscribe", channels: ["clock", "intervals", "trades", "heads", BOOK] });
  const [clock] = await pub.wait((m) => m.channel === "clock" && m.type === "snapshot");
  assert.equal(clock.data.now, formatInstant(T0 - 60 * MIN));
  const [book] = await pub.wait((m) => m.channel === BOOK && m.type === "snapshot");
  assert.deepEqual(book.data, {
    interval_start: formatInstant(T0),
    visibility: "depth",
    bids: [],
    asks: [],
  });
  assert.equal(book.seq, 0);

  const a = await Client.open(server.base);
  a.send({ op: "subscribe", channels: ["orders:me"] });
  const [refused] = await a.wait((m) => m.type === "error");
  assert.equal(refused.code, "E_SIGNATURE_INVALID");
  assert.equal(refused.field, "channels[0]");
  a.send({ op: "auth", token: await server.session(A) });
  await a.wait((m) => m.type === "authenticated");
  a.send({ op: "subscribe", channels: ["orders:me"] });
  await a.wait((m) => m.type === "subscribed" && m.channel === "orders:me");

  const at = T0;
  const orders: [Identity, string, "buy" | "sell", number, number][] = [
    [A, "a-1", "sell", 1.2, 0.08],
    [B, "b-1", "sell", 0.7, 0.08],
    [C, "c-1", "buy", 1.5, 0.28],
    [A, "a-2", "sell", 0.4, 0.12],
  ];
  for (const [who, id, side, kwh, price] of orders) {
    const r = await server.call("POST", "/v1/orders", {
      body: server.order(who, { id, side, kwh, price, intervalStartMs: at }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  const deltas = await pub.wait((m) => m.channel === BOOK && m.type === "delta", 4);
  rises(deltas);
  // The two sells at 0.08 share a level: 1.9 kWh from 2 orders after the second.
  assert.deepEqual(deltas[1].data.levels, [
    { side: "sell", price_per_kwh: 0.08, energy_kwh: 1.9, orders: 2 },
  ]);
  for (const id of [A, B, C].map((w) => participantIdOf(w.publicKey)))
    assert.ok(!JSON.stringify(deltas).includes(id), "no identity on the public book");

  const r = await server.call("DELETE", "/v1/orders/a-2", { body: server.cancel(A, "a-2", at) });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const [, , , , removed] = await pub.wait((m) => m.channel === BOOK && m.type === "delta", 5);
  assert.deepEqual(removed.data.levels, [
    { side: "sell", price_per_kwh: 0.12, energy_kwh: 0, orders: 0 },
  ]);
  const rest = await server.call("GET", `/v1/intervals/${formatInstant(at)}`);
  assert.equal(rest.json.book.seq, 5);
  assert.deepEqual(rest.json.book.asks, [
    { side: "sell", price_per_kwh: 0.08, energy_kwh: 1.9, orders: 2 },
  ]);

  const mine = await a.wait((m) => m.channel === "orders:me" && m.type !== "subscribed", 3);
  assert.deepEqual(
    mine.map((m) => [m.type, m.data.order_id]),
    [
      ["accepted", "a-1"],
      ["accepted", "a-2"],
      ["cancelled", "a-2"],
    ],
  );
  rises(mine);

  assert.equal((await server.advanceTo(T0 - 5 * MIN)).status, 200);
  const [trades] = await pub.wait((m) => m.channel === "trades" && m.type === "trades");
  assert.equal(trades.data.interval_start, formatInstant(at));
  assert.deepEqual(
    trades.data.trades,
    (await server.call("GET", `/v1/trades?interval=${formatInstant(at)}`)).json.trades,
  );
  assert.equal(trades.data.trades.length > 0, true);
  const [head] = await pub.wait((m) => m.channel === "heads" && m.type === "head");
  const rested = await server.call("GET", "/v1/ledger/head");
  assert.deepEqual(head.data.head, rested.json.head);
  assert.equal(rested.json.seq, head.seq);
  const states = await pub.wait(
    (m) => m.channel === "intervals" && m.data?.start === formatInstant(at),
    2,
  );
  assert.deepEqual(
    states.map((m) => [m.type, m.data.start]),
    [
      ["gate_closed", formatInstant(at)],
      ["cleared", formatInstant(at)],
    ],
  );
  const [closed] = await pub.wait((m) => m.channel === BOOK && m.type === "closed");
  assert.equal(closed.seq, 6);
  const settled = await a.wait((m) => m.channel === "orders:me" && m.seq === 4);
  assert.deepEqual([settled[0].type, settled[0].data.order_id], ["filled", "a-1"]);
  // The clock moved: a frame, numbered after the snapshot's.
  const ticks = await pub.wait((m) => m.channel === "clock" && m.type === "clock");
  assert.equal(ticks.at(-1).data.now, formatInstant(T0 - 5 * MIN));
  assert.equal((await server.call("GET", "/v1/clock")).json.seq, ticks.at(-1).seq);
  // Another member saw none of A's events.
  assert.ok(!JSON.stringify(pub.messages).includes('"orders:me"'));
  pub.close();
  a.close();
});

test("stream: heartbeats carry the last numbers; numbers continue after a restart", async () => {
  const before = (await server.call("GET", "/v1/trades")).json.seq;
  assert.ok(before >= 1);
  await server.restart();
  const c = await Client.open(server.base);
  c.send({ op: "subscribe", channels: ["trades", "heads"] });
  const [sub] = await c.wait((m) => m.type === "subscribed" && m.channel === "trades");
  assert.equal(sub.seq, before);
  const [beat] = await c.wait((m) => m.type === "heartbeat");
  assert.equal(beat.seqs.trades, before);
  const next = T0 + 15 * MIN;
  for (const [who, id, side, price] of [
    [A, "a-9", "sell", 0.1],
    [C, "c-9", "buy", 0.3],
  ] as const) {
    const r = await server.call("POST", "/v1/orders", {
      body: server.order(who, { id, side, kwh: 1, price, intervalStartMs: next }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  await server.advanceTo(next - 5 * MIN);
  const [frame] = await c.wait((m) => m.channel === "trades" && m.type === "trades");
  assert.equal(frame.seq, before + 1);
  assert.equal(frame.data.interval_start, formatInstant(next));
  c.close();
});

test("stream: bad messages get an error naming what is wrong, and the connection stays", async () => {
  const c = await Client.open(server.base);
  c.send("{not json");
  c.send({ op: "dance" });
  c.send({ op: "subscribe", channels: ["trades", "book:yesterday"] });
  c.send({ op: "subscribe", channels: [`book:${formatInstant(T0 + 7 * MIN)}`] });
  c.send({ op: "subscribe", channels: "trades" });
  const errors = await c.wait((m) => m.type === "error", 5);
  assert.deepEqual(
    errors.map((e) => [e.code, e.field ?? null]),
    [
      ["E_INPUT", null],
      ["E_INPUT", "op"],
      ["E_INPUT", "channels[1]"],
      ["E_INPUT", "channels[0]"],
      ["E_INPUT", "channels"],
    ],
  );
  // Nothing of a refused subscription was taken, and the socket still answers.
  assert.equal(c.messages.filter((m) => m.type === "subscribed").length, 0);
  c.send({ op: "subscribe", channels: ["intervals"] });
  await c.wait((m) => m.type === "subscribed" && m.channel === "intervals");
  c.close();
});

test("stream: with book_visibility counts, the book shows only how many orders each side holds", async () => {
  const sealed = await LiveServer.start({
    name: "stream-counts",
    admin: ADMIN,
    clockStartMs: T0 - 60 * MIN,
    community: { book_visibility: "counts" },
  });
  try {
    await sealed.register([A, C]);
    const c = await Client.open(sealed.base);
    c.send({ op: "subscribe", channels: [BOOK] });
    const [snapshot] = await c.wait((m) => m.type === "snapshot");
    assert.deepEqual(snapshot.data, {
      interval_start: formatInstant(T0),
      visibility: "counts",
      buy_orders: 0,
      sell_orders: 0,
    });
    for (const [who, id, side, price] of [
      [A, "a-1", "sell", 0.1],
      [C, "c-1", "buy", 0.3],
    ] as const)
      await sealed.call("POST", "/v1/orders", {
        body: sealed.order(who, { id, side, kwh: 1, price, intervalStartMs: T0 }),
      });
    const deltas = await c.wait((m) => m.type === "delta", 2);
    assert.deepEqual(deltas[1].data, {
      interval_start: formatInstant(T0),
      buy_orders: 1,
      sell_orders: 1,
    });
    assert.ok(!JSON.stringify(c.messages).includes("price"));
    const rest = await sealed.call("GET", `/v1/intervals/${formatInstant(T0)}`);
    assert.deepEqual(rest.json.book, { seq: 2, ...deltas[1].data, visibility: "counts" });
    c.close();
  } finally {
    await sealed.close();
  }
});

test("stream: closing the server closes each connection with 1001", async () => {
  const c = await Client.open(server.base);
  const code = new Promise<number>((resolve) => c.socket.once("close", resolve));
  await server.stop();
  assert.equal(await code, 1001);
});
