/**
 * Rebuilding a ledger's chain state from its stored blocks, without re-verifying signatures or
 * re-running the market (that is `verifyBlocks`): enough to append the next block. It still
 * checks that each block links to the one before, so that a store never extends a broken chain.
 */
import { parseInstant } from "../core/time.js";
import { type AnyHead, type ChainState, emptyChain, headHash, isRegistryHead } from "./block.js";
import { nonceKey, type SignedOrder } from "./envelope.js";
import { leafHash } from "./merkle.js";

export interface ReplayedChain {
  readonly state: ChainState;
  /** (public key, nonce) pairs used by signed orders so far. */
  readonly nonces: Set<string>;
  /** Heads by height. */
  readonly heads: AnyHead[];
}

interface StoredPayload {
  entries: Record<string, unknown>[];
  head: AnyHead;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** Index just after the JSON value starting at `i` (no whitespace, as in canonical JSON); -1 if cut short. */
function skipValue(s: string, i: number): number {
  const n = s.length;
  let depth = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) {
      j++;
      while (j < n && s.charCodeAt(j) !== QUOTE) {
        if (s.charCodeAt(j) === BACKSLASH) j++;
        j++;
      }
      if (j >= n) return -1;
      if (depth === 0) return j + 1;
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return j + 1;
      if (depth < 0) return -1;
    } else if (depth === 0 && (c === 44 || c === 58)) {
      return j;
    }
  }
  return depth === 0 ? n : -1;
}

/**
 * Splits a canonical block payload `{"entries":[...],"head":{...}}` into the text of each
 * entry (its leaf data, byte for byte) and of the head, without re-serializing anything.
 * Returns undefined when the text does not have that layout.
 */
export function splitPayload(payload: string): { entries: string[]; head: string } | undefined {
  const prefix = '{"entries":[';
  if (!payload.startsWith(prefix)) return undefined;
  let i = prefix.length;
  const entries: string[] = [];
  if (payload.charCodeAt(i) === 93) {
    i++;
  } else {
    for (;;) {
      const start = i;
      i = skipValue(payload, i);
      if (i < 0 || i === start) return undefined;
      entries.push(payload.slice(start, i));
      const c = payload.charCodeAt(i);
      i++;
      if (c === 44) continue;
      if (c === 93) break;
      return undefined;
    }
  }
  const mid = ',"head":';
  if (!payload.startsWith(mid, i)) return undefined;
  i += mid.length;
  const headStart = i;
  i = skipValue(payload, i);
  if (i !== payload.length - 1 || payload.charCodeAt(i) !== 125) return undefined;
  return { entries, head: payload.slice(headStart, i) };
}

/** Parses a stored block payload (JSON). Returns undefined when it is not a block. */
export function parsePayload(payload: string): StoredPayload | undefined {
  try {
    const raw = JSON.parse(payload) as StoredPayload;
    if (!raw || !Array.isArray(raw.entries) || typeof raw.head !== "object" || raw.head === null)
      return undefined;
    return raw;
  } catch {
    return undefined;
  }
}

/**
 * Replays payloads in order. Stops at the first payload that does not parse or does not link to
 * the previous head, and reports how many it accepted.
 */
export function replayChain(payloads: readonly string[]): ReplayedChain & { accepted: number } {
  let state = emptyChain();
  const nonces = new Set<string>();
  const heads: AnyHead[] = [];
  let accepted = 0;
  for (const payload of payloads) {
    const parts = splitPayload(payload);
    if (parts === undefined) break;
    let h: AnyHead;
    try {
      h = JSON.parse(parts.head) as AnyHead;
    } catch {
      break;
    }
    if (
      h.height !== state.height + 1 ||
      h.prev_head_hash !== state.headHash ||
      h.first_leaf !== state.frontier.size
    )
      break;
    const frontier = state.frontier.clone();
    const used: string[] = [];
    for (const text of parts.entries) {
      frontier.append(leafHash(text));
      // Canonical key order puts "envelope" first in a signed order entry.
      if (text.startsWith('{"envelope":')) {
        const e = JSON.parse(text) as { envelope: SignedOrder };
        used.push(nonceKey(e.envelope));
      } else if (text.startsWith('{"cancel":') || text.startsWith('{"document":')) {
        // Format 2's signed documents share the nonce space of orders.
        const e = JSON.parse(text) as { cancel?: SignedOrder; document?: SignedOrder };
        used.push(nonceKey((e.cancel ?? e.document) as SignedOrder));
      }
    }
    if (frontier.size !== h.tree_size || frontier.root().toString("hex") !== h.root) break;
    // A registry block has no interval: the chain's last interval is still the one before it.
    let lastIntervalEndMs = state.lastIntervalEndMs;
    if (!isRegistryHead(h)) {
      const start = parseInstant(h.interval?.start ?? "");
      if (start === undefined) break;
      lastIntervalEndMs = start + h.interval.minutes * 60_000;
    }
    for (const n of used) nonces.add(n);
    state = {
      height: h.height,
      frontier,
      headHash: headHash(h),
      lastIntervalEndMs,
      // A handover names the key of the blocks after this one.
      operator: h.next_operator ?? state.operator ?? h.operator,
    };
    heads.push(h);
    accepted++;
  }
  return { state, nonces, heads, accepted };
}
