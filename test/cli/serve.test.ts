/**
 * `gridshare serve` as a user runs it: a child process on 127.0.0.1 with a free port, the shipped
 * demo community, a clean stop on SIGTERM, a restart that resumes, a second server refused on the
 * same data directory, and usage errors.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../support/cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "gridshare-serve-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without DATABASE_URL: these servers use the embedded database. */
function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
}

interface Server {
  readonly child: ChildProcess;
  readonly address: string;
  stderr: () => string;
}

/** Starts `gridshare serve ...args` and waits (at most 90 s) for its address. */
function serve(args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", ...args], {
    cwd: ROOT,
    env: withoutDatabaseUrl(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no address in 90 s; stderr: ${err}`));
    }, 90_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: m[1] as string, stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stderr: ${err}`));
    });
  });
}

/** Sends SIGTERM and resolves with the exit code (at most 15 s). */
function stop(server: Server): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("serve did not stop within 15 s of SIGTERM")),
      15_000,
    );
    server.child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    server.child.kill("SIGTERM");
  });
}

const get = async (server: Server, path: string) =>
  (
    await fetch(`${server.address}${path}`, { signal: AbortSignal.timeout(20_000) })
  ).json() as Promise<Record<string, unknown>>;

test("serve --demo: the shipped community's 17 homes, registered once; a restart resumes its clock", async () => {
  const data = join(dir, "demo");
  const args = [
    "--demo",
    "--port",
    "0",
    "--clock",
    "manual",
    "--start",
    "2016-08-01T08:00:00Z",
    "--data-dir",
    data,
  ];
  const first = await serve(args);
  try {
    assert.match(
      first.stderr(),
      /demo keys \(the operator's and 17 homes'\) written to .*demo-keys/,
    );
    assert.match(first.stderr(), /embedded PGlite .* does not survive a power cut/);
    assert.equal(((await get(first, "/v1/participants")).participants as unknown[]).length, 17);
    assert.deepEqual(await get(first, "/v1/clock"), {
      now: "2016-08-01T08:00:00Z",
      speed: 0,
      started_at: "2016-08-01T08:00:00Z",
      seq: 0,
    });
    // A second server on the same data directory is refused while the first runs.
    const second = await runCli(["serve", ...args]);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /is in use by process \d+ \(another gridshare server\)/);
  } finally {
    assert.equal(await stop(first), 0);
  }
  const again = await serve(args);
  try {
    assert.doesNotMatch(again.stderr(), /demo keys/);
    assert.match(again.stderr(), /the market clock resumes at 2016-08-01T08:00:00/);
    assert.equal(((await get(again, "/v1/participants")).participants as unknown[]).length, 17);
  } finally {
    assert.equal(await stop(again), 0);
  }
});

test("serve: what it needs is said, and nothing starts", async () => {
  const none = await runCli(["serve", "--data-dir", join(dir, "none")]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give --community FILE and --operator-key FILE, or --demo/);
  const both = await runCli(["serve", "--demo", "--community", "c.json"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--demo: runs the shipped community with its own keys/);
  const badPort = await runCli(["serve", "--demo", "--port", "70000"]);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port: expected a port from 0 to 65535/);
  const manualSpeed = await runCli(["serve", "--demo", "--clock", "manual", "--speed", "60"]);
  assert.equal(manualSpeed.code, 2);
  assert.match(
    manualSpeed.stderr,
    /--speed: a manual clock moves only by POST \/v1\/clock\/advance/,
  );
  const missing = await runCli([
    "serve",
    "--community",
    join(dir, "nope.json"),
    "--operator-key",
    join(dir, "nope.key"),
    "--data-dir",
    join(dir, "m"),
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read community file .*nope\.json: no such file/);
});
