import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbitraryBook } from "../../test/support/books.js";
import {
  HOMES,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
  T0,
} from "../../test/support/ledgerFixtures.js";
import { clearMarket } from "../market/clearMarket.js";
import { MECHANISMS } from "../market/mechanisms.js";
import { orderDocument, orderFromDocument } from "../market/orderDocument.js";
import { MECHANISM_NAMES, type Order, type Side } from "../market/types.js";
import {
  blockEntries,
  blockPayload,
  emptyChain,
  marketRules,
  type OrderItem,
  sealBlock,
} from "./block.js";
import { clearInterval } from "./clearInterval.js";
import { signOrder } from "./envelope.js";
import { verifyBlocks } from "./verify.js";

const tariff = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const uniform = MECHANISMS.uniform;
const interval = (k: number) => ({ startMs: T0 + k * 15 * 60_000, minutes: 15 });

const opposite = (side: Side): Side => (side === "buy" ? "sell" : "buy");

/** `item` with its order changed after signing: the signature no longer verifies. */
function tampered(item: OrderItem): OrderItem {
  if (item.kind !== "signed") throw new Error("a signed order");
  return {
    ...item,
    envelope: { ...item.envelope, order: { ...item.envelope.order, energy_kwh: 9 } },
  };
}

test("behavior: one forged order is rejected as a value; the others clear, and the block verifies", async () => {
  const store = new MemoryLedger();
  const items = signedOrdersFor(0);
  items[1] = tampered(items[1] as OrderItem);
  const outcome = clearInterval({
    interval: interval(0),
    tariff,
    mechanism: uniform,
    items,
    requireSignatures: true,
    ledger: { store, operator: OPERATOR },
  });
  assert.equal(outcome.status, "cleared");
  if (outcome.status !== "cleared") return;
  assert.deepEqual(
    outcome.decisions.map((d) => d.status),
    ["accepted", "rejected", "accepted", "accepted"],
  );
  const [r] = outcome.rejected;
  assert.equal(r?.code, "E_SIGNATURE_INVALID");
  assert.equal(r?.index, 1);
  assert.equal(r?.orderId, "i0-o1");
  assert.equal(r?.field, "signature");
  // The block holds the three accepted orders, and re-running its market gives its trades.
  assert.equal(outcome.items.length, 3);
  assert.equal(outcome.result.trades.length > 0, true);
  const report = await verifyBlocks(store.payloads, { operator: OPERATOR.publicKey });
  assert.equal(report.blocks, 1);
  assert.equal(report.orders, 3);
  assert.equal(report.trades, outcome.result.trades.length);
});

test("behavior: a forged order cannot push out the real one with the same id or a conflicting side", () => {
  const real = signedOrdersFor(0);
  const seller = real[0] as OrderItem & { kind: "signed" };
  // Someone else's key signs an order in the seller's name, with the seller's order id and the
  // other side: it is refused for its key, and the seller's own order is not a duplicate.
  const forged = signOrder(
    { ...seller.envelope.order, side: "buy" },
    HOMES[3] as (typeof HOMES)[number],
    "ff".repeat(16),
    T0 + 3_600_000,
  );
  const outcome = clearInterval({
    interval: interval(0),
    tariff,
    mechanism: MECHANISMS.mcafee,
    items: [{ kind: "signed", envelope: forged }, ...real],
    requireSignatures: true,
  });
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.code, r.field]),
    [[0, "E_LEDGER_KEY_MISMATCH", "order.participant"]],
  );
  assert.equal(outcome.decisions[1]?.status, "accepted");
});

test("behavior: refuse-interval clears and appends nothing when any order is rejected", () => {
  const store = new MemoryLedger();
  const attested: OrderItem = {
    kind: "attested",
    order: (signedOrdersFor(0)[0] as OrderItem & { kind: "signed" }).envelope.order,
  };
  const outcome = clearInterval({
    interval: interval(0),
    tariff,
    mechanism: uniform,
    items: [...signedOrdersFor(0).slice(1), attested],
    requireSignatures: true,
    onRejection: "refuse-interval",
    ledger: { store, operator: OPERATOR },
  });
  assert.equal(outcome.status, "refused");
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.code]),
    [[3, "E_LEDGER_ORDER_UNSIGNED"]],
  );
  assert.equal(store.payloads.length, 0);
  assert.equal(store.state.height, -1);
});

