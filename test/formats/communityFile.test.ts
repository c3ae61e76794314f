import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { GridshareError } from "../../src/core/errors.js";
import { parseInstant } from "../../src/core/time.js";
import {
  type CommunityDocument,
  communityConfig,
  communityFromScenario,
  communityTemplate,
  INTERVAL_MINUTES,
  loadCommunityFile,
  parseCommunity,
} from "../../src/formats/communityFile.js";
import { parseScenario } from "../../src/formats/scenario.js";

const ADMIN = "a1".repeat(32);
const BLOCK = "b2".repeat(32);
const template = communityTemplate({ adminPublicKey: ADMIN, blockSigningPublicKey: BLOCK }, "t");
const at = (text: string) => parseInstant(text) as number;
const DAY_MS = 86_400_000;

/** The message `parseCommunity` refuses `raw` with. */
function refusal(raw: unknown): string {
  try {
    parseCommunity(raw, "community.json");
  } catch (error) {
    assert.ok(error instanceof GridshareError);
    assert.equal(error.code, "E_COMMUNITY_INVALID");
    return error.message;
  }
  assert.fail("accepted");
}

test("community file: every bad field is named with its path", () => {
  const cases: [unknown, RegExp][] = [
    [
      { ...template, interval_minutes: 7 },
      /^community\.json: interval_minutes: expected one of 5, 10, 15, 20, 30, 60 .*received 7/,
    ],
    [
      { ...template, open_hours: 1, gate_closure_minutes: 61 },
      /gate_closure_minutes: expected at most 60 × open_hours = 60 minutes.*received 61/,
    ],
    [
      { ...template, gate_closure_minutes: 0, open_hours: 0 },
      /open_hours: expected a whole number from 1 to 168.*received 0/,
    ],
    [
      { ...template, open_hours: 169 },
      /open_hours: expected a whole number from 1 to 168.*received 169/,
    ],
    [{ ...template, settle_delay: 30 }, /settle_delay: expected no such field/],
    [
      { ...template, tariff: { ...template.tariff, export_per_kwh: 0.05 } },
      /tariff\.export_per_kwh: expected no such field/,
    ],
    [
      { ...template, market: { mechanism: "vickrey" } },
      /market\.mechanism: expected one of cda, uniform/,
    ],
    [
      { ...template, operator: { ...template.operator, block_signing_public_key: "xyz" } },
      /operator\.block_signing_public_key: expected the operator's block-signing key: an Ed25519 public key, 64 lowercase hex digits, received "xyz"/,
    ],
    [
      {
        ...template,
        operator: { admin_public_key: ADMIN.toUpperCase(), block_signing_public_key: BLOCK },
      },
      /operator\.admin_public_key: expected/,
    ],
    [{ ...template, book_visibility: "full" }, /book_visibility: expected one of "depth"/],
    [{ ...template, time_zone: "Mars/Olympus" }, /time_zone: expected an IANA time zone name/],
    [{ ...template, id: "My Community" }, /id: expected an id of 1 to 64 lowercase letters/],
    [{ ...template, tariff: { ...template.tariff, import: { price: 0.3 } } }, /tariff\.import/],
  ];
  for (const [raw, message] of cases) assert.match(refusal(raw), message);
});

test("community file: the template has every field at its default and parses unchanged", () => {
  assert.deepEqual(parseCommunity(JSON.parse(JSON.stringify(template)), "t"), template);
  const minimal = {
    id: template.id,
    name: template.name,
    currency: template.currency,
    time_zone: template.time_zone,
    tariff: { import: template.tariff.import, export_price_per_kwh: 0.05 },
    operator: template.operator,
  };
  assert.deepEqual(parseCommunity(minimal, "t"), template, "the omitted fields take the defaults");
  assert.equal(template.operator.block_signing_public_key, BLOCK);
  const oneKey = communityTemplate({ adminPublicKey: ADMIN }, "t");
  assert.equal(oneKey.operator.block_signing_public_key, ADMIN, "one key serves both roles");
});

