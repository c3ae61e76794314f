/**
 * The command-line clients against a real server listening on 127.0.0.1 (embedded database,
 * manual clock): the operator registers four homes, they submit signed orders, the clock moves
 * past the gate, and the trades, a verified copy of the ledger and a proof come back; refusals
 * are the server's codes and statuses, an unreachable server is said plainly.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fetchLedger } from "../../src/app/ledgerFetch.js";
import { signAdminAction } from "../../src/app/liveRequests.js";
import { serverClient } from "../../src/cli/http.js";
import { VerificationError } from "../../src/core/errors.js";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import type { Identity } from "../../src/ledger/keys.js";
import { TRADE_RECORD_COLUMNS } from "../../src/market/records.js";
import { buildApp } from "../../src/server/app.js";
import { openPlatform } from "../../src/service/platform.js";
import { writeIdentity } from "../../src/store/keyFile.js";
import type { HeadPointer } from "../../src/store/ledgerStore.js";
import { runCli } from "../support/cli.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";

const MIN = 60_000;
const ADMIN = fixedIdentity("admin");
const dir = mkdtempSync(join(tmpdir(), "gridshare-clients-"));
const keys = join(dir, "keys");
let server: string;
let close: () => Promise<void>;

const adminKey = join(keys, "admin.key");
const homeKey = (i: number) => join(keys, `home-${i}.key`);
const home = (i: number) => HOMES[i] as Identity;

/** The command's stdout, after asserting it exited `code`. */
async function cli(argv: string[], code = 0): Promise<string> {
  const r = await runCli(argv);
  assert.equal(r.code, code, `gridshare ${argv.join(" ")}: ${r.stderr}`);
  return code === 0 ? r.stdout : r.stderr;
}

before(async () => {
  mkdirSync(keys);
  await writeIdentity(adminKey, ADMIN, { force: false });
  for (const [i, h] of HOMES.entries()) await writeIdentity(homeKey(i), h, { force: false });
  const doc = communityTemplate(
    { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: OPERATOR.publicKey, id: "fontana" },
    "test",
  );
  const platform = await openPlatform({
    config: await communityConfig(doc, "test"),
    dataDir: join(dir, "data"),
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
  });
  const app = await buildApp(platform);
  server = await app.listen({ host: "127.0.0.1", port: 0 });
  close = async () => {
    await app.close();
    await platform.close();
  };
});

after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

test("clients: the operator registers the homes; the same key again is a conflict", async () => {
  for (const [i, h] of HOMES.entries()) {
    const added = JSON.parse(
      await cli([
        "participant",
        "add",
        "--server",
        server,
        "--operator-key",
        adminKey,
        "--public-key",
        i === 0 ? homeKey(i) : h.publicKey,
        "--name",
        `Building_${i + 1}`,
        "--meter",
        `m-${i + 1}`,
        "--json",
      ]),
    );
    assert.deepEqual(added, {
      id: h.participant,
      name: `Building_${i + 1}`,
      status: "active",
      meter: `m-${i + 1}`,
    });
  }
  const again = ["participant", "add", "--server", server, "--operator-key", adminKey];
  const refused = await cli([...again, "--public-key", home(0).publicKey, "--name", "x"], 2);
  assert.match(refused, /^gridshare: E_CONFLICT \(409\): /);
  const forged = await cli(
    ["participant", "add", "--server", server, "--operator-key", homeKey(1)].concat([
      "--public-key",
      ADMIN.publicKey,
      "--name",
      "x",
    ]),
    2,
  );
  assert.match(forged, /E_FORBIDDEN \(403\)/);
  const suspend = ["--server", server, "--operator-key", adminKey, "--id", home(3).participant];
  assert.equal(
    await cli(["participant", "suspend", ...suspend, "--format", "csv"]),
    `id,status\n${home(3).participant},suspended\n`,
  );
  assert.match(await cli(["participant", "reinstate", ...suspend], 0), /"status": "active"/);
  const listed = await cli(["participants", "--server", server, "--format", "csv"]);
  assert.equal(listed.split("\n")[0], "id,name,role,status");
  assert.equal(listed.trim().split("\n").length, 5);
});

test("clients: the clock and the open intervals", async () => {
  const clock = JSON.parse(await cli(["clock", "--server", server, "--json"]));
  assert.equal(clock.now, formatInstant(T0 - 60 * MIN));
  const table = (await runCli(["clock", "--server", server], { tty: true })).stdout;
  assert.match(table, /^now +2026-06-01T11:00:00Z$/m);
  const intervals = JSON.parse(await cli(["intervals", "--server", server]));
  const t0 = intervals.find((i: { start: string }) => i.start === formatInstant(T0));
  assert.deepEqual(t0, {
    start: formatInstant(T0),
    gate_closes_at: formatInstant(T0 - 5 * MIN),
    status: "open",
  });
  // The community's zone is UTC: a local day of 96 quarter-hours, those before 11:05 closed.
  const day = JSON.parse(await cli(["intervals", "--server", server, "--day", "2026-06-01"]));
  assert.equal(day.length, 96);
  assert.equal(day.filter((i: { status: string }) => i.status === "gate_closed").length, 45);
  assert.match(
    await cli(["intervals", "--server", server, "--day", "June 1"], 2),
    /E_INPUT \(422\): day: expected a calendar day YYYY-MM-DD/,
  );
});

