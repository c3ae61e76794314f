/**
 * Community updates in a format-2 ledger: an `update` entry in a registry block, signed by the
 * admin key, puts rules in force from its interval on; the verifier holds every later clearing
 * block to them, and refuses an update for an interval already cleared, one by another key, one
 * recorded with an effect it does not have, and a replayed one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { VerificationError } from "../../src/core/errors.js";
import { formatInstant } from "../../src/core/time.js";
import type { OrderItem } from "../../src/ledger/block.js";
import { clearInterval, type LedgerPort } from "../../src/ledger/clearInterval.js";
import { sealRegistryBlock, type UpdateEffect } from "../../src/ledger/communityUpdates.js";
import { splitPayload } from "../../src/ledger/replay.js";
import type { SignedDocument } from "../../src/ledger/signedDocument.js";
import { verifyBlocks } from "../../src/ledger/verify.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import type { GridTariff, Mechanism } from "../../src/market/types.js";
import {
  ADMIN,
  adminDocument,
  GRID2,
  received,
  register2,
  registrations,
} from "../support/ledger2Fixtures.js";
import {
  fixedIdentity,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
  T0,
} from "../support/ledgerFixtures.js";

const MIN = 60_000;
const startOf = (k: number) => T0 + k * 15 * MIN;

interface Rules {
  readonly mechanism: Mechanism;
  readonly kPpm?: number;
  readonly tariff: GridTariff;
}

const OLD: Rules = { mechanism: MECHANISMS.cda, tariff: GRID2 };
/** What the update below puts in force from interval 2 on. */
const NEW: Rules = {
  mechanism: MECHANISMS.uniform,
  kPpm: 250_000,
  tariff: { importPriceMicro: 250_000, exportPriceMicro: 40_000, networkFeeMicro: 0 },
};
const NEW_DOCUMENT = {
  action: "community.update",
  from_interval: formatInstant(startOf(2)),
  market: { mechanism: "uniform", k: 0.25 },
  tariff: { import: { price_per_kwh: 0.25 }, export_price_per_kwh: 0.04 },
  gate_closure_minutes: 10,
};

function clear(port: LedgerPort, k: number, rules: Rules): void {
  const outcome = clearInterval({
    interval: { startMs: startOf(k), minutes: 15 },
    tariff: rules.tariff,
    mechanism: rules.mechanism,
    ...(rules.kPpm === undefined ? {} : { kPpm: rules.kPpm }),
    items: received(signedOrdersFor(k), 1 + 4 * k) as OrderItem[],
    requireSignatures: true,
    onRejection: "refuse-interval",
    format2: { cancels: [] },
    ledger: { store: port, operator: OPERATOR },
  });
  if (outcome.status === "refused") throw new Error(outcome.rejected[0]?.message);
}

/** A registry block of update documents, each with the effect given (its own unless told). */
function update(
  port: LedgerPort,
  docs: readonly SignedDocument[],
  effects: readonly UpdateEffect[] = docs.map((d) => ({
    from_interval: d.document.from_interval as string,
    replaces: false,
  })),
): void {
  const items = docs.map((document, i) => ({ document, update: effects[i] as UpdateEffect }));
  const sealed = sealRegistryBlock(port.state, ADMIN.publicKey, items, OPERATOR);
  port.append(
    sealed,
    docs.map((d) => `${d.public_key}:${d.nonce}`),
  );
}

/** Registrations; interval 0 under the old rules; the update; interval 1 then `rules2` for 2. */
function ledger(
  options: {
    rules1?: Rules;
    rules2?: Rules;
    docs?: SignedDocument[];
    effects?: UpdateEffect[];
  } = {},
): string[] {
  const port = new MemoryLedger();
  register2(port, registrations());
  clear(port, 0, OLD);
  update(port, options.docs ?? [adminDocument(NEW_DOCUMENT, "update")], options.effects);
  clear(port, 1, options.rules1 ?? OLD);
  clear(port, 2, options.rules2 ?? NEW);
  return port.payloads;
}

async function refusal(payloads: string[], expect: string) {
  await assert.rejects(verifyBlocks(payloads, { admin: ADMIN.publicKey }), (e: unknown) => {
    assert.ok(e instanceof VerificationError, String(e));
    assert.ok(e.message.includes(expect), `expected "${expect}" in: ${e.message}`);
    return true;
  });
}

const headOf = (payload: string) => JSON.parse(splitPayload(payload)?.head ?? "{}");

