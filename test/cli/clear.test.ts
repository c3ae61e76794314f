import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

const example = JSON.parse(
  readFileSync(new URL("../../examples/orders.json", import.meta.url), "utf8"),
);
const dir = mkdtempSync(join(tmpdir(), "gridshare-clear-"));

function withInput(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof doc === "string" || doc instanceof Uint8Array ? doc : JSON.stringify(doc),
  );
  return path;
}

function mutate(change: (doc: typeof example) => void): typeof example {
  const doc = structuredClone(example);
  change(doc);
  return doc;
}

test("default: JSON output has the documented shape", async () => {
  const r = await runCli(["clear", "--mechanism", "uniform", "--json", "examples/orders.json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc), [
    "mechanism",
    "k",
    "interval",
    "trades",
    "summary",
    "participants",
  ]);
  assert.deepEqual(Object.keys(doc.summary), [
    "traded_kwh",
    "clearing_price_per_kwh",
    "buy_price_per_kwh",
    "sell_price_per_kwh",
    "welfare",
    "budget_surplus",
    "network_fees",
    "grid_import_kwh",
    "grid_export_kwh",
    "grid_cost",
  ]);
  assert.deepEqual(Object.keys(doc.trades[0]), [
    "transaction_id",
    "seller",
    "buyer",
    "energy_amount_kwh",
    "price_per_kwh",
    "timestamp",
    "status",
  ]);
  assert.equal(doc.summary.clearing_price_per_kwh, 0.15);
  assert.equal(doc.trades[0].timestamp, "2026-06-01T12:00:00Z");
  assert.equal(r.stderr, "");
});

test("args: csv gives the trades table; mechanisms with split prices add seller_price_per_kwh", async () => {
  const csv = await runCli(["clear", "-m", "mcafee", "--format", "csv", "examples/orders.json"]);
  assert.equal(csv.code, 0);
  const [header, ...rows] = csv.stdout.trim().split("\n");
  assert.equal(
    header,
    "transaction_id,seller,buyer,energy_amount_kwh,price_per_kwh,timestamp,status,seller_price_per_kwh",
  );
  assert.equal(rows.length, 1);
  assert.match(rows[0] as string, /,home-1,home-7,1,0\.18,2026-06-01T12:00:00Z,completed,0\.12$/);
});

test("args: standard input with -, and a table on a terminal", async () => {
  const r = await runCli(["clear", "-"], { stdin: JSON.stringify(example), tty: true });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /clearing price\s+0\.15/);
  assert.match(r.stdout, /transaction_id\s+seller\s+buyer/);
});