test("clients: four homes submit orders; a missing interval_start is named", async () => {
  const spec = [
    { side: "sell", kwh: 1.2, price: 0.08 },
    { side: "sell", kwh: 0.7, price: 0.12 },
    { side: "buy", kwh: 1.0, price: 0.28 },
    { side: "buy", kwh: 0.9, price: 0.18 },
  ];
  for (const [i, s] of spec.entries()) {
    const file = join(dir, `order-${i}.json`);
    const order = {
      id: `o-${i}`,
      side: s.side,
      energy_kwh: s.kwh,
      price_per_kwh: s.price,
      interval_start: formatInstant(T0),
      // One home names itself and its time; the others leave both to the command.
      ...(i === 0
        ? { participant: home(0).participant, timestamp: formatInstant(T0 - 30 * MIN) }
        : {}),
    };
    writeFileSync(file, JSON.stringify(order));
    const receipt = JSON.parse(
      await cli(["order", "submit", "--server", server, "--key", homeKey(i), file]),
    );
    assert.equal(receipt.order_id, `o-${i}`);
    assert.equal(receipt.participant, home(i).participant);
    assert.equal(receipt.interval_start, formatInstant(T0));
    assert.equal(receipt.status, "open");
    assert.equal(receipt.created, true);
    assert.equal(typeof receipt.received_seq, "number");
  }
  const dup = await cli(
    ["order", "submit", "--server", server, "--key", homeKey(0), join(dir, "order-0.json")],
    2,
  );
  assert.match(dup, /E_MARKET_DUPLICATE_ID \(409\)/);
  const noInterval = join(dir, "no-interval.json");
  writeFileSync(
    noInterval,
    JSON.stringify({ id: "x", side: "buy", energy_kwh: 1, price_per_kwh: 0.2 }),
  );
  const missing = await cli(
    ["order", "submit", "--server", server, "--key", homeKey(2), noInterval],
    2,
  );
  assert.match(
    missing,
    /no-interval\.json: interval_start: expected the start of the delivery interval/,
  );
});