test("community file: any valid live fields survive template → JSON → parse", () => {
  const live = fc
    .record({
      interval_minutes: fc.constantFrom(...INTERVAL_MINUTES),
      open_hours: fc.integer({ min: 1, max: 168 }),
      settlement_delay_minutes: fc.integer({ min: 0, max: 10_080 }),
      imbalance_fee_per_kwh: fc.double({ min: 0, max: 10, noNaN: true }),
      correction_window_hours: fc.integer({ min: 0, max: 8760 }),
      book_visibility: fc.constantFrom("depth" as const, "counts" as const),
      participants: fc.record({ public_names: fc.boolean() }),
      market: fc.record({
        mechanism: fc.constantFrom("uniform", "mcafee", "sdr", "cda"),
        k: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    })
    .chain((f) =>
      fc
        .integer({ min: 0, max: 60 * f.open_hours })
        .map((gate_closure_minutes) => ({ ...f, gate_closure_minutes })),
    );
  fc.assert(
    fc.property(live, fc.boolean(), (fields, gateTooLate) => {
      const doc: CommunityDocument = { ...template, ...fields };
      const written = JSON.parse(JSON.stringify(doc));
      assert.deepEqual(parseCommunity(written, "t"), written);
      if (gateTooLate)
        assert.match(
          refusal({ ...doc, gate_closure_minutes: 60 * doc.open_hours + 1 }),
          /gate_closure_minutes: expected at most/,
        );
    }),
  );
});

/** The shipped CityLearn price of data row `row` (0 is the hour from 23:00 on 31 July 2016). */
function shippedPrice(row: number): number {
  const file = new URL("../../data/citylearn-2022/pricing.csv", import.meta.url);
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines[0]?.split(",")[0], "electricity_pricing");
  return Number(lines[1 + row]?.split(",")[0]);
}

test("community file: a CityLearn price series gives the data set's price, repeated outside it", async () => {
  const doc = parseCommunity(
    {
      ...template,
      time_zone: "Etc/GMT+8",
      tariff: { ...template.tariff, import: { dataset: "citylearn" } },
    },
    "t",
  );
  const c = await communityConfig(doc, "t");
  // Row 16: 15:00 to 16:00 on 1 August 2016, local standard time (UTC-8), the first 0.54 hour.
  assert.equal(shippedPrice(16), 0.54);
  assert.equal(shippedPrice(15), 0.22);
  assert.equal(c.importPriceMicroAt(at("2016-08-01T15:00:00-08:00")), 540_000);
  assert.equal(
    c.importPriceMicroAt(at("2016-08-01T15:45:00-08:00")),
    540_000,
    "any interval of the hour",
  );
  assert.equal(c.importPriceMicroAt(at("2016-08-01T14:45:00-08:00")), 220_000);
  assert.equal(shippedPrice(4384), 0.5);
  const winter = at("2016-07-31T23:00:00-08:00") + 4384 * 3_600_000;
  assert.equal(c.importPriceMicroAt(winter), 500_000);
  // Outside the data's 365 days the year repeats: same price a whole span later or earlier.
  for (const years of [1, 9, -1])
    assert.equal(c.importPriceMicroAt(winter + years * 365 * DAY_MS), 500_000);
});

test("community file: flat and time-of-use prices, k and units in base units", async () => {
  const c = await communityConfig(template, "t");
  assert.equal(c.importPriceMicroAt(0), 300_000);
  assert.equal(c.exportPriceMicro, 50_000);
  assert.equal(c.intervalMs, 15 * 60_000);
  assert.equal(c.gateClosureMs, 5 * 60_000);
  assert.equal(c.openMs, 24 * 3_600_000);
  assert.equal(c.kPpm, 500_000);
  assert.equal(c.mechanism.name, "uniform");
  assert.equal(c.carbonKgPerKwhAt, null);
  const mcafee = await communityConfig(
    { ...template, market: { mechanism: "mcafee", k: 0.3 } },
    "t",
  );
  assert.equal(mcafee.kPpm, null, "a mechanism without k");
  const tou = parseCommunity(
    {
      ...template,
      time_zone: "Europe/Berlin",
      tariff: {
        ...template.tariff,
        import: {
          time_of_use: [
            { from: "07:00", to: "22:00", price: 0.35 },
            { from: "22:00", to: "07:00", price: 0.2 },
          ],
        },
      },
    },
    "t",
  );
  const t = await communityConfig(tou, "t");
  assert.equal(t.importPriceMicroAt(at("2026-01-15T21:45:00+01:00")), 350_000);
  assert.equal(t.importPriceMicroAt(at("2026-07-15T22:00:00+02:00")), 200_000);
  const gap = {
    ...tou,
    tariff: {
      ...tou.tariff,
      import: { time_of_use: [{ from: "07:00", to: "22:00", price: 0.35 }] },
    },
  };
  await assert.rejects(
    communityConfig(gap, "c.json"),
    /c\.json: tariff\.import\.time_of_use: expected periods that cover every hour of the day, received "nothing for 00:00"/,
  );
});

test("community file: the shipped CityLearn scenario as a live community", async () => {
  const path = new URL("../../scenarios/citylearn-2022.json", import.meta.url);
  const scenario = parseScenario(JSON.parse(readFileSync(path, "utf8")), "s");
  const doc = communityFromScenario(scenario, { id: "fontana", adminPublicKey: ADMIN }, "s");
  assert.equal(doc.name, scenario.name);
  assert.equal(doc.currency, "USD");
  assert.equal(doc.time_zone, "Etc/GMT+8");
  assert.equal(doc.interval_minutes, 60);
  assert.deepEqual(doc.market, { mechanism: "uniform", k: 0.5 });
  assert.deepEqual(doc.tariff, {
    import: { dataset: "citylearn" },
    export_price_per_kwh: 0.05,
    network_fee_per_kwh: 0.01,
    carbon: { dataset: "citylearn" },
  });
  assert.equal(doc.operator.block_signing_public_key, ADMIN);
  const c = await communityConfig(doc, "s");
  assert.equal(c.importPriceMicroAt(at("2016-08-01T15:00:00-08:00")), 540_000);
  assert.ok((c.carbonKgPerKwhAt?.(0) ?? 0) > 0);
  const fiveMinutes = { ...scenario, market: { ...scenario.market, interval_minutes: 45 } };
  assert.throws(
    () => communityFromScenario(fiveMinutes, { id: "x", adminPublicKey: ADMIN }, "s"),
    /s: interval_minutes: expected one of 5, 10, 15, 20, 30, 60/,
  );
});

test("community file: loading names the file when it is not JSON or not there", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-community-"));
  const good = join(dir, "community.json");
  writeFileSync(good, JSON.stringify(template));
  assert.equal((await loadCommunityFile(good)).blockSigningPublicKey, BLOCK);
  const broken = join(dir, "broken.json");
  writeFileSync(broken, "{ id: ");
  await assert.rejects(loadCommunityFile(broken), (e: GridshareError) => {
    assert.equal(e.code, "E_COMMUNITY_INVALID");
    assert.match(e.message, /broken\.json: not valid JSON/);
    return true;
  });
  await assert.rejects(
    loadCommunityFile(join(dir, "none.json")),
    /cannot read community file .*none\.json: no such file/,
  );
});
