/**
 * The RFC 6962 / RFC 9162 Merkle tree over the whole ledger: one append-only log whose leaves
 * are every entry of every block. Leaf hash SHA-256(0x00 || data), node hash
 * SHA-256(0x01 || left || right); a tree of n > 1 leaves splits at the largest power of two
 * smaller than n. Inclusion proofs show one leaf is in a tree of a given size; consistency
 * proofs show a larger tree extends a smaller one (no history rewritten).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6962#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9162#section-2.1 (verification algorithms)
 */

import { createHash, hash } from "node:crypto";
import { invariant } from "../core/errors.js";

export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0]);

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Hash = createHash("sha256").digest();

export function leafHash(data: Uint8Array | string): Hash {
  if (typeof data === "string") return hash("sha256", `\u0000${data}`, "buffer") as Hash;
  return hash("sha256", Buffer.concat([LEAF_PREFIX, data]), "buffer") as Hash;
}

// One scratch buffer for node hashing: 0x01 || left || right.
const scratch = Buffer.alloc(65);
scratch[0] = 1;

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  scratch.set(left, 1);
  scratch.set(right, 33);
  return hash("sha256", scratch, "buffer") as Hash;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** Largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Hashes of complete subtrees of a growing tree, kept between proofs: a subtree of 2^k leaves
 * starting at a multiple of 2^k never changes once its leaves exist, so a log's proofs can reuse
 * them and cost a logarithmic number of hashes instead of the whole tree's. Only subtrees of at
 * least {@link TILE_LEAVES} leaves are kept (about one hash per 128 leaves).
 */
export type SubtreeCache = Map<number, Hash>;

export const TILE_LEAVES = 256;

/** MTH of `leaves[lo, hi)`. */
function subtreeRoot(leaves: readonly Hash[], lo: number, hi: number, cache?: SubtreeCache): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo] as Hash;
  // Complete and aligned (every RFC 6962 left subtree is): cacheable once all its leaves exist.
  const key =
    cache !== undefined && n >= TILE_LEAVES && lo % n === 0 && isPowerOfTwo(n)
      ? lo * 64 + Math.log2(n)
      : undefined;
  const known = key === undefined ? undefined : cache?.get(key);
  if (known !== undefined) return known;
  const k = splitPoint(n);
  const root = nodeHash(
    subtreeRoot(leaves, lo, lo + k, cache),
    subtreeRoot(leaves, lo + k, hi, cache),
  );
  if (key !== undefined) cache?.set(key, root);
  return root;
}

/** Root of the tree made of the first `size` leaf hashes (all by default). */
export function rootOf(leaves: readonly Hash[], size = leaves.length): Hash {
  return subtreeRoot(leaves, 0, size);
}

/** RFC 6962 PATH(m, D[n]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionPath(
  leaves: readonly Hash[],
  index: number,
  size = leaves.length,
  cache?: SubtreeCache,
): Hash[] {
  invariant(
    index >= 0 && index < size && size <= leaves.length,
    `leaf ${index} is not in a tree of ${size}`,
  );
  const path: Hash[] = [];
  const walk = (lo: number, hi: number, m: number) => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(lo, lo + k, m);
      path.push(subtreeRoot(leaves, lo + k, hi, cache));
    } else {
      walk(lo + k, hi, m - k);
      path.push(subtreeRoot(leaves, lo, lo + k, cache));
    }
  };
  walk(0, size, index);
  return path;
}

/** RFC 6962 PROOF(m, D[n]): the consistency proof from the tree of `m` leaves to `n` leaves. */
export function consistencyPath(
  leaves: readonly Hash[],
  m: number,
  n = leaves.length,
  cache?: SubtreeCache,
): Hash[] {
  invariant(m >= 0 && m <= n && n <= leaves.length, `no consistency from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  const proof: Hash[] = [];
  const sub = (lo: number, hi: number, mm: number, complete: boolean) => {
    const size = hi - lo;
    if (mm === size) {
      if (!complete) proof.push(subtreeRoot(leaves, lo, hi, cache));
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(lo, lo + k, mm, complete);
      proof.push(subtreeRoot(leaves, lo + k, hi, cache));
    } else {
      sub(lo + k, hi, mm - k, false);
      proof.push(subtreeRoot(leaves, lo, lo + k, cache));
    }
  };
  sub(0, n, m, true);
  return proof;
}

/**
 * Checks an audit path (RFC 9162 section 2.1.3.2). Returns true when `leaf` is the leaf at
 * `index` of the tree of `size` leaves whose root is `root`.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size))
    return false;
  if (leaf.length !== 32 || root.length !== 32) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (p.length !== 32) return false;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.compare(Buffer.from(r), Buffer.from(root)) === 0;
}

/**
 * Checks a consistency proof (RFC 9162 section 2.1.4.2): true when the tree of `second` leaves
 * with root `secondRoot` extends the tree of `first` leaves with root `firstRoot`.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (
    !(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)
  )
    return false;
  if (firstRoot.length !== 32 || secondRoot.length !== 32) return false;
  if (first === second)
    return (
      proof.length === 0 && Buffer.compare(Buffer.from(firstRoot), Buffer.from(secondRoot)) === 0
    );
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  for (const p of proof) if (p.length !== 32) return false;
  const path: Uint8Array[] = [...proof];
  // A first tree that is a complete subtree is its own first node.
  if (isPowerOfTwo(first)) path.unshift(firstRoot);
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = path[0] as Uint8Array;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return (
    sn === 0 &&
    Buffer.compare(Buffer.from(fr), Buffer.from(firstRoot)) === 0 &&
    Buffer.compare(Buffer.from(sr), Buffer.from(secondRoot)) === 0
  );
}

/**
 * The right edge of a growing tree (its compact range): the roots of the perfect subtrees that
 * make up the first `size` leaves, largest first. Appending is O(log n) and the root is a fold
 * of the edge, so a ledger can be extended without keeping every leaf.
 */
export class MerkleFrontier {
  private readonly edge: Hash[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Hash): void {
    this.edge.push(leaf);
    let n = this.count;
    // Merge equal-sized perfect subtrees: one merge per trailing 1 bit of the old size.
    while (n % 2 === 1) {
      const right = this.edge.pop() as Hash;
      const left = this.edge.pop() as Hash;
      this.edge.push(nodeHash(left, right));
      n = Math.floor(n / 2);
    }
    this.count++;
  }

  root(): Hash {
    if (this.edge.length === 0) return EMPTY_ROOT;
    let r = this.edge[this.edge.length - 1] as Hash;
    for (let i = this.edge.length - 2; i >= 0; i--) r = nodeHash(this.edge[i] as Hash, r);
    return r;
  }

  clone(): MerkleFrontier {
    const c = new MerkleFrontier();
    c.edge.push(...this.edge);
    c.count = this.count;
    return c;
  }
}
