// Writes the golden ledger vectors under test/vectors/ledger/: a valid ledger, mutated copies
// (each with a description and the error it must produce), and proofs. Deterministic: fixed
// keys, nonces and times. Regenerate with: npx tsx scripts/make-ledger-vectors.ts
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { proveConsistency, proveTrade } from "../src/app/ledgerQueries.js";
import { canonicalize } from "../src/core/canonicalJson.js";
import {
  type BlockHead,
  blockEntries,
  clearBlockMarket,
  headHash,
  marketRules,
  type OrderItem,
  sealEntries,
} from "../src/ledger/block.js";
import { clearInterval } from "../src/ledger/clearInterval.js";
import type { Identity } from "../src/ledger/keys.js";
import { MECHANISMS } from "../src/market/mechanisms.js";
import { HEAD_FILE, HEADER_BYTES, LedgerWriter, LOG_FILE } from "../src/store/ledgerStore.js";
import { fixedIdentity, OPERATOR, signedOrdersFor, T0 } from "../test/support/ledgerFixtures.js";

const ROOT = join(import.meta.dirname, "..", "test", "vectors", "ledger");
const mechanism = MECHANISMS.uniform;
const TARIFF = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };
const RULES = marketRules(mechanism, mechanism.defaultKPpm, TARIFF);
const ROGUE = fixedIdentity("rogue operator");

interface Case {
  name: string;
  description: string;
  command: string[];
  exit: number;
  /** A text the output (stdout for exit 0, stderr otherwise) must contain. */
  expect: string;
}
const cases: Case[] = [];

const interval = (k: number) => ({ startMs: T0 + k * 15 * 60_000, minutes: 15 });

type BlockPlan = {
  k: number;
  items?: OrderItem[];
  edit?: (entries: string[]) => string[];
  operator?: Identity;
};

