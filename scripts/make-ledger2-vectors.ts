// Writes the format-2 golden ledger vectors under test/vectors/ledger2/: a valid ledger (registry
// and clearing blocks), a valid ledger whose keys change (a member's rotation, the operator's
// re-binding, a handover of block signing), mutated copies (each with a description and the error
// it must produce), and a proof against a head that follows a registry block. Deterministic:
// fixed keys, nonces and times. Regenerate with: npx tsx scripts/make-ledger2-vectors.ts

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { proveTrade } from "../src/app/ledgerQueries.js";
import { type AnyHead, blockPayload, type SealedBlock, sealHead } from "../src/ledger/block.js";
import type { LedgerPort } from "../src/ledger/clearInterval.js";
import { sealRegistryBlock } from "../src/ledger/communityUpdates.js";
import { signedOrderEntry } from "../src/ledger/entries.js";
import type { SignedOrder } from "../src/ledger/envelope.js";
import type { Identity } from "../src/ledger/keys.js";
import { replayChain, splitPayload } from "../src/ledger/replay.js";
import { LedgerWriter } from "../src/store/ledgerStore.js";
import {
  ADMIN,
  adminDocument,
  appendFormat2,
  appendKeys,
  appendKeysPrefix,
  cancelOf,
  clear2,
  NEW_KEYS,
  OPERATOR_2,
  RECEIVED_0,
  rebinding,
  received,
  register2,
  registrations,
  rotation,
  signerOf,
  suspension,
} from "../test/support/ledger2Fixtures.js";
import {
  fixedIdentity,
  HOMES,
  MemoryLedger,
  OPERATOR,
  signedOrdersFor,
} from "../test/support/ledgerFixtures.js";

const ROOT = join(import.meta.dirname, "..", "test", "vectors", "ledger2");
const ROGUE = fixedIdentity("rogue member");
const home = (i: number) => HOMES[i] as Identity;

interface Case {
  name: string;
  description: string;
  command: string[];
  exit: number;
  expect: string;
}
const cases: Case[] = [];

/** Writes the blocks `build` appends (to memory first) as a ledger directory. */
async function writeLedger(name: string, build: (port: LedgerPort) => void): Promise<string> {
  const memory = new MemoryLedger();
  build(memory);
  return writePayloads(name, memory.payloads);
}

