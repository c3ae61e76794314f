import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { signOrder } from "../../src/ledger/envelope.js";
import { parseKeyDocument } from "../../src/ledger/keys.js";
import { HEAD_FILE, LOG_FILE } from "../../src/store/ledgerStore.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-cli-ledger-"));
const p = (name: string) => join(dir, name);

async function ok(argv: string[], stdin?: string): Promise<string> {
  const r = await runCli(argv, stdin === undefined ? {} : { stdin });
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function newKey(name: string): Promise<{ participant: string; public_key: string }> {
  return JSON.parse(await ok(["keys", "new", "--out", p(name)]));
}

function order(id: string, participant: string, side: "buy" | "sell", kwh: number, price: number) {
  return {
    id,
    participant,
    side,
    energy_kwh: kwh,
    price_per_kwh: price,
    timestamp: "2026-06-01T11:59:00Z",
  };
}

async function sign(
  key: string,
  doc: unknown,
  extra: string[] = [],
): Promise<Record<string, unknown>> {
  writeFileSync(p("order.json"), JSON.stringify(doc));
  return JSON.parse(await ok(["order", "sign", "--key", p(key), p("order.json"), ...extra]));
}

function intervalFile(name: string, start: string, orders: unknown[]): string {
  writeFileSync(
    p(name),
    JSON.stringify({
      interval: { start, minutes: 15 },
      grid: { import_price_per_kwh: 0.3, export_price_per_kwh: 0.05 },
      orders,
    }),
  );
  return p(name);
}

const snapshot = (ledger: string) => [
  readFileSync(join(ledger, LOG_FILE)),
  readFileSync(join(ledger, HEAD_FILE)),
];

test("keys: new writes mode 0600 and never overwrites without --force; show prints only the public part", async () => {
  const a = await newKey("k1.key");
  assert.match(a.participant, /^gs[0-9a-f]{40}$/);
  assert.equal(statSync(p("k1.key")).mode & 0o777, 0o600);
  const again = await runCli(["keys", "new", "--out", p("k1.key")]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists \(use --force/);
  assert.deepEqual(
    JSON.parse(readFileSync(p("k1.key"), "utf8")).public_key,
    a.public_key,
    "unchanged",
  );
  const b = JSON.parse(await ok(["keys", "new", "--out", p("k1.key"), "--force"]));
  assert.notEqual(b.public_key, a.public_key);
  assert.equal(statSync(p("k1.key")).mode & 0o777, 0o600);
  const shown = JSON.parse(await ok(["keys", "show", p("k1.key")]));
  assert.deepEqual(Object.keys(shown), ["participant", "public_key"]);
  assert.equal(shown.public_key, b.public_key);
});

test("ledger: signed orders cleared into blocks, verified, exported and proved", async () => {
  const seller = await newKey("seller.key");
  const buyer = await newKey("buyer.key");
  const s1 = await sign("seller.key", order("s1", seller.participant, "sell", 1.5, 0.08));
  const b1 = await sign("buyer.key", order("b1", buyer.participant, "buy", 1.0, 0.25));
  const ledger = p("ledger");
  const first = await runCli([
    "clear",
    "--ledger",
    ledger,
    "--require-signatures",
    "--json",
    intervalFile("i0.json", "2026-06-01T12:00:00Z", [s1, b1]),
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /created operator key .*operator\.key/);
  assert.match(first.stderr, /appended block 0 to .*: 1 trades/);
  assert.equal(statSync(join(ledger, "operator.key")).mode & 0o777, 0o600);
  const traded = JSON.parse(first.stdout).trades[0].transaction_id as string;

  const s2 = await sign("seller.key", order("s2", seller.participant, "sell", 0.5, 0.1));
  const b2 = await sign("buyer.key", order("b2", buyer.participant, "buy", 0.5, 0.2));
  await ok([
    "clear",
    "--ledger",
    ledger,
    "--require-signatures",
    intervalFile("i1.json", "2026-06-01T12:15:00Z", [s2, b2]),
  ]);

  const operator = JSON.parse(await ok(["keys", "show", join(ledger, "operator.key")]));
  const verified = await ok(["ledger", "verify", ledger, "--operator", operator.public_key]);
  assert.match(
    verified,
    /^ok: 2 blocks, 2 trades, 6 signatures, tree size \d+, head [0-9a-f]{64}\n$/,
  );
  const asJson = JSON.parse(await ok(["ledger", "verify", ledger, "--json"]));
  assert.equal(asJson.blocks, 2);

  const all = JSON.parse(await ok(["ledger", "export", ledger, "--json"]));
  assert.equal(all.length, 2);
  assert.equal(all[0].data_quality, "measured");
  assert.deepEqual(Object.keys(all[0]), [
    "buyer",
    "data_quality",
    "energy_amount_kwh",
    "price_per_kwh",
    "seller",
    "status",
    "timestamp",
    "transaction_id",
  ]);
  const later = JSON.parse(
    await ok(["ledger", "export", ledger, "--json", "--from", "2026-06-01T12:15:00Z"]),
  );
  assert.deepEqual(
    later.map((r: { timestamp: string }) => r.timestamp),
    ["2026-06-01T12:15:00Z"],
  );
  const none = JSON.parse(
    await ok(["ledger", "export", ledger, "--json", "--participant", "nobody"]),
  );
  assert.deepEqual(none, []);
  const csv = await ok([
    "ledger",
    "export",
    ledger,
    "--format",
    "csv",
    "--participant",
    buyer.participant,
  ]);
  assert.equal(
    csv.split("\n")[0],
    "transaction_id,seller,buyer,energy_amount_kwh,price_per_kwh,timestamp,status,data_quality",
  );
  assert.equal(csv.trim().split("\n").length, 3);

  writeFileSync(p("proof.json"), await ok(["ledger", "prove", ledger, "--tx", traded]));
  assert.match(
    await ok([
      "ledger",
      "check-proof",
      p("proof.json"),
      "--operator",
      join(ledger, "operator.key"),
    ]),
    new RegExp(`ok: trade ${traded} is leaf \\d+ of the tree of \\d+ under head 1`),
  );
  writeFileSync(
    p("consistency.json"),
    await ok(["ledger", "consistency", ledger, "--from", "0", "--to", "1"]),
  );
  assert.match(
    await ok(["ledger", "check-consistency", p("consistency.json")]),
    /ok: head 1 \(tree \d+\) extends head 0/,
  );

  // Rejections with --require-signatures: exit 2, naming the order, and nothing appended.
  const before = snapshot(ledger);
  const unsignedFile = intervalFile("bad.json", "2026-06-01T12:30:00Z", [
    order("u1", seller.participant, "sell", 1, 0.1),
  ]);
  const tampered = { ...s2, order: { ...(s2.order as object), id: "s3", energy_kwh: 5 } };
  // Signed correctly, but by a key that is not the participant's (order sign refuses to do this).
  const buyerKey = parseKeyDocument(JSON.parse(readFileSync(p("buyer.key"), "utf8")), "buyer.key");
  const mismatch = signOrder(
    order("m1", seller.participant, "sell", 1, 0.1),
    buyerKey.identity!,
    "ab".repeat(16),
    Date.UTC(2027, 0, 1),
  );
  const expired = await sign("seller.key", order("e1", seller.participant, "sell", 1, 0.1), [
    "--expires-minutes",
    "0.0001",
  ]);
  // Signed "now", the order expires long before an interval in 2030.
  const cases: [string, unknown, RegExp, string][] = [
    [
      "unsigned",
      JSON.parse(readFileSync(unsignedFile, "utf8")).orders[0],
      /orders\[0\] \(id "u1"\): unsigned, and --require-signatures is set/,
      "2026-06-01T12:30:00Z",
    ],
    [
      "bad signature",
      tampered,
      /orders\[0\] \(id "s3"\): the signature does not verify/,
      "2026-06-01T12:30:00Z",
    ],
    [
      "participant not matching its key",
      mismatch,
      /orders\[0\] \(id "m1"\): participant "gs[0-9a-f]+" does not match its public key/,
      "2026-06-01T12:30:00Z",
    ],
    ["expired", expired, /orders\[0\] \(id "e1"\): expired at/, "2030-01-01T00:00:00Z"],
    [
      "replayed nonce",
      s1,
      /orders\[0\] \(id "s1"\): nonce [0-9a-f]+ was already used by this key/,
      "2026-06-01T12:30:00Z",
    ],
  ];
  for (const [name, item, message, start] of cases) {
    const r = await runCli([
      "clear",
      "--ledger",
      ledger,
      "--require-signatures",
      intervalFile("bad.json", start, [item]),
    ]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(r.stdout, "", name);
    assert.deepEqual(snapshot(ledger), before, `${name}: nothing appended`);
  }
  const past = await runCli([
    "clear",
    "--ledger",
    ledger,
    intervalFile("past.json", "2026-06-01T12:00:00Z", [order("x", "h", "sell", 1, 0.1)]),
  ]);
  assert.equal(past.code, 2);
  assert.match(past.stderr, /interval\.start: expected 2026-06-01T12:30:00Z or later/);
  assert.deepEqual(snapshot(ledger), before);
  const otherOperator = await runCli([
    "clear",
    "--ledger",
    ledger,
    "--operator-key",
    p("seller.key"),
    intervalFile("o.json", "2026-06-01T13:00:00Z", [order("x", "h", "sell", 1, 0.1)]),
  ]);
  assert.equal(otherOperator.code, 2);
  assert.match(otherOperator.stderr, /this ledger's operator key is/);
  assert.deepEqual(snapshot(ledger), before);
});

test("ledger: any damage inside an existing ledger is exit 3, version and header bytes included", async () => {
  const ledger = p("damaged");
  await ok(["clear", "--ledger", ledger, "examples/orders.json"]);
  const [log, head] = snapshot(ledger) as [Buffer, Buffer];
  for (const [file, original, at] of [
    [LOG_FILE, log, 0],
    [LOG_FILE, log, 8],
    [LOG_FILE, log, 13],
    [LOG_FILE, log, 20],
    [LOG_FILE, log, log.length - 2],
    [HEAD_FILE, head, 3],
    [HEAD_FILE, head, head.length - 1],
  ] as const) {
    const bad = Buffer.from(original);
    bad[at] = (bad[at] as number) ^ 0x10;
    writeFileSync(join(ledger, file), bad);
    const r = await runCli(["ledger", "verify", ledger]);
    assert.equal(r.code, 3, `${file} byte ${at}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, "");
    writeFileSync(join(ledger, file), original);
  }
  assert.equal((await runCli(["ledger", "verify", ledger])).code, 0);
});

test("error: no ledger, bad keys and malformed proofs are exit 2 with a clear message", async () => {
  const empty = mkdtempSync(join(tmpdir(), "gridshare-empty-"));
  const cases: [string[], RegExp][] = [
    [["ledger", "verify", empty], /no ledger here/],
    [["ledger", "verify", join(empty, "missing")], /no ledger here/],
    [["ledger", "export", empty], /no ledger here/],
    [["keys", "show", join(empty, "none.key")], /cannot read .*none\.key: no such file/],
    [
      ["order", "sign", "--key", join(empty, "none.key"), "examples/orders.json"],
      /cannot read key file/,
    ],
    [["ledger", "check-proof", "examples/orders.json"], /not a gridshare inclusion proof/],
    [["ledger", "verify", empty, "--operator", "not-a-key"], /cannot read key file not-a-key/],
  ];
  writeFileSync(join(empty, "corrupt.key"), "{ not json");
  cases.push([
    ["order", "sign", "--key", join(empty, "corrupt.key"), "examples/orders.json"],
    /corrupt\.key: not a gridshare key file/,
  ]);
  for (const [argv, message] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test("error: ledger queries name the flag of a bad argument, and a refused clear leaves no ledger behind", async () => {
  const ledger = p("queries");
  await ok(["clear", "--ledger", ledger, "examples/orders.json"]);
  const cases: [string[], RegExp][] = [
    [
      ["ledger", "prove", ledger, "--tx", "nope"],
      /^gridshare: --tx: no trade with transaction_id "nope"/,
    ],
    [
      ["ledger", "prove", ledger, "--tx", "nope", "--height", "x"],
      /--height: expected a block height/,
    ],
    [
      ["ledger", "consistency", ledger, "--from", "0", "--to", "4"],
      /^gridshare: --to: expected a height from 0 to 0, received 4/,
    ],
    [
      ["ledger", "verify", p("none")],
      /no ledger here .*; create one with gridshare clear --ledger/,
    ],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
  // Unsigned orders refused with --require-signatures: no directory, no operator key written.
  const fresh = p("never-created");
  const r = await runCli([
    "clear",
    "--ledger",
    fresh,
    "--require-signatures",
    "examples/orders.json",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /orders\[0\] \(id "o1"\): unsigned, and --require-signatures is set/);
  assert.equal(statSync(fresh, { throwIfNoEntry: false }), undefined);
});
