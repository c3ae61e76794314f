/**
 * Ledger speed: durable appends (fsync on, group commit), signature verification over worker
 * threads against node:crypto's raw single-thread rate times the cores, proof checking, and the
 * size on disk per trade.
 *
 *   npm run bench -- ledger
 */
import { createHash, sign as edSign, verify as edVerify } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { orderSignatureTasks } from "../src/ledger/admission.js";
import {
  headSigningBytes,
  marketRules,
  type OrderItem,
  type SealedBlock,
} from "../src/ledger/block.js";
import { clearInterval } from "../src/ledger/clearInterval.js";
import { signOrder } from "../src/ledger/envelope.js";
import { identityFromSeed, publicKeyObject, verifyMessage } from "../src/ledger/keys.js";
import { inclusionPath, leafHash, rootOf, verifyInclusion } from "../src/ledger/merkle.js";
import type { SignatureTask } from "../src/ledger/verify.js";
import { MECHANISMS } from "../src/market/mechanisms.js";
import { verifyLedgerDir } from "../src/store/ledgerRead.js";
import { LedgerWriter, LOG_FILE } from "../src/store/ledgerStore.js";
import { parallelSignatureChecker } from "../src/store/signaturePool.js";
import { fmt, header, machine, median } from "./stats.js";

const T0 = Date.UTC(2026, 5, 1);
const operator = identityFromSeed(createHash("sha256").update("bench operator").digest());
const homes = Array.from({ length: 64 }, (_, i) =>
  identityFromSeed(createHash("sha256").update(`bench home ${i}`).digest()),
);
const mechanism = MECHANISMS.uniform;
const tariff = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const rules = marketRules(mechanism, mechanism.defaultKPpm, tariff);

/** 64 orders per interval (32 sellers, 32 buyers) with crossing prices: about 32-63 trades. */
function ordersFor(k: number, signed: boolean): OrderItem[] {
  const start = T0 + k * 900_000;
  return homes.map((who, i) => {
    const sell = i % 2 === 0;
    const order = {
      id: `k${k}-${i}`,
      participant: who.participant,
      side: sell ? ("sell" as const) : ("buy" as const),
      energy_kwh: 0.5 + ((i * 7 + k) % 10) / 10,
      price_per_kwh: sell ? 0.05 + ((i * 3 + k) % 10) / 100 : 0.12 + ((i * 5 + k) % 10) / 100,
      timestamp: new Date(start - 60_000).toISOString(),
    };
    return signed
      ? {
          kind: "signed" as const,
          envelope: signOrder(
            order,
            who,
            createHash("sha256").update(`${k}:${i}`).digest("hex").slice(0, 32),
            start + 3_600_000,
          ),
        }
      : { kind: "attested" as const, order };
  });
}

async function appendRun(
  blocks: number,
  signed: boolean,
  groupBlocks: number,
): Promise<{
  tradesPerSec: number;
  blocksPerSec: number;
  bytesPerTrade: number;
  trades: number;
  dir: string;
  seconds: number;
}> {
  const prepared = Array.from({ length: blocks }, (_, k) => ordersFor(k, signed)); // signed by the participants beforehand
  const dir = mkdtempSync(join(tmpdir(), "gridshare-bench-ledger-"));
  const writer = await LedgerWriter.open(dir, { create: true });
  let trades = 0;
  const t0 = performance.now();
  const checker = parallelSignatureChecker();
  // Participant signatures are checked two groups ahead on the worker threads, while this
  // thread builds and writes the current group.
  const groupTasks = (k: number) => orderSignatureTasks(prepared.slice(k, k + groupBlocks).flat());
  const ahead: Promise<Uint8Array>[] = [];
  const queue = (k: number) => {
    if (signed && k < blocks) ahead.push(checker(groupTasks(k)));
  };
  queue(0);
  queue(groupBlocks);
  for (let k = 0; k < blocks; k++) {
    if (signed && k % groupBlocks === 0) {
      const ok = await (ahead.shift() as Promise<Uint8Array>);
      if (ok.some((x) => x !== 1)) throw new Error("a signature failed");
      queue(k + 2 * groupBlocks);
    }
    const outcome = clearInterval({
      interval: { startMs: T0 + k * 900_000, minutes: 15 },
      tariff,
      mechanism,
      items: prepared[k] as OrderItem[],
      requireSignatures: signed,
      signaturesChecked: signed,
      onRejection: "refuse-interval",
      ledger: { store: writer, operator },
    });
    if (outcome.status === "refused") throw new Error("an order was refused");
    trades += (outcome.block as SealedBlock).tradeCount;
    if ((k + 1) % groupBlocks === 0) await writer.flush();
  }
  await writer.close();
  const seconds = (performance.now() - t0) / 1000;
  const bytes = statSync(join(dir, LOG_FILE)).size;
  return {
    tradesPerSec: trades / seconds,
    blocksPerSec: blocks / seconds,
    bytesPerTrade: bytes / trades,
    trades,
    dir,
    seconds,
  };
}

