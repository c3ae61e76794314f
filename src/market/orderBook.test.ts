import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { NaiveBook } from "../../test/support/naiveBook.js";
import { type BookEvent, type LimitOrder, OrderBook } from "./orderBook.js";

const lo = (
  id: string,
  participant: string,
  side: "buy" | "sell",
  quantity: number,
  price: number,
  extra: Partial<LimitOrder> = {},
): LimitOrder => ({
  id,
  participant,
  side,
  quantity,
  price,
  timestampMs: 0,
  ...extra,
});

const trades = (events: BookEvent[]) =>
  events
    .filter((e) => e.type === "trade")
    .map((e) => (e.type === "trade" ? [e.makerId, e.price, e.quantity] : []));

test("default: price-time priority, partial fills, trade at the resting price", () => {
  const book = new OrderBook();
  book.submit(lo("a1", "A", "sell", 100, 12));
  book.submit(lo("a2", "B", "sell", 50, 11));
  book.submit(lo("a3", "C", "sell", 70, 11)); // same price as a2, later: behind it
  assert.equal(book.bestAsk(), 11);
  const events = book.submit(lo("b1", "D", "buy", 150, 12));
  assert.deepEqual(trades(events), [
    ["a2", 11, 50],
    ["a3", 11, 70],
    ["a1", 12, 30],
  ]);
  assert.equal(book.get("a1")?.remaining, 70);
  assert.equal(book.bestBid(), undefined);
  assert.deepEqual(book.depth(), { bids: [], asks: [{ price: 12, quantity: 70, orders: 1 }] });
});

test("behavior: remainder rests at its limit; ioc cancels it", () => {
  const book = new OrderBook();
  book.submit(lo("a1", "A", "sell", 10, 5));
  const rested = book.submit(lo("b1", "B", "buy", 25, 6));
  assert.deepEqual(rested.at(-1), { type: "rested", orderId: "b1", remaining: 15 });
  assert.equal(book.bestBid(), 6);
  const ioc = book.submit(lo("s2", "C", "sell", 40, 6, { timeInForce: "ioc" }));
  assert.deepEqual(trades(ioc), [["b1", 6, 15]]);
  assert.deepEqual(ioc.at(-1), { type: "cancelled", orderId: "s2", remaining: 25, reason: "ioc" });
  assert.equal(book.size, 0);
});

test("behavior: cancel and modify; reducing keeps priority, repricing loses it", () => {
  const book = new OrderBook();
  book.submit(lo("x", "A", "buy", 10, 7));
  book.submit(lo("y", "B", "buy", 10, 7));
  assert.deepEqual(book.modify("x", { quantity: 4, timestampMs: 1 }), [
    { type: "modified", orderId: "x", remaining: 4 },
  ]);
  assert.deepEqual(trades(book.submit(lo("s", "C", "sell", 5, 7))), [
    ["x", 7, 4],
    ["y", 7, 1],
  ]);
  book.submit(lo("z", "D", "buy", 3, 7));
  book.modify("y", { quantity: 20, timestampMs: 2 }); // larger: goes behind z
  assert.deepEqual(trades(book.submit(lo("s2", "C", "sell", 4, 7))), [
    ["z", 7, 3],
    ["y", 7, 1],
  ]);
  assert.deepEqual(book.cancel("y"), {
    type: "cancelled",
    orderId: "y",
    remaining: 19,
    reason: "cancel",
  });
  assert.equal(book.cancel("y").type, "rejected");
  assert.equal(book.size, 0);
});

test("behavior: self-trade prevention cancels the resting order of the same participant", () => {
  const book = new OrderBook();
  book.submit(lo("a1", "A", "sell", 10, 5));
  book.submit(lo("a2", "B", "sell", 10, 6));
  const events = book.submit(lo("b1", "A", "buy", 10, 6));
  assert.deepEqual(events[0], {
    type: "cancelled",
    orderId: "a1",
    remaining: 10,
    reason: "self-trade",
  });
  assert.deepEqual(trades(events), [["a2", 6, 10]]);
});

test("error: bad orders are rejected as values", () => {
  const book = new OrderBook();
  assert.equal(book.submit(lo("a", "A", "buy", 0, 5))[0]?.type, "rejected");
  assert.equal(book.submit(lo("a", "A", "buy", 1.5, 5))[0]?.type, "rejected");
  assert.equal(book.submit(lo("a", "A", "buy", 1, -1))[0]?.type, "rejected");
  book.submit(lo("a", "A", "buy", 1, 5));
  assert.equal(book.submit(lo("a", "A", "buy", 1, 5))[0]?.type, "rejected");
  assert.equal(book.modify("nope", { timestampMs: 0 })[0]?.type, "rejected");
});

type Command =
  | { kind: "submit"; order: LimitOrder }
  | { kind: "cancel"; id: string }
  | { kind: "modify"; id: string; quantity?: number; price?: number };

const commandArb = (n: number) =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({
            p: fc.integer({ min: 0, max: 4 }),
            side: fc.constantFrom("buy" as const, "sell" as const),
            q: fc.integer({ min: 1, max: 50 }),
            price: fc.integer({ min: 90, max: 110 }),
            ioc: fc.boolean(),
          })
          .map((o) => ({ kind: "new" as const, ...o })),
      },
      {
        weight: 2,
        arbitrary: fc.integer({ min: 0, max: n }).map((i) => ({ kind: "cancel" as const, i })),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({
            i: fc.integer({ min: 0, max: n }),
            q: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
            price: fc.option(fc.integer({ min: 90, max: 110 }), { nil: undefined }),
          })
          .map((m) => ({ kind: "modify" as const, ...m })),
      },
    ),
    { maxLength: n },
  );

test("property: the optimised book and the naive reference give the same events and depth", () => {
  fc.assert(
    fc.property(commandArb(120), (raw) => {
      const fast = new OrderBook();
      const naive = new NaiveBook();
      let next = 0;
      for (const c of raw) {
        let cmd: Command;
        if (c.kind === "new") {
          cmd = {
            kind: "submit",
            order: {
              id: `o${next}`,
              participant: `P${c.p}`,
              side: c.side,
              quantity: c.q,
              price: c.price,
              timestampMs: next,
              timeInForce: c.ioc ? "ioc" : "gtc",
            },
          };
          next++;
        } else if (c.kind === "cancel") cmd = { kind: "cancel", id: `o${c.i}` };
        else
          cmd = {
            kind: "modify",
            id: `o${c.i}`,
            ...(c.q === undefined ? {} : { quantity: c.q }),
            ...(c.price === undefined ? {} : { price: c.price }),
          };
        if (cmd.kind === "submit")
          assert.deepEqual(fast.submit(cmd.order), naive.submit(cmd.order));
        else if (cmd.kind === "cancel") assert.deepEqual(fast.cancel(cmd.id), naive.cancel(cmd.id));
        else {
          const change = {
            timestampMs: next,
            ...(cmd.quantity === undefined ? {} : { quantity: cmd.quantity }),
            ...(cmd.price === undefined ? {} : { price: cmd.price }),
          };
          assert.deepEqual(fast.modify(cmd.id, change), naive.modify(cmd.id, change));
        }
        assert.deepEqual(fast.depth(50), naive.depth(50));
        const bb = fast.bestBid();
        const ba = fast.bestAsk();
        if (bb !== undefined && ba !== undefined) assert.ok(bb < ba, "the book is never crossed");
      }
    }),
    { numRuns: 300 },
  );
});
