/**
 * The crash loop: the built `gridshare serve` on a manual clock (PGlite in a temporary data
 * directory, or the PostgreSQL database given), members registered, then round after round:
 * several clients submit signed orders while one advances the clock, the server is killed with
 * SIGKILL at a random moment (seeded), restarted on the same data, the requests that got no
 * answer are sent again (the same bytes), and everything is checked (crashChecks.ts). At the end
 * every gate is closed, checked once more, and `gridshare ledger fetch` verifies the ledger.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createRng, type Rng } from "../../src/core/rng.js";
import { formatInstant } from "../../src/core/time.js";
import { communityTemplate } from "../../src/formats/communityFile.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { writeIdentity } from "../../src/store/keyFile.js";
import { runCli } from "./cli.js";
import { type Answer, call, checkServer } from "./crashChecks.js";
import {
  CrashWorld,
  INTERVAL_MS,
  MIN,
  type SentAdvance,
  type SentOrder,
  START_MS,
} from "./crashWorld.js";
import {
  ensureBuilt,
  killServed,
  type ServedProcess,
  startServed,
  stopServed,
} from "./servedProcess.js";

export interface CrashLoopOptions {
  readonly kills: number;
  readonly seed: number;
  /** A PostgreSQL database (fresh); PGlite in the data directory when undefined. */
  readonly databaseUrl: string | undefined;
  readonly participants?: number;
  readonly clients?: number;
  readonly log?: (line: string) => void;
}

export interface CrashLoopReport {
  readonly kills: number;
  readonly acknowledged: number;
  readonly refused: number;
  readonly unknown: number;
  readonly advances: number;
  readonly clearedIntervals: number;
  readonly blocks: number;
  /** Wall ms from each restart's spawn to its address. */
  readonly restartMs: readonly number[];
}

/** An order's answer: acknowledged, refused (nothing written), or still unknown. */
function settleOrder(sent: SentOrder, a: Answer, retry: boolean): void {
  const id = sent.envelope.order.id;
  if (a.status === 201 || (retry && a.status === 200)) {
    assert.equal(a.json.order_id, id);
    assert.equal(a.json.participant, sent.participant);
    assert.equal(a.json.interval_start, formatInstant(sent.intervalStartMs));
    assert.equal(a.json.status, "open");
    sent.fate = "acked";
  } else if (a.status === 409 && a.json.code === "E_GATE_CLOSED") {
    // Sent again after a crash, a refusal does not say whether the first attempt was kept.
    if (!retry) sent.fate = "refused";
  } else if (a.status < 500) {
    assert.fail(`order ${id}: unexpected answer ${a.status} ${JSON.stringify(a.json)}`);
  }
}

function settleAdvance(sent: SentAdvance, a: Answer, world: CrashWorld): void {
  assert.equal(a.status, 200, `clock.advance: ${JSON.stringify(a.json)}`);
  const now = Date.parse(a.json.now);
  assert.ok(
    now >= sent.toMs,
    `clock.advance to ${formatInstant(sent.toMs)} answered ${a.json.now}`,
  );
  sent.fate = "acked";
  world.clockFloorMs = Math.max(world.clockFloorMs, now);
}

interface Round {
  stopped: boolean;
  /** Called when an advance is sent (for a kill aimed at a gate closure). */
  onAdvance?: (() => void) | undefined;
  readonly unknownOrders: SentOrder[];
  readonly unknownAdvances: SentAdvance[];
}

async function orderClient(base: string, world: CrashWorld, rng: Rng, round: Round) {
  while (!round.stopped) {
    const start = world.firstOpenInterval() + rng.int(0, 2) * INTERVAL_MS;
    const sent = world.newOrder(rng.int(0, world.members.length - 1), start, (lo, hi) =>
      rng.int(lo, hi),
    );
    let a: Answer;
    try {
      a = await call(base, "POST", "/v1/orders", sent.envelope);
    } catch {
      round.unknownOrders.push(sent);
      continue;
    }
    settleOrder(sent, a, false);
    if (sent.fate === "unknown") round.unknownOrders.push(sent);
  }
}

async function advanceClient(base: string, world: CrashWorld, rng: Rng, round: Round) {
  while (!round.stopped) {
    await sleep(rng.int(10, 120));
    if (round.stopped) return;
    const toMs = world.clockSentMs + rng.int(1, 2) * 5 * MIN;
    world.clockSentMs = toMs;
    const action = { action: "clock.advance", to: formatInstant(toMs) };
    const sent: SentAdvance = {
      doc: signDocument("admin", action, world.admin, world.nonce(), Date.now() + 10 * MIN),
      toMs,
      fate: "unknown",
    };
    world.advances.push(sent);
    const answer = call(base, "POST", "/v1/clock/advance", sent.doc);
    round.onAdvance?.();
    try {
      settleAdvance(sent, await answer, world);
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      round.unknownAdvances.push(sent);
      return;
    }
  }
}

