/**
 * The live platform's speed: the built `gridshare serve` on a manual clock, on PostgreSQL and on
 * PGlite, takes signed orders from 1,000 registered members, signed before the timed run and sent
 * by a load generator in its own process (serveLoad.ts): accepted orders per second and latency
 * percentiles. Then, on the same server, RSS with every order open, and the gate closure of one
 * interval holding 10,000 orders: until its block is durable (the published head moves) and
 * until its trades are published (the advance answered, the trades served). The ceilings,
 * measured in the same run: Ed25519 verifications per second over all cores (worker threads),
 * and requests per second to an empty fastify route through the same load generator.
 *
 *   npm run bench -- serve
 *
 * Environment: BENCH_SERVE_ORDERS (PostgreSQL, default 100000, 10,000 per interval),
 * BENCH_SERVE_PGLITE_ORDERS (default 10000), BENCH_SERVE_CONCURRENCY (default 64).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify from "fastify";
import { formatInstant } from "../src/core/time.js";
import { communityTemplate } from "../src/formats/communityFile.js";
import { orderSigningBytes, type SignedOrder, signOrder } from "../src/ledger/envelope.js";
import { signDocument } from "../src/ledger/signedDocument.js";
import { checkSignaturesInline, type SignatureTask } from "../src/ledger/verify.js";
import { writeIdentity } from "../src/store/keyFile.js";
import { closeSignatureWorkers, parallelSignatureChecker } from "../src/store/signaturePool.js";
import { call } from "../test/support/crashChecks.js";
import { CrashWorld, INTERVAL_MS, MIN, START_MS } from "../test/support/crashWorld.js";
import { freshPostgres } from "../test/support/postgres.js";
import {
  ensureBuilt,
  type ServedProcess,
  startServed,
  stopServed,
} from "../test/support/servedProcess.js";
import { fmt, header, machine } from "./stats.js";

const MEMBERS = 1000;
const PER_INTERVAL = 10_000;
const CONCURRENCY = Number(process.env.BENCH_SERVE_CONCURRENCY ?? 64);
/** The first interval traded: an hour after the clock's start. */
const FIRST = START_MS + 60 * MIN;

interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly statuses: Record<string, number>;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

/** Runs the load generator in its own process. */
function load(url: string, method: string, path: string, source: string): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/serveLoad.ts", url, method, path, source, String(CONCURRENCY)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exit ${code}`)),
    ),
  );
}

const line = (s: string) => process.stdout.write(`${s}\n`);
const ms = (x: number) => `${fmt(x, 1)} ms`;

/** Ed25519 order verifications per second: node:crypto on this thread, and over all cores. */
async function signatureCeiling(orders: readonly SignedOrder[]): Promise<number> {
  const tasks: SignatureTask[] = orders.map((e) => ({
    publicKey: e.public_key,
    message: orderSigningBytes(e),
    signature: e.signature,
  }));
  let t0 = performance.now();
  await checkSignaturesInline(tasks.slice(0, 5000));
  const inline = 5000 / ((performance.now() - t0) / 1000);
  const checker = parallelSignatureChecker();
  await checker(tasks.slice(0, 2000));
  t0 = performance.now();
  const ok = await checker(tasks);
  const parallel = tasks.length / ((performance.now() - t0) / 1000);
  if (ok.some((x) => x !== 1)) throw new Error("a signature failed");
  await closeSignatureWorkers();
  line(
    `Ed25519 order verifications: ${fmt(inline, 0)}/s on one thread, ${fmt(parallel, 0)}/s over ${availableParallelism()} worker threads (${tasks.length.toLocaleString("en")} orders)`,
  );
  return parallel;
}