test("behavior: a nonce is refused when it repeats inside the interval or was used in an earlier block", () => {
  const store = new MemoryLedger();
  const first = clearInterval({
    interval: interval(0),
    tariff,
    mechanism: uniform,
    items: signedOrdersFor(0),
    ledger: { store, operator: OPERATOR },
  });
  assert.equal(first.rejected.length, 0);
  const again = signedOrdersFor(0)[2] as OrderItem;
  const outcome = clearInterval({
    interval: interval(1),
    tariff,
    mechanism: uniform,
    items: [...signedOrdersFor(1), again],
    ledger: { store, operator: OPERATOR },
  });
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.code, r.field]),
    [[4, "E_LEDGER_NONCE_REPLAYED", "nonce"]],
  );
  const twice = clearInterval({
    interval: interval(2),
    tariff,
    mechanism: uniform,
    items: [signedOrdersFor(2)[0] as OrderItem, signedOrdersFor(2)[0] as OrderItem],
  });
  assert.deepEqual(
    twice.rejected.map((r) => [r.index, r.code]),
    [[1, "E_LEDGER_NONCE_REPLAYED"]],
  );
});

test("error: an interval before the ledger's last one, or another operator, refuses the whole interval", () => {
  const store = new MemoryLedger();
  clearInterval({
    interval: interval(1),
    tariff,
    mechanism: uniform,
    items: signedOrdersFor(1),
    ledger: { store, operator: OPERATOR },
  });
  assert.throws(
    () =>
      clearInterval({
        interval: interval(0),
        tariff,
        mechanism: uniform,
        items: signedOrdersFor(0),
        ledger: { store, operator: OPERATOR },
      }),
    { code: "E_LEDGER_INTERVAL_OVERLAP" },
  );
  assert.throws(
    () =>
      clearInterval({
        interval: interval(2),
        tariff,
        mechanism: uniform,
        items: signedOrdersFor(2),
        ledger: { store, operator: HOMES[0] as (typeof HOMES)[number] },
      }),
    { code: "E_LEDGER_OPERATOR_MISMATCH" },
  );
  assert.equal(store.payloads.length, 1, "nothing appended");
});

test("property: on valid orders the pipeline clears exactly as the market does, and its block verifies", async () => {
  await fc.assert(
    fc.asyncProperty(
      arbitraryBook({ oneSidePerParticipant: true, maxOrders: 12 }),
      fc.constantFrom(...MECHANISM_NAMES),
      async (input, name) => {
        const mechanism = MECHANISMS[name];
        const store = new MemoryLedger();
        const items: OrderItem[] = input.orders.map((o) => ({
          kind: "attested",
          order: orderDocument(o),
        }));
        const outcome = clearInterval({
          interval: input.interval,
          tariff: input.grid,
          mechanism,
          items,
          ledger: { store, operator: OPERATOR },
        });
        assert.equal(outcome.status, "cleared");
        assert.equal(outcome.rejected.length, 0);
        if (outcome.status !== "cleared") return;
        // Everything recorded of the interval: its orders, trades, settlements and summary.
        const market = clearMarket(input, { mechanism });
        assert.deepEqual(
          blockEntries(0, items, outcome.result, mechanism),
          blockEntries(0, items, market, mechanism),
        );
        const report = await verifyBlocks(store.payloads);
        assert.equal(report.trades, outcome.result.trades.length);
      },
    ),
    { numRuns: 60 },
  );
});