/** Runs the clients until the server is killed: after a random time, or just after an advance. */
async function crashRound(server: ServedProcess, world: CrashWorld, rng: Rng, clients: number) {
  const round: Round = { stopped: false, unknownOrders: [], unknownAdvances: [] };
  const work = [
    ...Array.from({ length: clients }, (_, c) =>
      orderClient(server.address, world, rng.fork(`client ${c}`), round),
    ),
    advanceClient(server.address, world, rng.fork("advance"), round),
  ];
  const running = Promise.all(work);
  running.catch(() => undefined);
  await sleep(rng.int(50, 400));
  if (rng.int(0, 2) === 0) {
    // Aim at a gate closure: kill within a few ms of an advance being sent.
    await Promise.race([new Promise<void>((r) => (round.onAdvance = r)), sleep(1000)]);
    await sleep(rng.int(0, 25));
  }
  round.stopped = true;
  await killServed(server);
  await running;
  return round;
}

/** After a restart: the same bytes again for every request that got no answer. */
async function resend(base: string, world: CrashWorld, round: Round): Promise<void> {
  for (const sent of round.unknownOrders)
    settleOrder(sent, await call(base, "POST", "/v1/orders", sent.envelope), true);
  for (const sent of round.unknownAdvances)
    settleAdvance(sent, await call(base, "POST", "/v1/clock/advance", sent.doc), world);
}

async function register(base: string, world: CrashWorld): Promise<void> {
  for (const [i, who] of world.members.entries()) {
    const action = { action: "participant.add", public_key: who.publicKey, name: `member ${i}` };
    const doc = signDocument("admin", action, world.admin, world.nonce(), Date.now() + 10 * MIN);
    const a = await call(base, "POST", "/v1/participants", doc);
    assert.equal(a.status, 201, JSON.stringify(a.json));
  }
}

/** Closes every gate an order was sent for, checks, and verifies a fetched copy of the ledger. */
async function finish(base: string, world: CrashWorld, dir: string): Promise<number> {
  const last = Math.max(...world.intervals());
  const toMs = Math.max(world.clockSentMs, last);
  const action = { action: "clock.advance", to: formatInstant(toMs) };
  const sent: SentAdvance = {
    doc: signDocument("admin", action, world.admin, world.nonce(), Date.now() + 10 * MIN),
    toMs,
    fate: "unknown",
  };
  settleAdvance(sent, await call(base, "POST", "/v1/clock/advance", sent.doc), world);
  const { byInterval } = await checkServer(base, world);
  const fetched = await runCli([
    "ledger",
    "fetch",
    "--server",
    base,
    "--out",
    join(dir, "copy"),
    "--json",
  ]);
  assert.equal(fetched.code, 0, `ledger fetch: ${fetched.stdout}${fetched.stderr}`);
  const report = JSON.parse(fetched.stdout);
  assert.equal(report.valid, true);
  // One registry block per member registered, then one block per interval that holds orders.
  assert.equal(
    report.blocks,
    world.members.length + byInterval.size,
    "blocks, against registrations and intervals holding orders",
  );
  return report.blocks as number;
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopReport> {
  ensureBuilt();
  const log = options.log ?? (() => undefined);
  const rng = createRng(options.seed);
  const world = new CrashWorld(options.seed, options.participants ?? 8);
  const dir = mkdtempSync(join(tmpdir(), "gridshare-crash-"));
  await writeIdentity(join(dir, "admin.key"), world.admin, { force: false });
  const community = communityTemplate(
    { adminPublicKey: world.admin.publicKey, id: "crash" },
    "crash",
  );
  writeFileSync(join(dir, "community.json"), JSON.stringify(community));
  const args = [
    "--community",
    join(dir, "community.json"),
    "--operator-key",
    join(dir, "admin.key"),
  ];
  args.push("--data-dir", join(dir, "data"), "--port", "0", "--clock", "manual");
  args.push("--start", formatInstant(START_MS));
  // Clients here send as fast as the server answers: the loop is about crashes, and a 429 would
  // only hide them (the limiter has its own tests).
  args.push("--rate-limit", "off");
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  const restartMs: number[] = [];
  let server = await startServed(args, env);
  try {
    await register(server.address, world);
    for (let k = 0; k < options.kills; k++) {
      const round = await crashRound(server, world, rng.fork(`round ${k}`), options.clients ?? 4);
      const t0 = performance.now();
      server = await startServed(args, env);
      restartMs.push(performance.now() - t0);
      await resend(server.address, world, round);
      const { now } = await checkServer(server.address, world);
      log(`kill ${k + 1}: ${world.orders.size} orders sent, clock at ${formatInstant(now)}`);
    }
    const blocks = await finish(server.address, world, dir);
    assert.equal(await stopServed(server), 0, "serve exits 0 on SIGTERM");
    const fates = [...world.orders.values()].map((o) => o.fate);
    return {
      kills: options.kills,
      acknowledged: fates.filter((f) => f === "acked").length,
      refused: fates.filter((f) => f === "refused").length,
      unknown: fates.filter((f) => f === "unknown").length,
      advances: world.advances.length,
      clearedIntervals: world.cleared.size,
      blocks,
      restartMs,
    };
  } catch (error) {
    throw new Error(
      `crash loop (seed ${options.seed}) failed: ${(error as Error).message}\nserver stderr: ${server.stderr()}`,
      { cause: error },
    );
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null)
      await killServed(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