/** Requests per second to an empty fastify route in this process, from the load generator. */
async function emptyRouteCeiling(): Promise<number> {
  const app = Fastify({ logger: false });
  app.get("/empty", async () => ({}));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  await load(url, "GET", "/empty", "5000");
  const r = await load(url, "GET", "/empty", "100000");
  await app.close();
  const rate = r.requests / r.seconds;
  line(
    `empty fastify route: ${fmt(rate, 0)} requests/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)} (${CONCURRENCY} connections)`,
  );
  return rate;
}

/** `count` orders, `PER_INTERVAL` per interval from FIRST, ten per member per interval. */
function signOrders(world: CrashWorld, count: number): SignedOrder[] {
  const out: SignedOrder[] = [];
  for (let n = 0; n < count; n++) {
    const k = Math.floor(n / PER_INTERVAL);
    const m = n % world.members.length;
    const sell = m % 2 === 0;
    const who = world.members[m] as CrashWorld["members"][number];
    const start = FIRST + k * INTERVAL_MS;
    const order = {
      id: `k${k}-${n % PER_INTERVAL}`,
      participant: who.participant,
      side: sell ? ("sell" as const) : ("buy" as const),
      energy_kwh: 0.1 + ((n * 7) % 20) / 10,
      price_per_kwh: sell ? 0.05 + ((n * 3) % 10) / 100 : 0.1 + ((n * 5) % 15) / 100,
      timestamp: formatInstant(START_MS),
      interval_start: formatInstant(start),
    };
    out.push(signOrder(order, who, world.nonce(), start + INTERVAL_MS));
  }
  return out;
}

/** The server's CPU seconds so far and its RSS, from /proc. */
function processStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds: ticks / 100, rssMb: Number(rss?.[1]) / 1024 };
}

