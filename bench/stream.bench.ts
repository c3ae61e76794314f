/**
 * The live feed's fan-out: 1,000 WebSocket subscribers (in a process of their own) receive each
 * cleared interval's trades frame; the latency is from the moment the feed delivers the frame to
 * its first subscriber (in the server process) to its arrival at each client. The baseline,
 * measured in the same run, is a bare `ws` server sending the same bytes to the same number of
 * clients: what the machine can do at all.
 *
 *   npm run bench -- stream
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { formatInstant } from "../src/core/time.js";
import { communityConfig, communityTemplate } from "../src/formats/communityFile.js";
import { signOrder } from "../src/ledger/envelope.js";
import { identityFromSeed } from "../src/ledger/keys.js";
import { signDocument } from "../src/ledger/signedDocument.js";
import { buildApp } from "../src/server/app.js";
import type { Frame } from "../src/service/feed.js";
import { openPlatform } from "../src/service/platform.js";
import { fmt, header, machine, percentile } from "./stats.js";

const SUBSCRIBERS = Number(process.env.GRIDSHARE_BENCH_SUBSCRIBERS ?? 1000);
const INTERVALS = 5;
const HOMES = 40;
const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 1, 12);
const now = () => performance.timeOrigin + performance.now();
const seed = (s: string) => identityFromSeed(createHash("sha256").update(s).digest());
const admin = seed("stream bench admin");
const operator = seed("stream bench operator");
const homes = Array.from({ length: HOMES }, (_, i) => seed(`stream bench home ${i}`));
let nonces = 0;
const nonce = () => createHash("sha256").update(`n${nonces++}`).digest("hex").slice(0, 32);

/** Starts the subscriber process and waits until every connection is subscribed. */
async function clients(url: string): Promise<{ child: ChildProcess; done: () => Promise<string> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/support/streamClients.ts", url, String(SUBSCRIBERS)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes("ready\n")) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    child.once("exit", () => reject(new Error("the subscriber process ended early")));
  });
  return {
    child,
    done: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      return out;
    },
  };
}

/** Per frame seq, when the first subscriber got it in the server process. */
function latencies(out: string, sentAt: Map<number, number>): number[] {
  const ms: number[] = [];
  for (const line of out.split("\n")) {
    if (!line.startsWith("{")) continue;
    const { seq, at } = JSON.parse(line) as { seq: number; at: number };
    const t = sentAt.get(seq);
    if (t !== undefined) ms.push(at - t);
  }
  return ms.sort((a, b) => a - b);
}

async function platformRun(): Promise<{ ms: number[]; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-stream-bench-"));
  const config = await communityConfig(
    communityTemplate(
      { adminPublicKey: admin.publicKey, blockSigningPublicKey: operator.publicKey, id: "bench" },
      "bench",
    ),
    "bench",
  );
  const platform = await openPlatform({
    config,
    dataDir: dir,
    blockSigner: operator,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
  });
  const app = await buildApp(platform);
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  for (const [i, h] of homes.entries())
    await platform.community.admin(
      signDocument(
        "admin",
        { action: "participant.add", public_key: h.publicKey, name: `h${i}` },
        admin,
        nonce(),
        Date.now() + 10 * MIN,
      ),
    );
  const sentAt = new Map<number, number>();
  let bytes = 0;
  platform.feed.feed.subscribe("trades", {
    deliver: (f: Frame) => {
      sentAt.set(f.seq, now());
      bytes = JSON.stringify(f).length;
    },
  });
  const subs = await clients(`${base.replace("http", "ws")}/v1/stream`);
  for (let k = 0; k < INTERVALS; k++) {
    const start = T0 + k * 15 * MIN;
    for (const [i, h] of homes.entries())
      await platform.community.submit(
        signOrder(
          {
            id: `k${k}-${i}`,
            participant: h.participant,
            side: i % 2 === 0 ? "sell" : "buy",
            energy_kwh: 1,
            price_per_kwh: i % 2 === 0 ? 0.1 : 0.3,
            timestamp: formatInstant(start - 30 * MIN),
            interval_start: formatInstant(start),
          },
          h,
          nonce(),
          start + 60 * MIN,
        ),
      );
    await platform.community.admin(
      signDocument(
        "admin",
        { action: "clock.advance", to: formatInstant(start - 5 * MIN) },
        admin,
        nonce(),
        Date.now() + 10 * MIN,
      ),
    );
    await platform.community.tick();
    await platform.feed.feed.settled();
    await new Promise((r) => setTimeout(r, 500));
  }
  const out = await subs.done();
  await app.close();
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms: latencies(out, sentAt), bytes };
}

async function baselineRun(bytes: number): Promise<number[]> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => wss.once("listening", r));
  const { port } = wss.address() as { port: number };
  wss.on("connection", (socket) =>
    socket.on("message", () =>
      socket.send(JSON.stringify({ type: "subscribed", channel: "trades", seq: 0 })),
    ),
  );
  const subs = await clients(`ws://127.0.0.1:${port}`);
  const sentAt = new Map<number, number>();
  for (let k = 1; k <= INTERVALS; k++) {
    const text = JSON.stringify({
      channel: "trades",
      seq: k,
      type: "trades",
      data: "x".repeat(Math.max(0, bytes - 60)),
    });
    sentAt.set(k, now());
    for (const c of wss.clients) c.send(text);
    await new Promise((r) => setTimeout(r, 500));
  }
  const out = await subs.done();
  await new Promise((r) => wss.close(r));
  return latencies(out, sentAt);
}

const run = await platformRun();
const base = await baselineRun(run.bytes);
header(
  `Live feed fan-out: ${SUBSCRIBERS} subscribers, ${INTERVALS} trades frames of ${run.bytes} bytes (${machine()})`,
);
const row = (name: string, ms: number[]) =>
  `| ${name} | ${ms.length} | ${fmt(percentile(ms, 50))} | ${fmt(percentile(ms, 99))} | ${fmt(ms.at(-1) ?? Number.NaN)} |`;
process.stdout.write(
  "| path | frames received | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n",
);
process.stdout.write(
  `${row("gridshare /v1/stream", run.ms)}\n${row("bare ws server, same bytes", base)}\n`,
);
process.stdout.write(
  `\np99 ratio to the bare server: ${fmt(percentile(run.ms, 99) / percentile(base, 99))}; goal: p99 at most 500 ms\n`,
);
