import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { verifyLedgerDir } from "../../src/store/ledgerRead.js";
import { HEAD_FILE, LedgerWriter, LOG_FILE, scanLedger } from "../../src/store/ledgerStore.js";
import { buildLedger } from "../support/ledgerFixtures.js";

const APPENDER = new URL("../support/ledgerAppender.mjs", import.meta.url).pathname;

function killAfter(dir: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let lastAck = -1;
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("ack ")) lastAck = Number(line.slice(4));
        if (line === "ready") timer = setTimeout(() => child.kill("SIGKILL"), ms);
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // The clock starts when the child has opened the ledger, so every kill lands in an append.
    let timer: NodeJS.Timeout | undefined;
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`appender exited by itself (${code}): ${err}`));
      else resolve(lastAck);
    });
  });
}

async function killRounds(dir: string, rounds: number, seed0: number) {
  let seed = seed0;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  let recoveries = 0;
  let tornDrops = 0;
  let acknowledged = -1;
  for (let round = 0; round < rounds; round++) {
    const lastAck = await killAfter(dir, Math.floor(random() * 150));
    acknowledged = Math.max(acknowledged, lastAck);
    const writer = await LedgerWriter.open(dir, { create: true });
    const r = writer.recovery;
    if (r.droppedBytes > 0 || r.publishedBlocks > 0) recoveries++;
    if (r.droppedBytes > 0) tornDrops++;
    assert.ok(
      writer.state.height >= acknowledged,
      `${dir} round ${round}: acknowledged block ${acknowledged} lost (height ${writer.state.height})`,
    );
    acknowledged = writer.state.height;
    await writer.close();
    const scan = await scanLedger(dir);
    assert.equal(scan.tornTail, undefined, "recovery leaves no torn tail");
    assert.equal(scan.pending.length, 0, "recovery publishes complete blocks");
  }
  const report = await verifyLedgerDir(dir, {});
  assert.equal(report.blocks, acknowledged + 1);
  return { blocks: report.blocks, recoveries, tornDrops };
}

test("crash safety: SIGKILL at random moments, 50 times; acknowledged blocks survive, torn tails are dropped, the ledger verifies", async () => {
  // Ten ledgers, five kills each (so recovery also runs on ledgers that were recovered before),
  // two at a time (one per core).
  const runs: Awaited<ReturnType<typeof killRounds>>[] = [];
  for (let pair = 0; pair < 5; pair++) {
    runs.push(
      ...(await Promise.all(
        [0, 1].map((j) =>
          killRounds(mkdtempSync(join(tmpdir(), "gridshare-crash-")), 5, 20260601 + 2 * pair + j),
        ),
      )),
    );
  }
  const blocks = runs.reduce((a, r) => a + r.blocks, 0);
  const recoveries = runs.reduce((a, r) => a + r.recoveries, 0);
  const torn = runs.reduce((a, r) => a + r.tornDrops, 0);
  assert.ok(blocks > 50, `the appenders made progress (${blocks} blocks)`);
  assert.ok(recoveries > 0, "at least one kill interrupted an append");
  process.stdout.write(
    `# ${blocks} blocks after 50 kills; ${recoveries} recoveries, ${torn} with a torn tail dropped\n`,
  );
});

test("behavior: a torn tail at every possible length is dropped and reported; complete unpublished blocks are kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-torn-"));
  await (await buildLedger(dir, 2)).close();
  const ackLog = readFileSync(join(dir, LOG_FILE));
  const ackHead = readFileSync(join(dir, HEAD_FILE));
  // Write a third block but do not publish it (as if killed between fsync and HEAD).
  await (await buildLedger(dir, 1)).close();
  const fullLog = readFileSync(join(dir, LOG_FILE));
  const extra = fullLog.length - ackLog.length;
  for (let cut = 0; cut <= extra; cut += cut < 16 || cut > extra - 16 ? 1 : 97) {
    writeFileSync(join(dir, LOG_FILE), fullLog.subarray(0, ackLog.length + cut));
    writeFileSync(join(dir, HEAD_FILE), ackHead);
    const writer = await LedgerWriter.open(dir, { create: false });
    if (cut === extra) {
      assert.equal(writer.recovery.publishedBlocks, 1, "a complete block is published");
      assert.equal(writer.state.height, 2);
    } else {
      assert.equal(writer.recovery.droppedBytes, cut, `cut ${cut}`);
      assert.equal(writer.state.height, 1);
    }
    await writer.close();
    const report = await verifyLedgerDir(dir, {});
    assert.equal(report.blocks, cut === extra ? 3 : 2);
    assert.equal(
      statSync(join(dir, LOG_FILE)).size,
      cut === extra ? fullLog.length : ackLog.length,
    );
  }
  // A torn tail is never confused with damage to acknowledged bytes.
  writeFileSync(join(dir, LOG_FILE), ackLog.subarray(0, ackLog.length - 3));
  writeFileSync(join(dir, HEAD_FILE), ackHead);
  await assert.rejects(
    LedgerWriter.open(dir, { create: false }),
    /acknowledged blocks are missing/,
  );
  truncateSync(join(dir, LOG_FILE), 0);
});