async function register(base: string, world: CrashWorld): Promise<void> {
  const docs = world.members.map((who, i) =>
    signDocument(
      "admin",
      { action: "participant.add", public_key: who.publicKey, name: `member ${i}` },
      world.admin,
      world.nonce(),
      Date.now() + 30 * MIN,
    ),
  );
  let next = 0;
  const worker = async () => {
    while (next < docs.length) {
      const a = await call(base, "POST", "/v1/participants", docs[next++]);
      if (a.status !== 201) throw new Error(`register: ${JSON.stringify(a.json)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The published head's height (HEAD, replaced atomically after the fsync), -1 before any. */
function headHeight(ledgerDir: string): number {
  try {
    return JSON.parse(readFileSync(join(ledgerDir, "HEAD"), "utf8")).height as number;
  } catch {
    return -1;
  }
}

/**
 * Closes the first interval's gate: ms until its block is durable (HEAD, read from this process
 * while the server works, names it), until the advance is answered (the interval and its orders
 * marked in the database), and until its trades are served.
 */
async function gateClosure(
  server: ServedProcess,
  world: CrashWorld,
  ledgerDir: string,
  count: number,
) {
  const doc = signDocument(
    "admin",
    { action: "clock.advance", to: formatInstant(FIRST - 5 * MIN) },
    world.admin,
    world.nonce(),
    Date.now() + 10 * MIN,
  );
  // The registrations' registry blocks come first: the clearing block is the one past them.
  const before = headHeight(ledgerDir);
  const t0 = performance.now();
  let clearedMs = Number.NaN;
  const advance = call(server.address, "POST", "/v1/clock/advance", doc).then((a) => {
    clearedMs = performance.now() - t0;
    return a;
  });
  let durableMs = Number.NaN;
  while (Number.isNaN(durableMs) && Number.isNaN(clearedMs)) {
    if (headHeight(ledgerDir) > before) durableMs = performance.now() - t0;
    else await sleep(1);
  }
  const a = await advance;
  if (Number.isNaN(durableMs) && headHeight(ledgerDir) > before) durableMs = clearedMs;
  const trades = await call(server.address, "GET", `/v1/trades?interval=${formatInstant(FIRST)}`);
  const publishedMs = performance.now() - t0;
  const held = (a.json.cleared as { orders: number }[]).reduce((n, c) => n + c.orders, 0);
  if (held !== Math.min(PER_INTERVAL, count)) throw new Error(JSON.stringify(a.json));
  line(
    `gate closure of ${held.toLocaleString("en")} orders: block durable (HEAD names it) ${ms(durableMs)}, interval and orders marked (advance answered) ${ms(clearedMs)}, ${trades.json.trades.length.toLocaleString("en")} trades served ${ms(publishedMs)}`,
  );
}

async function runStore(label: string, databaseUrl: string | undefined, count: number) {
  header(`${label}: ${count.toLocaleString("en")} signed orders from ${MEMBERS} members`);
  const dir = mkdtempSync(join(tmpdir(), "gridshare-bench-serve-"));
  const world = new CrashWorld(16_06, MEMBERS);
  await writeIdentity(join(dir, "admin.key"), world.admin, { force: false });
  const community = communityTemplate(
    { adminPublicKey: world.admin.publicKey, id: "bench" },
    "bench",
  );
  writeFileSync(join(dir, "community.json"), JSON.stringify(community));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  const args = [
    "--community",
    join(dir, "community.json"),
    "--operator-key",
    join(dir, "admin.key"),
  ];
  args.push(
    "--data-dir",
    join(dir, "data"),
    "--port",
    "0",
    "--clock",
    "manual",
    "--rate-limit",
    "off",
  );
  args.push("--start", formatInstant(START_MS));
  // BENCH_SERVE_CPU_PROF=DIR: the server writes a CPU profile there when it stops.
  const prof = process.env.BENCH_SERVE_CPU_PROF;
  const nodeArgs = prof === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${prof}`];
  const server = await startServed(args, env, 120_000, nodeArgs);
  try {
    const pid = server.child.pid as number;
    await register(server.address, world);
    let t0 = performance.now();
    const orders = signOrders(world, count);
    const signSeconds = (performance.now() - t0) / 1000;
    const file = join(dir, "orders.jsonl");
    writeFileSync(file, `${orders.map((o) => JSON.stringify(o)).join("\n")}\n`);
    line(`signed before the run: ${count.toLocaleString("en")} orders in ${fmt(signSeconds, 1)} s`);
    const before = processStats(pid);
    t0 = performance.now();
    const r = await load(server.address, "POST", "/v1/orders", file);
    const after = processStats(pid);
    const accepted = r.statuses["201"] ?? 0;
    line(
      `accepted ${accepted.toLocaleString("en")} of ${r.requests.toLocaleString("en")} (${JSON.stringify(r.statuses)}) in ${fmt(r.seconds, 1)} s: **${fmt(accepted / r.seconds, 0)} orders/s**, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, p99.9 ${ms(r.p999)} (${CONCURRENCY} connections)`,
    );
    line(
      `server CPU ${fmt((after.cpuSeconds - before.cpuSeconds) / r.seconds, 2)} cores on average; RSS with ${accepted.toLocaleString("en")} open orders: ${fmt(after.rssMb, 0)} MB`,
    );
    await gateClosure(server, world, join(dir, "data", "ledger", "bench"), count);
    await stopServed(server, 60_000);
    return accepted / r.seconds;
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null)
      server.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

ensureBuilt();
header(`Serve (${machine()}, ${availableParallelism()} cores), ${new Date().toISOString()}`);
const probe = new CrashWorld(16_07, 100);
const sample = signOrders(probe, 20_000).map((o) => o);
await signatureCeiling(sample);
await emptyRouteCeiling();
const pg = await freshPostgres();
if (pg === undefined) line("PostgreSQL is not reachable: its half did not run");
else
  try {
    await runStore("PostgreSQL", pg.url, Number(process.env.BENCH_SERVE_ORDERS ?? 100_000));
  } finally {
    await pg.drop();
  }
const pgliteOrders = Number(process.env.BENCH_SERVE_PGLITE_ORDERS ?? 10_000);
if (pgliteOrders > 0) await runStore("PGlite", undefined, pgliteOrders);
