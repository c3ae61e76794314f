import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createRng } from "./rng.js";

const vectors = JSON.parse(
  readFileSync(new URL("../../test/vectors/rng/xoshiro128starstar.json", import.meta.url), "utf8"),
) as { cases: { seed: string; outputs: number[] }[] };

test("xoshiro128** matches the reference C implementation", () => {
  for (const c of vectors.cases) {
    const rng = createRng(BigInt(c.seed));
    assert.deepEqual(
      c.outputs.map(() => rng.nextUint32()),
      c.outputs,
      `seed ${c.seed}`,
    );
  }
});

test("behavior: same seed, same stream; forks are independent and stable", () => {
  const a = createRng(7);
  const b = createRng(7);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
  const f1 = createRng(7).fork("Building_3");
  const f2 = createRng(7).fork("Building_3");
  const g = createRng(7).fork("Building_4");
  const x = [f1.next(), f1.next()];
  assert.deepEqual([f2.next(), f2.next()], x);
  assert.notDeepEqual([g.next(), g.next()], x);
});

test("behavior: int() is unbiased over a small range, next() in [0, 1), normal() has unit variance", () => {
  const rng = createRng(123);
  const counts = [0, 0, 0, 0, 0, 0];
  const n = 60_000;
  for (let i = 0; i < n; i++) counts[rng.int(1, 6) - 1]!++;
  for (const c of counts)
    assert.ok(Math.abs(c - n / 6) < 5 * Math.sqrt((n * 5) / 36), `count ${c}`);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    const z = rng.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sq / n - 1) < 0.03);
});
