/**
 * The load generator of the serve benchmark, run as its own process (so that it does not compete
 * with the server or with signing): sends requests over keep-alive HTTP/1.1 connections from
 * `concurrency` loops and prints one JSON line: the count by status, the wall seconds, and the
 * latency percentiles in ms.
 *
 *   node --import tsx bench/serveLoad.ts <url> <method> <path> <bodies.jsonl|count> <concurrency>
 *
 * With POST, each line of the file is one request body, already serialised (signed before the
 * run); with GET, the fourth argument is the number of requests.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { percentile } from "./stats.js";

const [url, method, path, source, concurrencyText] = process.argv.slice(2) as [
  string,
  "GET" | "POST",
  string,
  string,
  string,
];
const concurrency = Number(concurrencyText);
const bodies =
  method === "POST"
    ? readFileSync(source, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];
const total = method === "POST" ? bodies.length : Number(source);
const target = new URL(path, url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function send(body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        agent,
        headers:
          body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const latencies = new Float64Array(total);
const statuses = new Map<number, number>();
let next = 0;

async function loop(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const t0 = performance.now();
    const status = await send(bodies[i]);
    latencies[i] = performance.now() - t0;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, loop));
const seconds = (performance.now() - t0) / 1000;
agent.destroy();
const sorted = latencies.sort();
process.stdout.write(
  `${JSON.stringify({
    requests: total,
    seconds,
    statuses: Object.fromEntries(statuses),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
  })}\n`,
);
