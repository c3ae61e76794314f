import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommit } from "../../src/service/groupCommit.js";

test("group commit: one turn's submissions go together, what arrives during a commit goes in the next batch; a failed batch is retried one by one", async () => {
  const batches: number[][] = [];
  const commit = new GroupCommit<number, number>(async (batch) => {
    batches.push([...batch]);
    await new Promise((r) => setTimeout(r, 5));
    if (batch.length > 1 && batch.includes(13)) throw new Error("conflict");
    if (batch.includes(13)) throw new Error("thirteen");
    return batch.map((x) => x * 2);
  }, 3);
  const first = commit.submit(1);
  const same = commit.submit(0);
  // What is submitted in the same turn of the event loop goes in the same batch.
  await new Promise((resolve) => setImmediate(resolve));
  const rest = [2, 3, 4, 5, 13, 6].map((x) => commit.submit(x));
  const settled = await Promise.allSettled([first, same, ...rest]);
  assert.deepEqual(
    settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message)),
    [2, 0, 4, 6, 8, 10, "thirteen", 12],
  );
  // 1 and 0 together; then 2, 3, 4 (three at most); then 5, 13, 6, failed and run one by one.
  assert.deepEqual(batches, [[1, 0], [2, 3, 4], [5, 13, 6], [5], [13], [6]]);
});
