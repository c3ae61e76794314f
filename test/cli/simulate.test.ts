import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-sim-"));
const DEMO = new URL("../../scenarios/citylearn-2022.json", import.meta.url).pathname;
const demo = JSON.parse(readFileSync(DEMO, "utf8"));

test("simulate: outputs, a ledger that verifies, and identical bytes on a second run", async () => {
  const a = join(dir, "a");
  const b = join(dir, "b");
  for (const out of [a, b]) {
    const r = await runCli([
      "simulate",
      DEMO,
      "--out",
      out,
      "--days",
      "7",
      "--compare",
      "sdr,mcafee",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /total bill \(USD\)/);
  }
  for (const f of [
    "results.json",
    "homes.csv",
    "intervals.csv",
    "trades.csv",
    "report.html",
    "ledger/ledger.log",
    "ledger/HEAD",
  ]) {
    assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(b, f)), `${f} is deterministic`);
  }
  const results = JSON.parse(readFileSync(join(a, "results.json"), "utf8"));
  assert.deepEqual(Object.keys(results.variants), ["grid_only", "p2p", "sdr", "mcafee"]);
  assert.equal(results.variants.p2p.mechanism, "uniform");
  assert.equal(results.variants.p2p.homes.length, 17);
  const trades = readFileSync(join(a, "trades.csv"), "utf8").trim().split("\n");
  assert.equal(
    trades[0],
    "transaction_id,seller,buyer,energy_amount_kwh,price_per_kwh,timestamp,status,seller_price_per_kwh",
  );
  assert.equal(trades.length - 1, results.variants.p2p.trades);
  const verified = await runCli([
    "ledger",
    "verify",
    join(a, "ledger"),
    "--operator",
    join(a, "ledger", "operator.pub"),
  ]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(
    verified.stdout,
    new RegExp(`^ok: 168 blocks, ${results.variants.p2p.trades} trades`),
  );
  const report = readFileSync(join(a, "report.html"), "utf8");
  assert.doesNotMatch(
    report,
    /<script|https?:\/\/(?!www\.w3\.org)/,
    "the report is self-contained",
  );
  // Its assumptions say how the homes bid and how their batteries ran.
  assert.match(
    report,
    /Bids: each home&#39;s agent \(17 truthful\)|Bids: each home's agent \(17 truthful\)/,
  );
  assert.match(report, /Home batteries follow the self-consumption rule/);
});

test("simulate --sign-orders: every order signed by its home's key, and the ledger verifies", async () => {
  const out = join(dir, "signed");
  const r = await runCli(["simulate", DEMO, "--out", out, "--days", "2", "--sign-orders"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /signed [\d,]+ orders in/);
  const map = JSON.parse(readFileSync(join(out, "participants.json"), "utf8"));
  assert.match(map.Building_1, /^gs[0-9a-f]{40}$/);
  const verified = await runCli(["ledger", "verify", join(out, "ledger"), "--json"]);
  assert.equal(verified.code, 0, verified.stderr);
  const report = JSON.parse(verified.stdout);
  assert.equal(report.blocks, 48);
  assert.ok(report.signatures > report.blocks, "order signatures are checked too");
});

const allFeatures = () => JSON.parse(readFileSync("scenarios/all-features.json", "utf8"));

function scenarioWith(name: string, change: (d: typeof demo) => void): string {
  const d = structuredClone(demo);
  change(d);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(d));
  return path;
}