async function writePayloads(name: string, payloads: readonly string[]): Promise<string> {
  const dir = join(ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const writer = await LedgerWriter.open(dir, { create: true });
  const prefix: string[] = [];
  for (const p of payloads) {
    const { state } = replayChain(prefix);
    const parts = splitPayload(p);
    if (parts === undefined) throw new Error("not a block");
    const head = JSON.parse(parts.head) as AnyHead;
    const next = replayChain([...prefix, p]).state;
    const sealed: SealedBlock = {
      block: { head, entries: parts.entries },
      leaves: [],
      tradeCount: 0,
      next: { ...next, operator: head.next_operator ?? state.operator ?? head.operator },
    };
    writer.append(sealed);
    prefix.push(p);
  }
  await writer.close();
  return dir;
}

/**
 * A dishonest operator: block `height` edited, re-hashed and re-signed (by `signer`, the
 * operator's first key unless told); later blocks dropped.
 */
function reseal(
  payloads: string[],
  height: number,
  edit: (entries: string[]) => string[],
  signer: Identity = OPERATOR,
) {
  const before = payloads.slice(0, height);
  const { state } = replayChain(before);
  const parts = splitPayload(payloads[height] as string);
  if (parts === undefined) throw new Error("not a block");
  const head = JSON.parse(parts.head) as Record<string, unknown>;
  const fields = { ...head };
  for (const k of ["first_leaf", "tree_size", "root", "prev_head_hash", "operator", "signature"])
    delete fields[k];
  delete fields.height;
  const sealed = sealHead(state, fields, edit(parts.entries), signer, 0, 0);
  return [...before, blockPayload(sealed.block)];
}

function validPayloads(): string[] {
  const m = new MemoryLedger();
  appendFormat2(m);
  return m.payloads;
}

function keysPayloads(): string[] {
  const m = new MemoryLedger();
  appendKeys(m);
  return m.payloads;
}

/** The homes registered and interval 0 cleared, then a registry block of `items`. */
function registering(port: LedgerPort, items: Parameters<typeof register2>[1]): void {
  register2(port, registrations());
  clear2(port, 0, received(signedOrdersFor(0), 1));
  register2(port, items);
}

/** The key-change cases: a valid ledger and its mutations. */
async function keyCases(op: string, admin: string): Promise<void> {
  const [a, b] = HOMES as [Identity, Identity];
  const short = (key: string) => `${key.slice(0, 16)}...`;
  await writeLedger("keys", appendKeys);
  cases.push({
    name: "keys",
    description:
      "Six format-2 blocks whose keys change: the homes registered; interval 0 cleared; home-a rotating its key (signed by its old key, with its new key's proof) and the operator re-binding home-b's, both from interval 2; a block with no documents handing block signing over to the operator's next key; interval 1 cleared with the old member keys, interval 2 with the new ones, both signed by the new operator key. Checked against the first operator key.",
    command: ["ledger", "verify", "keys", "--operator", op, "--admin", admin],
    exit: 0,
    expect: "ok: 6 blocks",
  });
  cases.push({
    name: "keys-pinned-to-the-new-operator-key",
    description: "The keys ledger checked against the operator key it hands over to.",
    command: ["ledger", "verify", "keys", "--operator", OPERATOR_2.publicKey],
    exit: 0,
    expect: "block signing handed over 1 time(s)",
  });
  cases.push({
    name: "keys-pinned-to-another-key",
    description:
      "The keys ledger checked against a key that neither signs its first block nor is handed over to.",
    command: ["ledger", "verify", "keys", "--operator", ROGUE.publicKey],
    exit: 3,
    expect: "(nor does the chain hand over to it)",
  });

  await writeLedger("rotated-out-key", (port) => {
    appendKeysPrefix(port);
    // Interval 2 cleared as if home-a's and home-b's old keys were still theirs.
    clear2(port, 2, received(signedOrdersFor(2), 9));
  });
  cases.push({
    name: "rotated-out-key",
    description:
      "Interval 2's block holds home-a's order signed by its old key, which its rotation replaced from interval 2 on.",
    command: ["ledger", "verify", "rotated-out-key"],
    exit: 3,
    expect: `block 5: order "i2-o0": signed by key ${short(a.publicKey)}, not the key bound to participant ${a.participant} for the interval starting 2026-06-01T12:30:00Z`,
  });

  await writeLedger("rebind-not-admin", (port) =>
    registering(port, [rebinding(b, NEW_KEYS[1], 2, ROGUE)]),
  );
  cases.push({
    name: "rebind-not-admin",
    description: "A re-binding of home-b's key signed by a key other than the admin key.",
    command: ["ledger", "verify", "rebind-not-admin"],
    exit: 3,
    expect: "block 2: entry 0: the document is not signed by the admin key",
  });

  await writeLedger("rotation-not-current-key", (port) =>
    registering(port, [rotation(a, NEW_KEYS[0], 2, { by: b })]),
  );
  cases.push({
    name: "rotation-not-current-key",
    description: "A rotation of home-a's key signed by home-b's key, not home-a's current one.",
    command: ["ledger", "verify", "rotation-not-current-key"],
    exit: 3,
    expect: `block 2: entry 0 (key.rotate): not signed by participant ${a.participant}'s current key`,
  });

  await writeLedger("rotation-proof-forged", (port) =>
    registering(port, [rotation(a, NEW_KEYS[0], 2, { prover: ROGUE })]),
  );
  cases.push({
    name: "rotation-proof-forged",
    description:
      "A rotation whose proof of possession is signed by a key other than the new key it binds.",
    command: ["ledger", "verify", "rotation-proof-forged"],
    exit: 3,
    expect: "block 2: the new key's proof of possession on registry entry 0 does not verify",
  });

  await writePayloads(
    "not-handed-over",
    reseal(keysPayloads(), 4, (e) => e, OPERATOR),
  );
  cases.push({
    name: "not-handed-over",
    description:
      "After the handover of block 3, block 4 is signed by the old operator key, never handed over to.",
    command: ["ledger", "verify", "not-handed-over"],
    exit: 3,
    expect: `block 4: signed by operator key ${short(op)}, not the expected ${short(OPERATOR_2.publicKey)}`,
  });

  await writeLedger("handover-not-accepted", (port) => {
    register2(port, registrations());
    clear2(port, 0, received(signedOrdersFor(0), 1));
    // The handover's proof is a rogue key's signature, not the next key's.
    const byRogue = sealRegistryBlock(port.state, admin, [], signerOf(port), ROGUE).block.head;
    const fields = {
      admin,
      format: "gridshare-ledger/2",
      kind: "registry",
      next_operator: OPERATOR_2.publicKey,
      next_operator_signature: byRogue.next_operator_signature,
    };
    port.append(sealHead(port.state, fields, [], OPERATOR, 0, port.state.lastIntervalEndMs), []);
  });
  cases.push({
    name: "handover-not-accepted",
    description:
      "A head hands block signing over to a key whose own signature on the handover is another key's.",
    command: ["ledger", "verify", "handover-not-accepted"],
    exit: 3,
    expect: "block 2: the next operator key's signature on the handover does not verify",
  });
}

async function main(): Promise<void> {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(ROOT, { recursive: true });
  const op = OPERATOR.publicKey;
  const admin = ADMIN.publicKey;

  const valid = await writeLedger("valid", appendFormat2);
  cases.push({
    name: "valid",
    description:
      "Four format-2 blocks: a registry block adding four homes, a cda clearing block whose receive order is not its orders' timestamp order and that records a cancel, a registry block suspending home-d, and a clearing block of the other three.",
    command: ["ledger", "verify", "valid", "--operator", op, "--admin", admin],
    exit: 0,
    expect: "ok: 4 blocks",
  });
  cases.push({
    name: "wrong-admin-key",
    description: "The valid ledger checked against another admin key.",
    command: ["ledger", "verify", "valid", "--admin", ROGUE.publicKey],
    exit: 3,
    expect: "block 0: names admin key",
  });

  await writePayloads(
    "receive-order-swapped",
    reseal(validPayloads(), 1, (e) => [e[1], e[0], ...e.slice(2)] as string[]),
  );
  cases.push({
    name: "receive-order-swapped",
    description:
      "A dishonest operator lists block 1's first two orders out of their receive order and re-signs the block.",
    command: ["ledger", "verify", "receive-order-swapped"],
    exit: 3,
    expect: 'block 1: order "i0-o2": received_seq 1 does not follow 2',
  });

  await writePayloads(
    "receive-order-restamped",
    reseal(validPayloads(), 1, (entries) => {
      const byTime = entries
        .slice(0, 4)
        .map((e) => (JSON.parse(e) as { envelope: SignedOrder }).envelope)
        .sort((x, y) => (x.order.timestamp < y.order.timestamp ? -1 : 1));
      return [...byTime.map((env, i) => signedOrderEntry(1, env, i + 1)), ...entries.slice(4)];
    }),
  );
  cases.push({
    name: "receive-order-restamped",
    description:
      "A dishonest operator re-stamps block 1's orders in their timestamps' order, keeping the trades the receive order gave.",
    command: ["ledger", "verify", "receive-order-restamped"],
    exit: 3,
    expect: "block 1: re-running cda on the block's 4 orders does not give the recorded trade",
  });

  await writeLedger("unregistered-participant", (port) => {
    register2(port, registrations());
    clear2(port, 0, received(signedOrdersFor(0, [ROGUE, home(1), home(2), home(3)]), 1));
  });
  cases.push({
    name: "unregistered-participant",
    description: "A clearing block holds a validly signed order of a key no registry block added.",
    command: ["ledger", "verify", "unregistered-participant"],
    exit: 3,
    expect: `block 1: order "i0-o0": participant ${ROGUE.participant} is not registered`,
  });

  await writeLedger("suspended-participant", (port) => {
    register2(port, registrations());
    register2(port, [suspension(home(3))]);
    clear2(port, 1, received(signedOrdersFor(1), 1));
  });
  cases.push({
    name: "suspended-participant",
    description: "A clearing block holds an order of a participant suspended by an earlier block.",
    command: ["ledger", "verify", "suspended-participant"],
    exit: 3,
    expect: `block 2: order "i1-o3": participant ${home(3).participant} is suspended`,
  });

  await writeLedger("registry-forged", (port) => {
    const [first, ...rest] = registrations();
    if (first === undefined) throw new Error("no registration");
    const forged = adminDocument(first.document.document, "forged", ROGUE);
    register2(port, [{ ...first, document: forged }, ...rest]);
  });
  cases.push({
    name: "registry-forged",
    description: "A registry document signed by a key other than the admin key the block names.",
    command: ["ledger", "verify", "registry-forged"],
    exit: 3,
    expect: "block 0: entry 0: the document is not signed by the admin key",
  });

  await writePayloads(
    "registry-document-changed",
    reseal(validPayloads(), 0, (e) => [
      e[0]?.replace('"name":"', '"name":"X') as string,
      ...e.slice(1),
    ]),
  );
  cases.push({
    name: "registry-document-changed",
    description:
      "A participant's name changed in block 0's signed document after the admin signed it.",
    command: ["ledger", "verify", "registry-document-changed"],
    exit: 3,
    expect: "block 0: admin signature on registry entry 0 does not verify",
  });

  await writePayloads(
    "registry-effect-changed",
    reseal(validPayloads(), 2, (e) => [
      e[0]?.replace('"status":"suspended"', '"status":"active"') as string,
    ]),
  );
  cases.push({
    name: "registry-effect-changed",
    description: "The suspension in block 2 recorded with the effect of a reinstatement.",
    command: ["ledger", "verify", "registry-effect-changed"],
    exit: 3,
    expect: "block 2: entry 0: the recorded effect is not the document's",
  });

  await writeLedger("cancel-by-another", (port) => {
    register2(port, registrations());
    clear2(port, 0, RECEIVED_0(), [cancelOf(home(0), "i0-x", 0, home(1))]);
  });
  cases.push({
    name: "cancel-by-another",
    description: "A cancel of home-a's order signed by home-b.",
    command: ["ledger", "verify", "cancel-by-another"],
    exit: 3,
    expect: `block 1: cancel of order "i0-x": not signed by the order's owner`,
  });

  await writeLedger("cancelled-order-cleared", (port) => {
    register2(port, registrations());
    clear2(port, 0, RECEIVED_0(), [cancelOf(home(0), "i0-o0", 0)]);
  });
  cases.push({
    name: "cancelled-order-cleared",
    description: "A block clears an order its own cancel entries say was cancelled.",
    command: ["ledger", "verify", "cancelled-order-cleared"],
    exit: 3,
    expect: "the cancelled order is in the block's orders",
  });

  await keyCases(op, admin);

  const proof = await proveTrade({
    dir: valid,
    txId: (() => {
      const p = validPayloads()[3] as string;
      const trade = splitPayload(p)?.entries.find((e) => e.includes('"type":"trade"'));
      return (JSON.parse(trade ?? "{}") as { trade: { transaction_id: string } }).trade
        .transaction_id;
    })(),
  });
  writeFileSync(join(ROOT, "inclusion-valid.json"), `${JSON.stringify(proof, null, 2)}\n`);
  cases.push({
    name: "inclusion-valid",
    description:
      "Inclusion proof of a trade of block 3 against head 3 (format 2, after a registry block).",
    command: ["ledger", "check-proof", "inclusion-valid.json", "--operator", op],
    exit: 0,
    expect: "ok: trade",
  });

  writeFileSync(join(ROOT, "cases.json"), `${JSON.stringify({ cases }, null, 2)}\n`);
}

await main();
