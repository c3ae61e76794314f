import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import {
  consistencyPath,
  type Hash,
  inclusionPath,
  leafHash,
  MerkleFrontier,
  rootOf,
  type SubtreeCache,
  TILE_LEAVES,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";

const v = JSON.parse(
  readFileSync(new URL("../../test/vectors/merkle/rfc6962.json", import.meta.url), "utf8"),
) as {
  leaves: string[];
  roots: string[];
  inclusion: { index: number; size: number; path: string[] }[];
  consistency: { first: number; second: number; proof: string[] }[];
};
const leaves = v.leaves.map((h) => leafHash(Buffer.from(h, "hex")));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => Buffer.from(s, "hex");

test("RFC 6962 vectors: roots of every size 0..8, incrementally too", () => {
  const frontier = new MerkleFrontier();
  assert.equal(hex(frontier.root()), v.roots[0]);
  for (let n = 0; n <= 8; n++) assert.equal(hex(rootOf(leaves, n)), v.roots[n], `size ${n}`);
  leaves.forEach((l, i) => {
    frontier.append(l);
    assert.equal(hex(frontier.root()), v.roots[i + 1], `frontier size ${i + 1}`);
  });
});

test("RFC 6962 vectors: published inclusion and consistency proofs", () => {
  for (const c of v.inclusion) {
    assert.deepEqual(inclusionPath(leaves, c.index, c.size).map(hex), c.path);
    assert.ok(
      verifyInclusion(
        leaves[c.index]!,
        c.index,
        c.size,
        c.path.map(unhex),
        unhex(v.roots[c.size]!),
      ),
    );
  }
  for (const c of v.consistency) {
    assert.deepEqual(consistencyPath(leaves, c.first, c.second).map(hex), c.proof);
    assert.ok(
      verifyConsistency(
        c.first,
        c.second,
        c.proof.map(unhex),
        unhex(v.roots[c.first]!),
        unhex(v.roots[c.second]!),
      ),
    );
  }
});

function randomLeaves(n: number, seed: number): Hash[] {
  return Array.from({ length: n }, (_, i) => leafHash(`${seed}:${i}`));
}

function flipBit(b: Uint8Array, bit: number): Buffer {
  const c = Buffer.from(b);
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
}

test("property: every leaf's inclusion proof verifies in random trees, and fails after any one-bit change", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (n, seed, pick, bit) => {
        const ls = randomLeaves(n, seed);
        const root = rootOf(ls);
        const frontier = new MerkleFrontier();
        for (const l of ls) frontier.append(l);
        assert.deepEqual(frontier.root(), root);
        const i = pick % n;
        const path = inclusionPath(ls, i);
        assert.ok(verifyInclusion(ls[i]!, i, n, path, root));
        // One bit anywhere: the leaf, the root, or one element of the path.
        assert.ok(!verifyInclusion(flipBit(ls[i]!, bit), i, n, path, root));
        assert.ok(!verifyInclusion(ls[i]!, i, n, path, flipBit(root, bit)));
        if (path.length > 0) {
          const j = bit % path.length;
          const bad = path.map((p, k) => (k === j ? flipBit(p, bit) : p));
          assert.ok(!verifyInclusion(ls[i]!, i, n, bad, root));
          assert.ok(!verifyInclusion(ls[i]!, i, n, path.slice(0, -1), root), "truncated path");
        }
        assert.ok(!verifyInclusion(ls[i]!, i, n, [...path, root], root), "trailing garbage");
        if (n > 1) assert.ok(!verifyInclusion(ls[i]!, (i + 1) % n, n, path, root), "wrong index");
      },
    ),
    { numRuns: 400 },
  );
});

test("property: consistency proofs between random sizes verify, and fail after any one-bit change", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (n, seed, pick, bit) => {
        const ls = randomLeaves(n, seed);
        const m = 1 + (pick % n);
        const proof = consistencyPath(ls, m, n);
        const r1 = rootOf(ls, m);
        const r2 = rootOf(ls, n);
        assert.ok(verifyConsistency(m, n, proof, r1, r2));
        if (m < n) {
          assert.ok(!verifyConsistency(m, n, proof, flipBit(r1, bit), r2));
          assert.ok(!verifyConsistency(m, n, proof, r1, flipBit(r2, bit)));
          assert.ok(!verifyConsistency(m, n, proof, r2, r1), "swapped roots");
          const j = bit % proof.length;
          assert.ok(
            !verifyConsistency(
              m,
              n,
              proof.map((p, k) => (k === j ? flipBit(p, bit) : p)),
              r1,
              r2,
            ),
          );
          assert.ok(!verifyConsistency(m, n, proof.slice(0, -1), r1, r2), "truncated proof");
          assert.ok(!verifyConsistency(m, n, [...proof, r1], r1, r2), "trailing garbage");
        }
      },
    ),
    { numRuns: 400 },
  );
});

test("property: proofs from a growing tree's kept subtrees equal proofs from the leaves alone", () => {
  const leaves = Array.from({ length: 3000 }, (_, i) => leafHash(`leaf ${i}`));
  const cache: SubtreeCache = new Map();
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.nat()), {
        minLength: 1,
        maxLength: 20,
      }),
      (asks) => {
        for (const [size, i, m] of asks) {
          const index = i % size;
          assert.deepEqual(
            inclusionPath(leaves, index, size, cache),
            inclusionPath(leaves, index, size),
          );
          const from = m % (size + 1);
          assert.deepEqual(
            consistencyPath(leaves, from, size, cache),
            consistencyPath(leaves, from, size),
          );
        }
      },
    ),
    { numRuns: 60 },
  );
  // The kept subtrees are the complete ones of at least TILE_LEAVES leaves: 3000 leaves hold
  // 11 of 256, 5 of 512, 2 of 1024 and 1 of 2048.
  assert.ok(cache.size > 0 && cache.size <= 19, `${cache.size} subtrees kept`);
  assert.ok([...cache.keys()].every((k) => 2 ** (k % 64) >= TILE_LEAVES));
});