test("updates: the interval before the update clears under the old rules, its own under the new", async () => {
  const payloads = ledger();
  const report = await verifyBlocks(payloads, {
    operator: OPERATOR.publicKey,
    admin: ADMIN.publicKey,
  });
  assert.equal(report.blocks, 5);
  assert.equal(report.registryBlocks, 2);
  assert.deepEqual(headOf(payloads[3] as string).market, {
    mechanism: "cda",
    params: {},
    grid: { import_price_per_kwh: 0.3, export_price_per_kwh: 0.05, network_fee_per_kwh: 0.01 },
  });
  assert.deepEqual(headOf(payloads[4] as string).market, {
    mechanism: "uniform",
    params: { k: 0.25 },
    grid: { import_price_per_kwh: 0.25, export_price_per_kwh: 0.04, network_fee_per_kwh: 0 },
  });
  const entry = JSON.parse(splitPayload(payloads[2] as string)?.entries[0] ?? "{}");
  assert.equal(entry.type, "update");
  assert.deepEqual(entry.effect, { from_interval: formatInstant(startOf(2)), replaces: false });
});

test("updates: a clearing block from the update's interval on must record its rules", async () => {
  await refusal(ledger({ rules2: OLD }), 'was cleared under {"mechanism":"cda","params":{}}');
  await refusal(
    ledger({ rules2: { ...NEW, kPpm: 500_000 } }),
    'sets {"mechanism":"uniform","params":{"k":0.25}}',
  );
  await refusal(
    ledger({ rules2: { ...NEW, tariff: { ...NEW.tariff, exportPriceMicro: 50_000 } } }),
    "an export price of 0.05, not 0.04",
  );
  await refusal(
    ledger({ rules2: { ...NEW, tariff: { ...NEW.tariff, importPriceMicro: 300_000 } } }),
    "an import price of 0.3, not 0.25",
  );
  // The interval before the update's is not governed by it (the community file's rules, which
  // the ledger does not hold, are not checked).
  assert.equal((await verifyBlocks(ledger({ rules1: NEW }))).blocks, 5);
});

test("updates: a later document for the same interval replaces the earlier one", async () => {
  const first = adminDocument({ ...NEW_DOCUMENT, market: { mechanism: "cda" } }, "first");
  const second = adminDocument(NEW_DOCUMENT, "second");
  const from = formatInstant(startOf(2));
  const effects = [
    { from_interval: from, replaces: false },
    { from_interval: from, replaces: true },
  ];
  assert.equal((await verifyBlocks(ledger({ docs: [first, second], effects }))).blocks, 5);
  await refusal(
    ledger({ docs: [first, second], effects: [effects[0], effects[0]] as UpdateEffect[] }),
    "entry 1: the recorded effect is not the update's",
  );
  await refusal(
    ledger({ docs: [first, second], effects, rules2: { ...NEW, mechanism: MECHANISMS.cda } }),
    'cleared under {"mechanism":"cda","params":{}}',
  );
});

test("updates: a time-of-use import price is one of its periods' prices", async () => {
  const tou = adminDocument(
    {
      ...NEW_DOCUMENT,
      tariff: {
        import: {
          time_of_use: [
            { from: "00:00", to: "12:00", price: 0.2 },
            { from: "12:00", to: "00:00", price: 0.25 },
          ],
        },
        export_price_per_kwh: 0.04,
      },
    },
    "tou",
  );
  assert.equal((await verifyBlocks(ledger({ docs: [tou] }))).blocks, 5);
  await refusal(
    ledger({
      docs: [tou],
      rules2: { ...NEW, tariff: { ...NEW.tariff, importPriceMicro: 210_000 } },
    }),
    "an import price of 0.21, not one of 0.2, 0.25",
  );
});

test("updates: one for an interval already cleared, by another key, or replayed is refused", async () => {
  const port = new MemoryLedger();
  register2(port, registrations());
  clear(port, 0, OLD);
  clear(port, 1, OLD);
  const late = adminDocument({ ...NEW_DOCUMENT, from_interval: formatInstant(startOf(1)) }, "late");
  update(port, [late]);
  await refusal(port.payloads, "before the end of the last interval cleared");

  const rogue = adminDocument(NEW_DOCUMENT, "rogue", fixedIdentity("rogue admin"));
  await refusal(ledger({ docs: [rogue] }), "the update is not signed by the admin key");

  const doc = adminDocument(NEW_DOCUMENT, "update");
  const from = formatInstant(startOf(2));
  await refusal(
    ledger({
      docs: [doc, doc],
      effects: [
        { from_interval: from, replaces: false },
        { from_interval: from, replaces: true },
      ],
    }),
    "replays nonce",
  );
  const odd = adminDocument(
    { ...NEW_DOCUMENT, from_interval: formatInstant(startOf(2) + MIN) },
    "odd",
  );
  await refusal(ledger({ docs: [odd] }), "is not the start of a 15-minute interval");
});