const bad: [string, (d: typeof demo) => void, RegExp][] = [
  [
    "unknown field",
    (d) => (d.members[2].colour = "red"),
    /members\[2\]\.colour: expected no such field/,
  ],
  [
    "negative capacity",
    (d) => (d.members[0].battery.capacity_kwh = -6.4),
    /members\[0\]\.battery\.capacity_kwh: expected a positive number \(kWh\), received -6\.4/,
  ],
  [
    "missing data file",
    (d) => (d.members[1].load = { csv: "no-such.csv", column: "kw", unit: "kW" }),
    /members\[1\]\.load\.csv: cannot read no-such\.csv/,
  ],
  [
    "units missing",
    (d) => (d.members[1].load = { csv: "x.csv", column: "kw" }),
    /members\[1\]\.load\.unit: expected the unit of the values: one of kW, W, kWh, Wh/,
  ],
  [
    "period outside the data",
    (d) => (d.period = { start: "2018-01-01T00:00:00-08:00", days: 7 }),
    /members\[0\]\.load: the period 2018-01-01T08:00:00Z to 2018-01-08T08:00:00Z is outside the data/,
  ],
  [
    "unknown mechanism",
    (d) => (d.market.mechanism = "vickrey"),
    /market\.mechanism: expected one of cda, uniform/,
  ],
  [
    "bad time zone",
    (d) => (d.time_zone = "Mars/Base"),
    /time_zone: expected an IANA time zone name/,
  ],
  [
    "duplicate home ids",
    (d) => (d.members[3].id = "Building_1"),
    /members\[3\]\.id: expected an id not used by another home \(members\[0\] has it\)/,
  ],
  // Errors inside a nullable object named the null alternative, not the field.
  [
    "a battery without its capacity",
    (d) => {
      delete d.members[0].battery.capacity_kwh;
    },
    /members\[0\]\.battery\.capacity_kwh: expected a positive number \(kWh\), received nothing/,
  ],
  [
    "an import price of no kind",
    (d) => {
      Object.assign(d, allFeatures());
      delete d.tariff.import.time_of_use;
    },
    /tariff\.import: expected an object with one of the fields dataset, flat, time_of_use/,
  ],
  [
    "an EV needing more than its battery",
    (d) => {
      Object.assign(d, allFeatures());
      d.members[0].ev.energy_needed_kwh = 1000;
    },
    /members\[0\]\.ev\.energy_needed_kwh: expected at most battery_kwh/,
  ],
  [
    "overlapping time-of-use periods",
    (d) => {
      Object.assign(d, allFeatures());
      d.tariff.import.time_of_use[1].from = "15:00";
    },
    /tariff\.import\.time_of_use\[1\]: expected a period that does not overlap another \(periods\[0\] also covers 15:00\)/,
  ],
  [
    "PV of 1e308 kWp",
    (d) => (d.members[0].pv.kwp = 1e308),
    /members\[0\]\.pv\.kwp: expected a positive number of at most 100000 \(kWp\)/,
  ],
  [
    "a period of a billion days",
    (d) => (d.period = { start: "2016-08-01T00:00:00-08:00", days: 1e9 }),
    /period\.days: expected a whole number of days, at most 36600/,
  ],
  ["not JSON", () => {}, /not valid JSON/],
];

for (const [name, change, message] of bad) {
  test(`error: a scenario with ${name} exits 2 naming the field, and writes nothing`, async () => {
    const path = scenarioWith(name.replace(/\W+/g, "-"), change);
    if (name === "not JSON") writeFileSync(path, "{ nope");
    const out = join(dir, `out-${name.replace(/\W+/g, "-")}`);
    const r = await runCli(["simulate", path, "--out", out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
    assert.equal(existsSync(out), false, "nothing written");
    const check = await runCli(["scenario", "check", path]);
    assert.equal(check.code, 2);
  });
}

test("scenario schema prints a JSON Schema; scenario check loads the demo", async () => {
  const schema = JSON.parse((await runCli(["scenario", "schema"])).stdout);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.properties.members);
  const r = await runCli(["scenario", "check", DEMO]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /ok: .*17 homes, 2016-08-01T08:00:00Z to 2017-08-01T07:00:00Z, 8759 intervals/,
  );
});

test("error: bad simulate usage exits 2", async () => {
  for (const [args, message] of [
    [["--compare", "uniform,nope"], /--compare: expected mechanisms from/],
    [["--homes", "0"], /--homes: expected a positive whole number/],
    [["--ledger", "maybe", "--out", join(dir, "x")], /--ledger: expected on or off/],
    [["--ledger", "on"], /--ledger on: needs --out/],
  ] as const) {
    const r = await runCli(["simulate", DEMO, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});

test("behavior: a home id with a comma and a quote is quoted in trades.csv, so the file reads back", async () => {
  const doc = JSON.parse(
    readFileSync(new URL("../fixtures/sim/two-homes.json", import.meta.url), "utf8"),
  );
  doc.members[0].id = 'Smith, "A"';
  const fixtures = new URL("../fixtures/sim/", import.meta.url).pathname;
  const path = join(fixtures, `.comma-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(doc));
  const out = join(dir, "comma");
  try {
    const r = await runCli(["simulate", path, "--ledger", "off", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    rmSync(path);
  }
  const lines = readFileSync(join(out, "trades.csv"), "utf8").trim().split("\n");
  assert.ok(lines.length > 1, "the two homes trade");
  const header = lines[0]?.split(",") ?? [];
  for (const line of lines.slice(1)) {
    assert.match(line, /"Smith, ""A"""/);
    // Quoted fields aside, every row has as many cells as the header.
    const cells = line.replace(/"(?:[^"]|"")*"/g, "x").split(",");
    assert.equal(cells.length, header.length, line);
  }
});
