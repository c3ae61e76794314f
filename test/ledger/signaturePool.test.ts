import assert from "node:assert/strict";
import { after, test } from "node:test";
import { identityFromSeed, signMessage } from "../../src/ledger/keys.js";
import type { SignatureTask } from "../../src/ledger/verify.js";
import { closeSignatureWorkers, parallelSignatureChecker } from "../../src/store/signaturePool.js";

after(() => closeSignatureWorkers());

test("behavior: the worker pool finds exactly the bad signatures in a large batch, in order", async () => {
  const ids = [1, 2, 3].map((n) => identityFromSeed(Buffer.alloc(32, n)));
  const tasks: SignatureTask[] = Array.from({ length: 2000 }, (_, i) => {
    const who = ids[i % 3]!;
    const message = Buffer.from(`message ${i}`);
    return { publicKey: who.publicKey, message, signature: signMessage(who, message) };
  });
  const bad = [7, 999, 1000, 1999];
  tasks[7] = { ...tasks[7]!, message: Buffer.from("changed") };
  tasks[999] = {
    ...tasks[999]!,
    publicKey: ids[0]!.publicKey === tasks[999]!.publicKey ? ids[1]!.publicKey : ids[0]!.publicKey,
  };
  tasks[1000] = { ...tasks[1000]!, signature: "00".repeat(64) };
  tasks[1999] = { ...tasks[1999]!, signature: "zz" };
  const out = await parallelSignatureChecker(2)(tasks);
  assert.equal(out.length, tasks.length);
  const failed = [...out.keys()].filter((i) => out[i] !== 1);
  assert.deepEqual(failed, bad);
  // And the same answer twice (the pool stays up between batches).
  assert.deepEqual(await parallelSignatureChecker(2)(tasks), out);
});