test("property: a duplicate id or (for net-position mechanisms) a second side is rejected, naming the first order", () => {
  fc.assert(
    fc.property(arbitraryBook({ oneSidePerParticipant: true, maxOrders: 8 }), (input) => {
      fc.pre(input.orders.length > 0);
      const first = input.orders[0] as (typeof input.orders)[number];
      const other: Order = { ...first, id: `${first.id}-other`, side: opposite(first.side) };
      const items: OrderItem[] = [...input.orders, other, { ...first }].map((o) => ({
        kind: "attested",
        order: orderDocument(o),
      }));
      const outcome = clearInterval({
        interval: input.interval,
        tariff: input.grid,
        mechanism: MECHANISMS.mmr,
        items,
      });
      const n = input.orders.length;
      assert.deepEqual(
        outcome.rejected.map((r) => [r.index, r.code]),
        [
          [n, "E_MARKET_SIDE_CONFLICT"],
          [n + 1, "E_MARKET_DUPLICATE_ID"],
        ],
      );
      assert.match(outcome.rejected[0]?.expected ?? "", /orders\[0\]/);
    }),
    { numRuns: 60 },
  );
});

test("behavior: an order that names its interval is valid there only; the ledger keeps the field and verifies", async () => {
  const store = new MemoryLedger();
  const named = (k: number, at: number): OrderItem[] =>
    signedOrdersFor(k).map((item, i) => {
      const e = (item as OrderItem & { kind: "signed" }).envelope;
      const order = {
        ...e.order,
        interval_start: new Date(interval(at).startMs).toISOString().replace(".000Z", "Z"),
      };
      return {
        kind: "signed",
        envelope: signOrder(order, HOMES[i] as (typeof HOMES)[number], e.nonce, T0 + 7_200_000),
      };
    });
  const ok = clearInterval({
    interval: interval(0),
    tariff,
    mechanism: uniform,
    items: [...named(0, 0).slice(0, 3), ...named(9, 1).slice(3)],
    requireSignatures: true,
    ledger: { store, operator: OPERATOR },
  });
  assert.deepEqual(
    ok.rejected.map((r) => [r.index, r.code, r.field, r.expected, r.received]),
    [
      [
        3,
        "E_LEDGER_INTERVAL_MISMATCH",
        "order.interval_start",
        "2026-06-01T12:00:00Z (this interval's start)",
        "2026-06-01T12:15:00Z",
      ],
    ],
  );
  assert.match(
    store.payloads[0] as string,
    /"interval_start":"2026-06-01T12:00:00Z","participant"/,
  );
  const report = await verifyBlocks(store.payloads, { operator: OPERATOR.publicKey });
  assert.equal(report.orders, 3);
  // Changing the signed interval breaks the signature: it is covered.
  const moved = named(0, 0)[0] as OrderItem & { kind: "signed" };
  const forged = clearInterval({
    interval: interval(1),
    tariff,
    mechanism: uniform,
    items: [
      {
        kind: "signed",
        envelope: {
          ...moved.envelope,
          order: { ...moved.envelope.order, interval_start: "2026-06-01T12:15:00Z" },
        },
      },
    ],
    requireSignatures: true,
  });
  assert.deepEqual(
    forged.rejected.map((r) => r.code),
    ["E_SIGNATURE_INVALID"],
  );
});

test("error: a block holding an order for another interval does not verify", async () => {
  const order = {
    ...(signedOrdersFor(0)[0] as OrderItem & { kind: "signed" }).envelope.order,
    interval_start: "2026-06-01T12:15:00Z",
  };
  const items: OrderItem[] = [{ kind: "attested", order }];
  const cleared = {
    result: clearMarket(
      { interval: interval(0), grid: tariff, orders: [orderFromDocument(order)] },
      { mechanism: uniform },
    ),
    mechanism: uniform,
  };
  const sealed = sealBlock(
    emptyChain(),
    interval(0),
    marketRules(uniform, null, tariff),
    items,
    cleared,
    OPERATOR,
  );
  await assert.rejects(
    verifyBlocks([blockPayload(sealed.block)], { operator: OPERATOR.publicKey }),
    /order "i0-o0" is for the interval starting 2026-06-01T12:15:00Z, not 2026-06-01T12:00:00Z/,
  );
});
