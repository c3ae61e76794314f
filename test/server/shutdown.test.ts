/**
 * Graceful shutdown. In process, with the database held so that a gate closure is under way for
 * as long as the test wants: once stopping starts, writes get 503 E_UNAVAILABLE with
 * Retry-After and /readyz says 503 while reads are answered; the closure finishes and its block
 * is durable; the close hooks run. Then the built server as an operator runs it, stopped by
 * SIGTERM: exit 0.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { formatInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { startServe } from "../../src/server/serve.js";
import type { ManualClock } from "../../src/service/clock.js";
import { scanLedger } from "../../src/store/ledgerStore.js";
import { HOMES, T0 } from "../support/ledgerFixtures.js";
import { admin, callAt, isProblem, MIN, order, writeCommunity } from "../support/liveServer.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const [A, B] = HOMES as [Identity, Identity];
const dir = mkdtempSync(join(tmpdir(), "gridshare-shutdown-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("shutdown: while draining, writes get 503 and readiness fails; the closure under way finishes", async () => {
  const files = await writeCommunity(dir, "drain");
  const server = await startServe({
    ...files,
    demo: false,
    operatorKeyFile: files.keyFile,
    dataDir: join(dir, "data"),
    host: "127.0.0.1",
    port: 0,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
    rateLimit: "off",
    note: () => undefined,
  });
  const call = (method: string, path: string, body?: unknown) =>
    callAt(server.address, method, path, body === undefined ? {} : { body });
  const closed: string[] = [];
  server.onClose.push(() => {
    closed.push("hook");
  });
  for (const who of [A, B])
    assert.equal(
      (
        await call(
          "POST",
          "/v1/participants",
          admin({ action: "participant.add", public_key: who.publicKey, name: "x" }),
        )
      ).status,
      201,
    );
  assert.equal((await call("POST", "/v1/orders", order(A, "s-1", "sell"))).status, 201);
  assert.equal((await call("POST", "/v1/orders", order(B, "b-1", "buy"))).status, 201);

  // Hold the database: the gate closure started next waits inside it.
  const gate: { release?: () => void } = {};
  const held = server.platform.db.transaction(
    () =>
      new Promise<void>((resolve) => {
        gate.release = resolve;
      }),
  );
  (server.platform.clock as ManualClock).advanceTo(T0);
  const closing = server.platform.tick();
  const stopping = server.stop();

  const refused = await call("POST", "/v1/orders", order(A, "s-2", "sell"));
  isProblem(refused, 503, "E_UNAVAILABLE");
  assert.match(refused.json.detail, /shutting down/);
  assert.equal(refused.headers.get("retry-after"), "5");
  isProblem(await call("DELETE", "/v1/orders/s-1", {}), 503, "E_UNAVAILABLE");
  isProblem(await call("GET", "/readyz"), 503, "E_UNAVAILABLE");
  assert.equal((await call("GET", "/v1/clock")).json.now, formatInstant(T0));
  assert.deepEqual(closed, []);

  gate.release?.();
  await held;
  const cleared = await closing;
  assert.equal(cleared.at(-1)?.blockHeight, 2, "after the two registrations");
  await stopping;
  assert.deepEqual(closed, ["hook"]);
  const ledger = await scanLedger(server.platform.ledgerDir);
  assert.equal(ledger.pointer.height, 2);
  await assert.rejects(call("GET", "/v1/clock"));
});

test("shutdown: the built server stops on SIGTERM with exit 0", async (t) => {
  const bin = join(ROOT, "bin", "gridshare.js");
  if (!existsSync(join(ROOT, "dist", "cli", "main.js")))
    assert.fail("dist/ is not built: npm run build (npm test builds it first)");
  const files = await writeCommunity(dir, "sigterm");
  const child = spawn(
    process.execPath,
    [
      bin,
      "serve",
      "--community",
      files.communityFile,
      "--operator-key",
      files.keyFile,
      "--data-dir",
      join(dir, "sigterm-data"),
      "--port",
      "0",
      "--speed",
      "60",
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  t.after(() => child.kill("SIGKILL"));
  let err = "";
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address in 90 s: ${err}`)), 90_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  });
  const add = admin({ action: "participant.add", public_key: A.publicKey, name: "a" });
  assert.equal((await callAt(address, "POST", "/v1/participants", { body: add })).status, 201);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit 20 s after SIGTERM: ${err}`)), 20_000);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
    child.kill("SIGTERM");
  });
  assert.equal(code, 0, err);
  assert.match(err, /SIGTERM: draining \(writes refused\), then closing\nstopped\n/);
});