const badCases: { name: string; doc: unknown; args?: string[]; message: RegExp }[] = [
  {
    name: "missing field",
    doc: mutate((d) => delete d.orders[2].energy_kwh),
    message:
      /orders\[2\] \(id "o3"\)\.energy_kwh: expected a positive number of kWh, received nothing/,
  },
  {
    name: "unknown field",
    doc: mutate((d) => (d.orders[1].colour = "green")),
    message: /orders\[1\] \(id "o2"\)\.colour: expected no such field/,
  },
  {
    name: "negative energy",
    doc: mutate((d) => (d.orders[0].energy_kwh = -1.2)),
    message:
      /orders\[0\] \(id "o1"\)\.energy_kwh: expected a positive number of kWh, received -1\.2/,
  },
  {
    name: "zero energy",
    doc: mutate((d) => (d.orders[0].energy_kwh = 0)),
    message: /orders\[0\] \(id "o1"\)\.energy_kwh: expected a positive number of kWh, received 0/,
  },
  {
    name: "non-finite energy",
    doc: JSON.stringify(example).replace('"energy_kwh":1.2', '"energy_kwh":1e999'),
    message:
      /orders\[0\] \(id "o1"\)\.energy_kwh: expected a positive number of kWh, received Infinity/,
  },
  {
    name: "energy below one Wh",
    doc: mutate((d) => (d.orders[3].energy_kwh = 0.0004)),
    message: /orders\[3\] \(id "o4"\)\.energy_kwh: expected at least 0\.0005 kWh/,
  },
  // Past exact arithmetic: 123,456,789,012.345 kWh settled 10 micro-units off, with exit 0.
  {
    name: "energy past the order bound",
    doc: mutate((d) => (d.orders[0].energy_kwh = 123_456_789_012.345)),
    message:
      /orders\[0\] \(id "o1"\)\.energy_kwh: expected at most 10000 kWh \(one order's upper bound\), received 123456789012\.345/,
  },
  {
    name: "a terawatt-hour",
    doc: mutate((d) => (d.orders[0].energy_kwh = 1e12)),
    message: /orders\[0\] \(id "o1"\)\.energy_kwh: expected at most 10000 kWh/,
  },
  {
    name: "price past the bound",
    doc: mutate((d) => (d.orders[4].price_per_kwh = 100.000001)),
    message: /orders\[4\] \(id "o5"\)\.price_per_kwh: expected at most 100 per kWh/,
  },
  {
    name: "import price past the bound",
    doc: mutate((d) => (d.grid.import_price_per_kwh = 1e9)),
    message: /grid\.import_price_per_kwh: expected at most 100 per kWh/,
  },
  {
    name: "a side past the interval's bound",
    doc: mutate((d) => {
      for (let i = 0; i < 101; i++)
        d.orders.push({
          ...d.orders[0],
          id: `big${i}`,
          participant: `seller-${i}`,
          energy_kwh: 10_000,
        });
    }),
    message:
      /orders\[106\] \(id "big100"\)\.energy_kwh: expected at most \d+(\.\d+)? kWh: one interval holds at most 1000000 kWh to sell in all/,
  },
  {
    name: "negative price",
    doc: mutate((d) => (d.orders[4].price_per_kwh = -0.1)),
    message:
      /orders\[4\] \(id "o5"\)\.price_per_kwh: expected a positive price per kWh, received -0\.1/,
  },
  {
    name: "zero price",
    doc: mutate((d) => (d.orders[4].price_per_kwh = 0)),
    message:
      /orders\[4\] \(id "o5"\)\.price_per_kwh: expected a positive price per kWh, received 0/,
  },
  {
    name: "price as text",
    doc: mutate((d) => (d.orders[4].price_per_kwh = "0.1")),
    message:
      /orders\[4\] \(id "o5"\)\.price_per_kwh: expected a positive price per kWh, received "0\.1"/,
  },
  {
    name: "unknown side",
    doc: mutate((d) => (d.orders[5].side = "hold")),
    message: /orders\[5\] \(id "o6"\)\.side: expected "buy" or "sell", received "hold"/,
  },
  {
    name: "duplicate order ids",
    doc: mutate((d) => (d.orders[4].id = "o2")),
    message:
      /orders\[4\] \(id "o2"\)\.id: expected an id not used by another order \(orders\[1\] has it\)/,
  },
  {
    name: "malformed timestamp",
    doc: mutate((d) => (d.orders[1].timestamp = "2026-06-01 11:58")),
    message: /orders\[1\] \(id "o2"\)\.timestamp: expected an ISO 8601 time with offset/,
  },
  {
    name: "impossible date",
    doc: mutate((d) => (d.interval.start = "2026-02-30T12:00:00Z")),
    message: /interval\.start: expected an ISO 8601 time/,
  },
  {
    name: "missing grid",
    doc: mutate((d) => delete d.grid),
    message: /grid: expected an object \{ import_price_per_kwh/,
  },
  {
    name: "negative feed-in",
    doc: mutate((d) => (d.grid.export_price_per_kwh = -0.01)),
    message: /grid\.export_price_per_kwh: expected a price per kWh of 0 or more, received -0\.01/,
  },
  {
    name: "orders not an array",
    doc: mutate((d) => (d.orders = {})),
    message: /orders: expected an array of orders, received an object/,
  },
  {
    name: "both sides in a call auction",
    doc: mutate((d) => d.orders.push({ ...d.orders[0], id: "o7", side: "buy" })),
    message: /orders\[6\] \(id "o7"\)\.side: expected "sell" like this participant's orders\[0\]/,
  },
  // JSON.parse keeps the last of two keys, and reading as UTF-8 replaced bad bytes silently.
  {
    name: "a key given twice",
    doc: JSON.stringify(example).replace('"energy_kwh":1.2', '"energy_kwh":1.2,"energy_kwh":99'),
    message: /line 1, column \d+: the key "energy_kwh" is given twice in one object/,
  },
  {
    name: "invalid UTF-8",
    doc: Buffer.concat([
      Buffer.from(JSON.stringify(example).replace('"o1"', '"o')),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(JSON.stringify(example).slice(JSON.stringify(example).indexOf('"o1"') + 3)),
    ]),
    message: /not valid UTF-8 \(at byte \d+\); save the file as UTF-8/,
  },
  {
    name: "malformed JSON",
    doc: '{ "interval": { "start": "2026-06-01T12:00:00Z", }',
    message: /not valid JSON at line 1, column \d+/,
  },
  {
    name: "unknown mechanism",
    doc: example,
    args: ["--mechanism", "vickrey"],
    message:
      /--mechanism: expected one of cda, uniform, pay-as-bid, mcafee, sdr, mmr, bill-sharing, received "vickrey"/,
  },
  {
    name: "k out of range",
    doc: example,
    args: ["--k", "1.5"],
    message: /--k: expected a number from 0 to 1, received "1\.5"/,
  },
  {
    name: "unknown format",
    doc: example,
    args: ["--format", "xml"],
    message: /--format: expected one of table, json, csv, received "xml"/,
  },
];

for (const c of badCases) {
  test(`error: ${c.name} exits 2 with one message naming the place, nothing on stdout`, async () => {
    const path = withInput(`${c.name.replace(/\W+/g, "-")}.json`, c.doc);
    const r = await runCli(["clear", ...(c.args ?? []), path]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, c.message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
}

test("error: an unreadable file exits 2", async () => {
  const r = await runCli(["clear", join(dir, "missing.json")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read .*missing\.json: no such file/);
  assert.equal(r.stdout, "");
});

test("error: a directory instead of a file exits 2", async () => {
  const r = await runCli(["clear", dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /it is a directory/);
});

test("default: the installed binary prints its version and help", () => {
  const bin = new URL("../../bin/gridshare.js", import.meta.url).pathname;
  const version = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
  assert.equal(version.status, 0);
  assert.equal(
    version.stdout.trim(),
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version,
  );
  const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /clear \[options\] <file>/);
  const bad = spawnSync(process.execPath, [bin, "clear", "--mechanism", "nope", "x.json"], {
    encoding: "utf8",
  });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, "");
});