test("clients: past the gate, the trades, a verified copy of the ledger and a proof", async () => {
  const moved = await fetch(`${server}/v1/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(
      signAdminAction({ action: "clock.advance", to: formatInstant(T0) }, ADMIN, Date.now()),
    ),
    signal: AbortSignal.timeout(20_000),
  });
  assert.equal(moved.status, 200);

  const csv = await cli([
    "trades",
    "--server",
    server,
    "--interval",
    formatInstant(T0),
    "--format",
    "csv",
  ]);
  const [header, ...rows] = csv.trim().split("\n");
  assert.equal(header, TRADE_RECORD_COLUMNS.join(","));
  assert.ok(rows.length > 0);
  const trades = JSON.parse(
    await cli(["trades", "--server", server, "--participant", home(0).participant]),
  );
  assert.ok(trades.length > 0);
  assert.deepEqual(Object.keys(trades[0]), [...TRADE_RECORD_COLUMNS]);
  assert.equal(trades[0].seller, home(0).participant);

  const copy = join(dir, "copy");
  const fetched = await runCli(["ledger", "fetch", "--server", server, "--out", copy]);
  assert.equal(fetched.code, 0, fetched.stderr);
  // Six registry blocks (four registrations, a suspension, a reinstatement), then the
  // cleared interval's.
  assert.match(fetched.stdout, /^ok: 7 blocks, \d+ trades/);
  assert.match(fetched.stderr, /fetched \d+ bytes \(7 blocks\)/);
  assert.match(
    await cli(["ledger", "verify", copy, "--operator", OPERATOR.publicKey]),
    /^ok: 7 blocks/,
  );
  assert.match(
    await cli(["ledger", "fetch", "--server", server, "--out", copy], 2),
    /is not empty/,
  );
  assert.match(
    await cli(["ledger", "fetch", "--server", server, "--out", copy, "--force", "--json"]),
    /"valid": true/,
  );

  const tx = trades[0].transaction_id;
  const proof = await cli(["ledger", "prove", "--server", server, "--tx", tx]);
  assert.equal(proof, await cli(["ledger", "prove", copy, "--tx", tx]));
  const proofFile = join(dir, "proof.json");
  writeFileSync(proofFile, proof);
  assert.match(
    await cli(["ledger", "check-proof", proofFile, "--operator", OPERATOR.publicKey]),
    /^ok: trade /,
  );
  assert.match(
    await cli(["ledger", "prove", "--server", server, "--tx", "nope"], 2),
    /E_LEDGER_TX_NOT_FOUND \(404\)/,
  );
  assert.match(await cli(["ledger", "prove", "--tx", tx], 2), /the ledger directory, or --server/);
});

test("clients: a server that cannot be reached is named, exit 1", async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const r = await runCli(["participants", "--server", url]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `gridshare: cannot reach the server at ${url}: connection refused (is the server running, on that port?)\n`,
  );
  assert.match((await runCli(["clock", "--server", "not a url"])).stderr, /--server: expected/);
});

test("clients: a copy that does not verify is a verification failure (exit 3), and stays for a look", async () => {
  const api = serverClient(server);
  const copy = join(dir, "bad-copy");
  const refused = fetchLedger({
    dir: copy,
    force: false,
    source: {
      // Another key than the one that signed the heads.
      operatorKey: async () => home(0).publicKey,
      headPointer: async () =>
        ((await api.get("/v1/ledger/head")) as { pointer: HeadPointer }).pointer,
      log: (bytes) => api.bytes(`/v1/ledger/log?bytes=${bytes}`),
    },
  });
  await assert.rejects(refused, (e: unknown) => e instanceof VerificationError);
  assert.match(await cli(["ledger", "verify", copy, "--operator", OPERATOR.publicKey]), /^ok: /);
});

test("clients: a member's book, own orders and cancel", async () => {
  const at = T0 + 15 * MIN;
  const submit = async (i: number, id: string, side: string, price: number) => {
    const file = join(dir, `${id}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        id,
        side,
        energy_kwh: 0.5,
        price_per_kwh: price,
        interval_start: formatInstant(at),
      }),
    );
    await cli(["order", "submit", "--server", server, "--key", homeKey(i), file]);
  };
  await submit(0, "m-1", "sell", 0.1);
  await submit(1, "m-2", "sell", 0.1);
  await submit(2, "m-3", "buy", 0.25);
  const book = await cli([
    "book",
    "--server",
    server,
    "--interval",
    formatInstant(at),
    "--format",
    "csv",
  ]);
  assert.equal(book, "side,price_per_kwh,energy_kwh,orders\nbuy,0.25,0.5,1\nsell,0.1,1,2\n");
  // Without --interval: the next interval to close, which (the clock at 12:00) is this one.
  assert.deepEqual(
    JSON.parse(await cli(["book", "--server", server])),
    JSON.parse(await cli(["book", "--server", server, "--interval", formatInstant(at)])),
  );

  const mine = JSON.parse(
    await cli(["orders", "--server", server, "--key", homeKey(0), "--interval", formatInstant(at)]),
  );
  assert.deepEqual(
    mine.map((o: { order_id: string; status: string }) => [o.order_id, o.status]),
    [["m-1", "open"]],
  );
  const cancel = ["order", "cancel", "--server", server, "--key", homeKey(1), "--id", "m-2"];
  const cancelled = JSON.parse(await cli([...cancel, "--interval", formatInstant(at)]));
  assert.deepEqual(cancelled, {
    interval_start: formatInstant(at),
    order_id: "m-2",
    participant: home(1).participant,
    status: "cancelled",
  });
  // Another member's order is not found under one's own key.
  const other = ["order", "cancel", "--server", server, "--key", homeKey(2), "--id", "m-1"];
  assert.match(await cli([...other, "--interval", formatInstant(at)], 2), /E_NOT_FOUND \(404\)/);
  const status = ["orders", "--server", server, "--key", homeKey(1), "--status", "cancelled"];
  assert.match(await cli([...status, "--format", "csv"]), /^order_id,.*\nm-2,/);
  assert.equal(
    await cli(["book", "--server", server, "--interval", formatInstant(at), "--format", "csv"]),
    "side,price_per_kwh,energy_kwh,orders\nbuy,0.25,0.5,1\nsell,0.1,0.5,1\n",
  );
  assert.match(
    await cli(["orders", "--server", server, "--key", homeKey(1), "--status", "done"], 2),
    /--status: expected one of open/,
  );
});

test("clients: trades --follow prints each cleared interval's trades as they come", async () => {
  const at = T0 + 15 * MIN;
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "trades",
      "--follow",
      "--server",
      server,
      "--format",
      "json",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await until(() => /following trades at ws:/.test(err), "the subscription");
    const before = out.trim().split("\n").filter(Boolean).length;
    const moved = await fetch(`${server}/v1/clock/advance`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        signAdminAction(
          { action: "clock.advance", to: formatInstant(at - 5 * MIN) },
          ADMIN,
          Date.now(),
        ),
      ),
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(moved.status, 200);
    await until(() => out.trim().split("\n").filter(Boolean).length > before, "a trade");
    const lines = out
      .trim()
      .split("\n")
      .slice(before)
      .map((l) => JSON.parse(l));
    const published = (await serverClient(server).get(
      `/v1/trades?interval=${formatInstant(at)}`,
    )) as {
      trades: Record<string, unknown>[];
    };
    assert.deepEqual(
      lines.map((t) => t.transaction_id),
      published.trades.map((t) => t.transaction_id),
    );
  } finally {
    child.kill("SIGINT");
  }
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, err);
});