header(`Ledger (${machine()}, ${availableParallelism()} cores)`);

// 1. Durable append.
process.stdout.write(
  "### Durable append (fsync on; each group commit = write, fsync, publish HEAD)\n\n| orders | group commit | blocks/s | trades/s | goal |\n|---|---:|---:|---:|---:|\n",
);
for (const [signed, group] of [
  [false, 1],
  [false, 16],
  [true, 1],
  [true, 16],
] as const) {
  const r = await appendRun(signed ? 300 : 600, signed, group);
  process.stdout.write(
    `| ${signed ? "participant-signed (each signature checked)" : "operator-attested"} | every ${group} block(s) | ${Math.round(r.blocksPerSec)} | ${Math.round(r.tradesPerSec).toLocaleString("en")} | 5,000 ${r.tradesPerSec >= 5000 ? "(met)" : "(missed)"} |\n`,
  );
  if (signed && group === 16) {
    process.stdout.write(
      `\nsize on disk: ${fmt(r.bytesPerTrade, 0)} bytes per trade with signed orders (64 orders, ~${Math.round(r.trades / 300)} trades and 64 settlements per block)\n`,
    );
    // 2. Verification of that ledger.
    const t0 = performance.now();
    const report = await verifyLedgerDir(r.dir, {
      operator: operator.publicKey,
      checkSignatures: parallelSignatureChecker(),
    });
    const whole = (performance.now() - t0) / 1000;
    process.stdout.write(
      `whole-ledger verify: ${report.blocks} blocks, ${report.signatures.toLocaleString("en")} signatures, ${report.trades.toLocaleString("en")} trades in ${fmt(whole, 2)} s (market re-run included)\n`,
    );
  }
  if (!signed && group === 16) {
    process.stdout.write(
      `size on disk: ${fmt(r.bytesPerTrade, 0)} bytes per trade with operator-attested orders\n`,
    );
  }
  rmSync(r.dir, { recursive: true, force: true });
}

// 2. Signature checking over worker threads vs raw single-thread rate x cores.
const tasks: SignatureTask[] = [];
for (let i = 0; i < 40_000; i++) {
  const who = homes[i % homes.length]!;
  const message = Buffer.from(`gridshare bench message ${i}`);
  tasks.push({
    publicKey: who.publicKey,
    message,
    signature: edSign(null, message, who.privateKey).toString("hex"),
  });
}
const rawRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  for (const t of tasks.slice(0, 10_000))
    edVerify(null, t.message, publicKeyObject(t.publicKey), Buffer.from(t.signature, "hex"));
  rawRuns.push(10_000 / ((performance.now() - t0) / 1000));
}
const raw = median(rawRuns);
const checker = parallelSignatureChecker();
const poolRuns: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const ok = await checker(tasks);
  poolRuns.push(tasks.length / ((performance.now() - t0) / 1000));
  if (ok.some((x) => x !== 1)) throw new Error("a valid signature failed");
}
const pool = median(poolRuns);
const cores = availableParallelism();
process.stdout.write(
  `\n### Signature checking\n\nraw node:crypto Ed25519 verify, one thread: ${Math.round(raw).toLocaleString("en")}/s (${fmt(1e6 / raw, 1)} us each); worker pool (${cores} workers), 40,000 signatures: ${Math.round(pool).toLocaleString("en")}/s; ratio to raw x ${cores} cores: ${fmt(pool / (raw * cores))} (goal 0.8)\n`,
);

// 3. Proof checking.
const leaves = Array.from({ length: 1 << 20 }, (_, i) => leafHash(`leaf ${i}`));
const root = rootOf(leaves);
const index = 777_777;
const path = inclusionPath(leaves, index);
const pathRuns: number[] = [];
for (let r = 0; r < 5; r++) {
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    if (!verifyInclusion(leaves[index]!, index, leaves.length, path, root))
      throw new Error("bad proof");
  pathRuns.push(((performance.now() - t0) * 1000) / n);
}
const headBytes = headSigningBytes({
  first_leaf: 0,
  format: "gridshare-ledger/1",
  height: 0,
  interval: { minutes: 15, start: "2026-06-01T00:00:00Z" },
  market: rules,
  operator: operator.publicKey,
  prev_head_hash: "0".repeat(64),
  root: root.toString("hex"),
  tree_size: leaves.length,
});
const headSig = edSign(null, headBytes, operator.privateKey).toString("hex");
const sigRuns: number[] = [];
for (let r = 0; r < 5; r++) {
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    if (!verifyMessage(operator.publicKey, headBytes, headSig)) throw new Error("bad sig");
  sigRuns.push(((performance.now() - t0) * 1000) / n);
}
process.stdout.write(
  `\n### Proof checking (in process, start-up excluded)\n\nMerkle audit path in a tree of ${leaves.length.toLocaleString("en")} leaves (${path.length} hashes): ${fmt(median(pathRuns), 1)} us (goal 50 us); Ed25519 check of the head: ${fmt(median(sigRuns), 1)} us\n`,
);
