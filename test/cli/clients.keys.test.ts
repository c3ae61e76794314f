/**
 * The command-line clients of keys against a real server on 127.0.0.1: a member rotates its key
 * (`participant rotate-key`), its new key's orders and cancels find its participant, the old key
 * is refused; the operator re-binds a lost key (`participant rebind`); and `serve` hands block
 * signing over to a new key (`--previous-operator-key`), after which `ledger fetch` verifies.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { formatInstant } from "../../src/core/time.js";
import { communityTemplate } from "../../src/formats/communityFile.js";
import type { Identity } from "../../src/ledger/keys.js";
import { type RunningServer, startServe } from "../../src/server/serve.js";
import { writeIdentity } from "../../src/store/keyFile.js";
import { runCli } from "../support/cli.js";
import { OPERATOR_2 } from "../support/ledger2Fixtures.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";

const MIN = 60_000;
const ADMIN = fixedIdentity("admin");
const dir = mkdtempSync(join(tmpdir(), "gridshare-key-clients-"));
const keys = join(dir, "keys");
const file = (name: string) => join(keys, name);
const [A, B] = HOMES as [Identity, Identity];
const A2 = fixedIdentity("home-a 2");
const B2 = fixedIdentity("home-b 2");
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], code = 0): Promise<string> {
  const r = await runCli(argv);
  assert.equal(r.code, code, `gridshare ${argv.join(" ")}: ${r.stdout}${r.stderr}`);
  return code === 0 ? r.stdout : r.stderr;
}

/** Serves the community whose block-signing key is `signer`'s, handing over from `previous`. */
async function serveWith(signer: string, previous?: string) {
  const notes: string[] = [];
  const doc = communityTemplate(
    {
      adminPublicKey: ADMIN.publicKey,
      blockSigningPublicKey: signer === "op.key" ? OPERATOR.publicKey : OPERATOR_2.publicKey,
      id: "fontana",
    },
    "test",
  );
  writeFileSync(file("community.json"), JSON.stringify(doc));
  const server = await startServe({
    communityFile: file("community.json"),
    operatorKeyFile: file(signer),
    previousOperatorKeyFile: previous === undefined ? undefined : file(previous),
    demo: false,
    dataDir: join(dir, "data"),
    host: "127.0.0.1",
    port: 0,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
    rateLimit: "off",
    note: (line) => notes.push(line),
  });
  return { server, notes };
}

test("key clients: rotate, re-bind, and hand block signing over", async () => {
  mkdirSync(keys);
  for (const [name, who] of [
    ["admin.key", ADMIN],
    ["op.key", OPERATOR],
    ["op2.key", OPERATOR_2],
    ["a.key", A],
    ["a2.key", A2],
    ["b.key", B],
  ] as const)
    await writeIdentity(file(name), who, { force: false });
  writeFileSync(file("b2.pub"), JSON.stringify({ public_key: B2.publicKey }));
  for (const id of ["a-0", "a-1"])
    writeFileSync(
      file(`${id}.json`),
      JSON.stringify({
        id,
        side: "sell",
        energy_kwh: 1,
        price_per_kwh: 0.1,
        interval_start: formatInstant(T0),
      }),
    );
  let { server } = await serveWith("op.key");
  let running: RunningServer | undefined = server;
  try {
    const url = ["--server", server.address];
    for (const who of [A, B])
      await cli([
        "participant",
        "add",
        ...url,
        "--operator-key",
        file("admin.key"),
        "--public-key",
        who.publicKey,
        "--name",
        who.participant.slice(0, 6),
      ]);
    await cli(["order", "submit", ...url, "--key", file("a.key"), file("a-0.json")]);
    // The rotation, from the next interval taking orders (T0 − 45 min, the clock at T0 − 60).
    const rotated = JSON.parse(
      await cli([
        "participant",
        "rotate-key",
        ...url,
        "--key",
        file("a.key"),
        "--new-key",
        file("a2.key"),
        "--json",
      ]),
    );
    assert.deepEqual(rotated, {
      participant: A.participant,
      public_key: A2.publicKey,
      valid_from: formatInstant(T0 - 45 * MIN),
      replaces: A.publicKey,
      created: true,
    });
    // The new key's order and cancel name the member's participant, found from the key.
    const receipt = JSON.parse(
      await cli(["order", "submit", ...url, "--key", file("a2.key"), file("a-1.json"), "--json"]),
    );
    assert.equal(receipt.participant, A.participant);
    // The old key is refused from the rotation's start on (its open order then was cancelled).
    assert.match(
      await cli(["order", "submit", ...url, "--key", file("a.key"), file("a-1.json")], 2),
      /E_KEY_NOT_BOUND \(403\)/,
    );
    assert.match(
      await cli(["orders", ...url, "--key", file("a.key")], 2),
      /E_KEY_NOT_BOUND \(403\)/,
    );
    const mine = JSON.parse(await cli(["orders", ...url, "--key", file("a2.key"), "--json"]));
    assert.deepEqual(
      mine.map((o: { order_id: string; status: string }) => [o.order_id, o.status]),
      [
        ["a-1", "open"],
        ["a-0", "cancelled"],
      ],
    );
    const cancelled = JSON.parse(
      await cli([
        "order",
        "cancel",
        ...url,
        "--key",
        file("a2.key"),
        "--id",
        "a-1",
        "--interval",
        formatInstant(T0),
        "--json",
      ]),
    );
    assert.equal(cancelled.participant, A.participant);
    // The operator re-binds home-b's lost key, from T0.
    const rebind = [
      "participant",
      "rebind",
      ...url,
      "--operator-key",
      file("admin.key"),
      "--id",
      B.participant,
      "--public-key",
      file("b2.pub"),
    ];
    assert.match(
      await cli([...rebind, "--valid-from", formatInstant(T0 + 7 * MIN)], 2),
      /E_INPUT \(422\): .*not the start of an interval/,
    );
    const rebound = JSON.parse(await cli([...rebind, "--valid-from", formatInstant(T0), "--json"]));
    assert.equal(rebound.public_key, B2.publicKey);
    assert.equal(rebound.valid_from, formatInstant(T0));
    await server.stop();
    running = undefined;
    // A server started with another key, without the previous one, is refused.
    await assert.rejects(
      serveWith("op2.key"),
      (e: { code?: string }) => e.code === "E_KEY_INVALID",
    );
    const moved = await serveWith("op2.key", "op.key");
    server = moved.server;
    running = server;
    assert.ok(
      moved.notes.some((n) => /block signing handed over from .* \(block \d+\)/.test(n)),
      moved.notes.join("\n"),
    );
    const copy = join(dir, "copy");
    const fetched = await runCli(["ledger", "fetch", "--server", server.address, "--out", copy]);
    assert.equal(fetched.code, 0, fetched.stderr);
    const verified = await cli(["ledger", "verify", copy, "--operator", OPERATOR.publicKey]);
    assert.match(verified, /block signing handed over 1 time\(s\), now to /);
  } finally {
    await running?.stop();
  }
});