/** Writes blocks as planned; `edit` and foreign items play a dishonest operator who re-signs. */
async function writeLedger(name: string, plan: BlockPlan[]): Promise<string> {
  const dir = join(ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const writer = await LedgerWriter.open(dir, { create: true });
  for (const b of plan) {
    const items = b.items ?? signedOrdersFor(b.k);
    if (b.items === undefined && b.edit === undefined && b.operator === undefined) {
      const outcome = clearInterval({
        interval: interval(b.k),
        tariff: TARIFF,
        mechanism,
        items,
        requireSignatures: true,
        onRejection: "refuse-interval",
        ledger: { store: writer, operator: OPERATOR },
      });
      if (outcome.status === "refused") throw new Error(outcome.rejected[0]?.message);
      continue;
    }
    const cleared = clearBlockMarket(interval(b.k), RULES, items);
    if ("problem" in cleared) throw new Error(cleared.problem);
    let entries = blockEntries(writer.state.height + 1, items, cleared.result, cleared.mechanism);
    if (b.edit) entries = b.edit(entries);
    writer.append(
      sealEntries(writer.state, interval(b.k), RULES, entries, b.operator ?? OPERATOR, 0),
    );
  }
  await writer.close();
  return dir;
}

const honest = (n: number): BlockPlan[] => Array.from({ length: n }, (_, k) => ({ k }));

interface Record {
  offset: number;
  payload: Buffer;
}

function records(log: Buffer): Record[] {
  const out: Record[] = [];
  let offset = HEADER_BYTES;
  while (offset < log.length) {
    const len = log.readUInt32LE(offset);
    out.push({ offset, payload: log.subarray(offset + 8, offset + 8 + len) });
    offset += 8 + len;
  }
  return out;
}

function frame(payload: Buffer): Buffer {
  const f = Buffer.alloc(8);
  f.writeUInt32LE(payload.length, 0);
  f.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([f, payload]);
}

/** Rewrites a ledger's records (CRCs recomputed) and, optionally, HEAD to match. */
function rewrite(dir: string, edit: (payloads: Buffer[]) => Buffer[], fixHead: boolean): void {
  const logPath = join(dir, LOG_FILE);
  const log = readFileSync(logPath);
  const payloads = edit(records(log).map((r) => Buffer.from(r.payload)));
  const out = Buffer.concat([log.subarray(0, HEADER_BYTES), ...payloads.map(frame)]);
  writeFileSync(logPath, out);
  if (fixHead) {
    const last = JSON.parse(payloads[payloads.length - 1]?.toString() ?? "{}") as {
      head: BlockHead;
    };
    const pointer = {
      format: last.head.format,
      head_hash: headHash(last.head),
      height: payloads.length - 1,
      log_bytes: out.length,
      tree_size: last.head.tree_size,
    };
    writeFileSync(join(dir, HEAD_FILE), `${canonicalize(pointer)}\n`);
  }
}

function flipFirstDigitAfter(payload: Buffer, key: string): Buffer {
  const at = payload.indexOf(key);
  if (at < 0) throw new Error(`no ${key}`);
  const digit = at + key.length;
  const out = Buffer.from(payload);
  out[digit] = (out[digit] as number) ^ 1; // '1' <-> '0', '2' <-> '3', ...
  return out;
}

async function main(): Promise<void> {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(ROOT, { recursive: true });
  const op = OPERATOR.publicKey;

  const valid = await writeLedger("valid", honest(3));
  cases.push({
    name: "valid",
    description:
      "Three blocks of four signed orders each, cleared by uniform, signed by the operator.",
    command: ["ledger", "verify", "valid", "--operator", op],
    exit: 0,
    expect: "ok: 3 blocks",
  });

  const flipped = await writeLedger("bit-flip-entry", honest(3));
  rewrite(
    flipped,
    (p) => p.map((x, i) => (i === 1 ? flipFirstDigitAfter(x, '"energy_amount_kwh":') : x)),
    false,
  );
  cases.push({
    name: "bit-flip-entry",
    description:
      "One bit of a trade's energy in block 1 is flipped and the record's checksum recomputed: only the Merkle root can tell.",
    command: ["ledger", "verify", "bit-flip-entry"],
    exit: 3,
    expect: "block 1: Merkle root does not match",
  });

  const raw = await writeLedger("bit-flip-raw", honest(3));
  const rawLog = readFileSync(join(raw, LOG_FILE));
  const r1 = records(rawLog)[1] as Record;
  rawLog[r1.offset + 8 + 40] = (rawLog[r1.offset + 8 + 40] as number) ^ 4;
  writeFileSync(join(raw, LOG_FILE), rawLog);
  cases.push({
    name: "bit-flip-raw",
    description:
      "One bit inside block 1's stored record is flipped (a disk error): the record checksum catches it.",
    command: ["ledger", "verify", "bit-flip-raw"],
    exit: 3,
    expect: "block 1: checksum mismatch",
  });

  const swapped = await writeLedger("swapped-roots", honest(3));
  rewrite(
    swapped,
    (p) => {
      const heads = p.map((x) => JSON.parse(x.toString()) as { head: BlockHead });
      const r0 = heads[0]?.head.root as string;
      const r1 = heads[1]?.head.root as string;
      return p.map((x, i) =>
        i === 0
          ? Buffer.from(x.toString().replace(r0, r1))
          : i === 1
            ? Buffer.from(x.toString().replace(r1, r0))
            : x,
      );
    },
    false,
  );
  cases.push({
    name: "swapped-roots",
    description:
      "The Merkle roots in the heads of blocks 0 and 1 are swapped (checksums recomputed).",
    command: ["ledger", "verify", "swapped-roots"],
    exit: 3,
    expect: "block 0: Merkle root does not match",
  });

  cases.push({
    name: "wrong-operator-key",
    description: "The valid ledger checked against another operator's public key.",
    command: ["ledger", "verify", "valid", "--operator", ROGUE.publicKey],
    exit: 3,
    expect: "block 0: signed by operator key",
  });

  await writeLedger("rogue-operator", [{ k: 0 }, { k: 1 }, { k: 2, operator: ROGUE }]);
  cases.push({
    name: "rogue-operator",
    description: "Block 2 continues the chain correctly but is signed by a different operator key.",
    command: ["ledger", "verify", "rogue-operator"],
    exit: 3,
    expect: "block 2: signed by operator key",
  });

  const reordered = await writeLedger("reordered-blocks", honest(3));
  rewrite(reordered, (p) => [p[0] as Buffer, p[2] as Buffer, p[1] as Buffer], true);
  cases.push({
    name: "reordered-blocks",
    description:
      "Blocks 1 and 2 are stored in the wrong order (and HEAD rewritten to match the new last record).",
    command: ["ledger", "verify", "reordered-blocks"],
    exit: 3,
    expect: "block 1: head says height 2",
  });

  const replayedItem = signedOrdersFor(0)[0] as OrderItem;
  await writeLedger("replayed-order", [
    { k: 0 },
    { k: 1 },
    { k: 2, items: [...signedOrdersFor(2), replayedItem] },
  ]);
  cases.push({
    name: "replayed-order",
    description:
      "A dishonest operator puts block 0's first signed order into block 2 again and signs the block.",
    command: ["ledger", "verify", "replayed-order"],
    exit: 3,
    expect: 'block 2: order "i0-o0" replays nonce',
  });

  await writeLedger("dishonest-trades", [
    { k: 0 },
    {
      k: 1,
      edit: (entries) =>
        entries.map((e) =>
          e.includes('"type":"trade"')
            ? e.replace(/"price_per_kwh":[0-9.]+/, '"price_per_kwh":0.29')
            : e,
        ),
    },
    { k: 2 },
  ]);
  cases.push({
    name: "dishonest-trades",
    description:
      "A dishonest operator records a trade price the mechanism did not produce, with a correct root and signature.",
    command: ["ledger", "verify", "dishonest-trades"],
    exit: 3,
    expect:
      "block 1: re-running uniform on the block's 4 orders does not give the recorded trade (entry 4: trade.price_per_kwh: the re-run gives 0.145, the block records 0.29)",
  });

  const late = signedOrdersFor(0).map((item) => item);
  await writeLedger("expired-order", [
    { k: 0 },
    { k: 1 },
    { k: 2 },
    { k: 6, items: [...signedOrdersFor(6).slice(1), late[0] as OrderItem] },
  ]);
  cases.push({
    name: "expired-order",
    description:
      "A dishonest operator uses block 0's signed order in an interval after it expired.",
    command: ["ledger", "verify", "expired-order"],
    exit: 3,
    expect: 'block 3: order "i0-o0": expired at',
  });

  const garbage = await writeLedger("trailing-garbage", honest(3));
  writeFileSync(
    join(garbage, LOG_FILE),
    Buffer.concat([
      readFileSync(join(garbage, LOG_FILE)),
      Buffer.from("0123456789abcdef0123456789abcdef01234"),
    ]),
  );
  cases.push({
    name: "trailing-garbage",
    description:
      "37 bytes after the last acknowledged record, as a torn append leaves: the acknowledged ledger is intact; verify says what the next append will drop.",
    command: ["ledger", "verify", "trailing-garbage"],
    exit: 0,
    expect: "ok: 3 blocks",
  });

  const zeros = await writeLedger("trailing-zeros", honest(3));
  writeFileSync(
    join(zeros, LOG_FILE),
    Buffer.concat([readFileSync(join(zeros, LOG_FILE)), Buffer.alloc(100)]),
  );
  cases.push({
    name: "trailing-zeros",
    description:
      "100 zero bytes after the last acknowledged record (a file extended by a crash before its data landed): zero-length frames with a checksum of 0 are not blocks; verify counts 3 blocks and notes a torn tail.",
    command: ["ledger", "verify", "trailing-zeros"],
    exit: 0,
    expect: "ok: 3 blocks",
  });

  const headless = await writeLedger("head-missing", honest(3));
  rmSync(join(headless, HEAD_FILE));
  cases.push({
    name: "head-missing",
    description:
      "HEAD deleted: the log holds three complete blocks that no published head acknowledges. Not ok: nothing says which blocks were acknowledged.",
    command: ["ledger", "verify", "head-missing"],
    exit: 3,
    expect: "HEAD is missing, but ledger.log holds 3 complete block(s)",
  });

  // Proofs, from the valid ledger.
  const tx = (() => {
    const log = readFileSync(join(valid, LOG_FILE));
    const p = JSON.parse((records(log)[1] as Record).payload.toString()) as {
      entries: { type: string; trade?: { transaction_id: string } }[];
    };
    return p.entries.find((e) => e.type === "trade")?.trade?.transaction_id as string;
  })();
  const proof = await proveTrade({ dir: valid, txId: tx });
  const writeJson = (name: string, value: unknown) =>
    writeFileSync(join(ROOT, name), `${JSON.stringify(value, null, 2)}\n`);
  writeJson("inclusion-valid.json", proof);
  cases.push({
    name: "inclusion-valid",
    description: `Inclusion proof of trade ${tx} (block 1) against head 2.`,
    command: ["ledger", "check-proof", "inclusion-valid.json", "--operator", op],
    exit: 0,
    expect: `ok: trade ${tx}`,
  });
  writeJson("inclusion-truncated-path.json", {
    ...proof,
    audit_path: proof.audit_path.slice(0, -1),
  });
  cases.push({
    name: "inclusion-truncated-path",
    description: "The same proof with the last hash of the audit path removed.",
    command: ["ledger", "check-proof", "inclusion-truncated-path.json"],
    exit: 3,
    expect: "does not lead from the entry to the head's root",
  });
  writeJson("inclusion-trailing-garbage.json", {
    ...proof,
    audit_path: [...proof.audit_path, proof.head.root],
  });
  cases.push({
    name: "inclusion-trailing-garbage",
    description: "The same proof with an extra hash after the audit path.",
    command: ["ledger", "check-proof", "inclusion-trailing-garbage.json"],
    exit: 3,
    expect: "does not lead from the entry to the head's root",
  });
  const entry = proof.entry as { trade: { energy_amount_kwh: number } };
  writeJson("inclusion-bit-flip-entry.json", {
    ...proof,
    entry: {
      ...proof.entry,
      trade: { ...entry.trade, energy_amount_kwh: entry.trade.energy_amount_kwh + 1 },
    },
  });
  cases.push({
    name: "inclusion-bit-flip-entry",
    description: "The proved trade's energy changed by 1 kWh.",
    command: ["ledger", "check-proof", "inclusion-bit-flip-entry.json"],
    exit: 3,
    expect: "does not lead from the entry to the head's root",
  });
  cases.push({
    name: "inclusion-wrong-operator",
    description: "The valid proof checked against another operator's key.",
    command: ["ledger", "check-proof", "inclusion-valid.json", "--operator", ROGUE.publicKey],
    exit: 3,
    expect: "not by the operator key given",
  });
  const { audit_path: _dropped, ...malformed } = proof;
  writeJson("inclusion-malformed.json", malformed);
  cases.push({
    name: "inclusion-malformed",
    description: "A proof without its audit path: not a proof at all.",
    command: ["ledger", "check-proof", "inclusion-malformed.json"],
    exit: 2,
    expect: "not a gridshare inclusion proof",
  });

  const consistency = await proveConsistency({ dir: valid, from: 0, to: 2 });
  writeJson("consistency-valid.json", consistency);
  cases.push({
    name: "consistency-valid",
    description: "Head 2 extends head 0.",
    command: ["ledger", "check-consistency", "consistency-valid.json", "--operator", op],
    exit: 0,
    expect: "ok: head 2",
  });
  writeJson("consistency-swapped-roots.json", {
    ...consistency,
    first: { ...consistency.first, root: consistency.second.root },
    second: { ...consistency.second, root: consistency.first.root },
  });
  cases.push({
    name: "consistency-swapped-roots",
    description: "The two heads' roots swapped.",
    command: ["ledger", "check-consistency", "consistency-swapped-roots.json"],
    exit: 3,
    expect: "does not extend",
  });
  writeJson("consistency-truncated.json", {
    ...consistency,
    proof: consistency.proof.slice(0, -1),
  });
  cases.push({
    name: "consistency-truncated",
    description: "The consistency proof with its last hash removed.",
    command: ["ledger", "check-consistency", "consistency-truncated.json"],
    exit: 3,
    expect: "does not extend",
  });

  writeJson("cases.json", {
    description:
      "Golden ledger vectors: run each command from this folder; it must exit with `exit` and print `expect` (stdout when exit is 0, stderr otherwise). Generated by scripts/make-ledger-vectors.ts.",
    operator_public_key: op,
    cases,
  });
}

await main();
