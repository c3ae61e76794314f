/**
 * Verifying a ledger: everything a participant can check alone, block by block. The hash chain
 * (each head names the previous head's hash), the operator's signature on each head, every
 * participant signature, every Merkle root (the leaves are the block's entries), strictly
 * increasing intervals, unused nonces and unexpired orders, and that re-running the recorded
 * mechanism on the block's orders gives exactly the block's trades and settlement.
 *
 * Format 2 (verifyFormat2.ts) adds registry blocks, receive order, registered participants and
 * cancels; the format of each block is its head's.
 *
 * Signatures are gathered and checked in one batch through a caller-supplied checker (the CLI
 * spreads them over worker threads); everything else is pure and synchronous.
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { VerificationError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { formatInstant, parseInstant } from "../core/time.js";
import {
  namesOtherInterval,
  type OrderDocument,
  orderDocumentSchema,
} from "../market/orderDocument.js";
import { MECHANISM_NAMES } from "../market/types.js";
import {
  type AnyHead,
  type BlockHead,
  blockEntries,
  clearBlockMarket,
  GENESIS_PREV_HASH,
  handoverSigningBytes,
  headHash,
  headSigningBytes,
  LEDGER_FORMAT,
  LEDGER_FORMAT_2,
  type OrderItem,
  type RegistryHead,
} from "./block.js";
import { entryDifference } from "./entryDifference.js";
import {
  envelopeProblem,
  envelopeSchema,
  expiryProblem,
  nonceKey,
  orderSigningBytes,
} from "./envelope.js";
import { verifyMessage } from "./keys.js";
import { leafHash, MerkleFrontier } from "./merkle.js";
import { splitPayload } from "./replay.js";
import type { SignedDocument } from "./signedDocument.js";
import { damaged, type PendingSignature, type SignatureTask } from "./verifyFailures.js";
import {
  checkCancel,
  checkReceivedOrder,
  checkRegistryEntries,
  Format2State,
  handoverFields,
  registryHeadSchema,
} from "./verifyFormat2.js";
import { checkRulesInForce } from "./verifyUpdates.js";

export { damaged, type SignatureTask };

/** Checks a batch of signatures; resolves to 1 (valid) or 0 per task. */
export type SignatureChecker = (tasks: readonly SignatureTask[]) => Promise<Uint8Array>;

/** Checks signatures one by one on this thread. */
export const checkSignaturesInline: SignatureChecker = async (tasks) =>
  Uint8Array.from(tasks, (t) => (verifyMessage(t.publicKey, t.message, t.signature) ? 1 : 0));

export interface VerifyOptions {
  /**
   * The operator key (hex) the verifier trusts: the first block's, or one the chain hands over to
   * (which then vouches, through the chain of heads, for every block before). Default: the first
   * block's, unchecked.
   */
  readonly operator?: string;
  /** The community's admin key (hex) registry documents must be signed by; default: the first registry block's. */
  readonly admin?: string;
  readonly checkSignatures?: SignatureChecker;
}

export interface VerifyReport {
  readonly blocks: number;
  readonly trades: number;
  readonly orders: number;
  readonly signatures: number;
  readonly treeSize: number;
  /** Hash of the last head (64 zeros for an empty ledger). */
  readonly headHash: string;
  /** The first block's operator key. */
  readonly operator: string | undefined;
  /** The block-signing keys in chain order: the first block's, then each one handed over to. */
  readonly operators: readonly string[];
  readonly lastHead: AnyHead | undefined;
  /** Format 2: registry blocks, and the admin key they are signed by. */
  readonly registryBlocks: number;
  readonly admin: string | undefined;
}

const hex = (n: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`), { error: `${n} hex digits` });
const count = z.number().int().nonnegative();

const clearingHeadSchema = z.strictObject({
  format: z.literal(LEDGER_FORMAT, { error: `"${LEDGER_FORMAT}"` }),
  height: count,
  interval: z.strictObject({
    start: z.string().refine((s) => parseInstant(s) !== undefined, { error: "an ISO 8601 time" }),
    minutes: z.number().int().min(1).max(1440),
  }),
  market: z.strictObject({
    mechanism: z.enum(MECHANISM_NAMES as [string, ...string[]]),
    params: z.strictObject({ k: z.number().min(0).max(1).optional() }),
    grid: z.strictObject({
      import_price_per_kwh: z.number().positive(),
      export_price_per_kwh: z.number().nonnegative(),
      network_fee_per_kwh: z.number().nonnegative(),
    }),
  }),
  first_leaf: count,
  tree_size: count,
  root: hex(64),
  prev_head_hash: hex(64),
  operator: hex(64),
  signature: hex(128),
});

const clearingHead2Schema = clearingHeadSchema.extend({
  format: z.literal(LEDGER_FORMAT_2, { error: `"${LEDGER_FORMAT_2}"` }),
  kind: z.literal("clearing", { error: '"clearing" or "registry"' }),
  ...handoverFields,
});

/** The schema for a head, chosen by its format and kind so that a problem is named precisely. */
function schemaFor(raw: unknown) {
  const r = (raw ?? {}) as { format?: unknown; kind?: unknown };
  if (r.format !== LEDGER_FORMAT_2) return clearingHeadSchema;
  return r.kind === "registry" ? registryHeadSchema : clearingHead2Schema;
}

/** A head of either format and any kind (as proofs carry them). */
export const headSchema = z.unknown().transform((raw, ctx) => {
  const parsed = schemaFor(raw).safeParse(raw);
  if (parsed.success) return parsed.data as AnyHead;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  return z.NEVER;
});

const payloadSchema = z.strictObject({
  entries: z.array(z.looseObject({ type: z.string(), height: count })),
  head: z.unknown(),
});

/** Verifies one parsed block against the chain so far; returns its signatures for the batch. */
class ChainVerifier {
  readonly frontier = new MerkleFrontier();
  prevHash = GENESIS_PREV_HASH;
  lastEndMs = Number.NEGATIVE_INFINITY;
  /** The key the next head must be signed by (the first block's, then each handover's). */
  signer: string | undefined;
  /** The block-signing keys in chain order. */
  readonly operators: string[] = [];
  readonly nonces = new Set<string>();
  trades = 0;
  orders = 0;
  lastHead: AnyHead | undefined;
  readonly signatures: PendingSignature[] = [];
  readonly f2: Format2State;
  /** A format-2 block was seen: format 1 may not follow. */
  private format2 = false;

  constructor(admin: string | undefined) {
    this.f2 = new Format2State(admin);
  }

  /** Checks block `height`: its layout, its head, its tree, its orders, and its market. */
  check(height: number, payload: string): void {
    const { head, entries, texts } = this.parseBlock(height, payload);
    if (head.format === LEDGER_FORMAT_2) this.format2 = true;
    else if (this.format2)
      throw damaged(height, `a ${LEDGER_FORMAT} block after a ${LEDGER_FORMAT_2} block`);
    this.checkChain(height, head);
    this.checkTree(height, head, texts);
    if (head.kind === "registry") {
      checkRegistryEntries(this, height, head as RegistryHead, entries, texts);
    } else {
      this.checkClearing(height, head as BlockHead, entries, texts);
    }
    this.pushHeadSignature(height, head);
    this.prevHash = headHash(head);
    this.lastHead = head;
  }

  /** A clearing block: its interval, its orders (and format 2's cancels), and its market. */
  private checkClearing(
    height: number,
    head: BlockHead,
    entries: readonly Record<string, unknown>[],
    texts: readonly string[],
  ): void {
    const startMs = this.checkInterval2(height, head);
    const v2 = head.format === LEDGER_FORMAT_2;
    checkRulesInForce(this, height, head, startMs);
    const items = this.recordedOrders(height, entries, startMs, v2);
    const cancels: SignedDocument[] = [];
    for (let i = items.length; i < entries.length && entries[i]?.type === "cancel"; i++)
      cancels.push(
        checkCancel(this, height, entries[i] as Record<string, unknown>, i, startMs, items),
      );
    const trades = this.rerunMarket(
      height,
      head,
      startMs,
      items,
      entries,
      texts,
      v2 ? { cancels } : undefined,
    );
    this.trades += trades;
    this.orders += items.length;
    this.lastEndMs = startMs + head.interval.minutes * 60_000;
  }

  private pushHeadSignature(height: number, head: AnyHead): void {
    this.signatures.push({
      height,
      what: "operator signature on the head does not verify",
      task: {
        publicKey: head.operator,
        message: headSigningBytes(head),
        signature: head.signature,
      },
    });
    if (head.next_operator !== undefined)
      this.signatures.push({
        height,
        what: "the next operator key's signature on the handover does not verify",
        task: {
          publicKey: head.next_operator,
          message: handoverSigningBytes(head),
          signature: head.next_operator_signature as string,
        },
      });
  }

  /** The pinned key is the first block's, or one the chain hands over to (it signs a head). */
  pinProblem(pinned: string | undefined): VerificationError | undefined {
    const first = this.operators[0];
    if (pinned === undefined || first === undefined || this.operators.includes(pinned))
      return undefined;
    return damaged(
      0,
      `signed by operator key ${first.slice(0, 16)}..., not the expected ${pinned.slice(0, 16)}...${this.operators.length > 1 ? " (nor does the chain hand over to it)" : ""}`,
    );
  }

  /** The stored block in its canonical layout: the head, the entries and each entry's text. */
  private parseBlock(height: number, payload: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(payload);
    } catch {
      throw damaged(height, "the stored block is not valid JSON");
    }
    // Canonical form: every entry is compared below with the entry the market gives (written
    // canonically), and the head here with its canonical form, so no byte can differ unseen.
    const parts = splitPayload(payload);
    if (parts === undefined)
      throw damaged(height, "the stored block does not have the block layout");
    const shape = payloadSchema.safeParse(raw);
    if (!shape.success) throw damaged(height, "the stored block does not have the block layout");
    const headParsed = schemaFor(shape.data.head).safeParse(shape.data.head);
    if (!headParsed.success) {
      const issue = headParsed.error.issues[0];
      throw damaged(
        height,
        `malformed head at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`,
      );
    }
    const head = headParsed.data as AnyHead;
    if (canonicalize(head) !== parts.head) {
      throw damaged(height, "the stored head is not in canonical form (bytes were changed)");
    }
    // The payload is canonical, so each entry's text in it is its canonical form.
    return { head, entries: shape.data.entries, texts: parts.entries };
  }

  /** The head follows the chain: height, previous head, operator, first leaf. */
  private checkChain(height: number, head: AnyHead): void {
    if (head.height !== height)
      throw damaged(height, `head says height ${head.height} (blocks reordered or missing)`);
    if (head.prev_head_hash !== this.prevHash) {
      throw damaged(
        height,
        `previous-head hash ${head.prev_head_hash.slice(0, 16)}... does not match block ${height - 1}'s head ${this.prevHash.slice(0, 16)}... (the chain is broken)`,
      );
    }
    if (this.signer === undefined) this.operators.push(head.operator);
    else if (head.operator !== this.signer) {
      throw damaged(
        height,
        `signed by operator key ${head.operator.slice(0, 16)}..., not the expected ${this.signer.slice(0, 16)}...${this.operators.length > 1 ? " (the key the chain last handed over to)" : ""}`,
      );
    }
    this.signer = head.operator;
    const next = head.next_operator;
    if ((next === undefined) !== (head.next_operator_signature === undefined))
      throw damaged(height, "a handover needs both next_operator and next_operator_signature");
    if (next !== undefined) {
      if (next === head.operator)
        throw damaged(height, "hands over to the key that already signs it");
      this.operators.push(next);
      this.signer = next;
    }
    if (head.first_leaf !== this.frontier.size) {
      throw damaged(height, `first leaf ${head.first_leaf} should be ${this.frontier.size}`);
    }
  }

  /** A clearing block's interval starts after the previous one ends. */
  private checkInterval2(height: number, head: BlockHead): number {
    const startMs = parseInstant(head.interval.start) as number;
    if (startMs < this.lastEndMs)
      throw damaged(
        height,
        `interval ${head.interval.start} starts before the previous interval ends`,
      );
    return startMs;
  }

  /** The block's entries extend the tree to the head's size and root. */
  private checkTree(height: number, head: AnyHead, texts: readonly string[]): void {
    for (const t of texts) this.frontier.append(leafHash(t));
    if (head.tree_size !== this.frontier.size) {
      throw damaged(
        height,
        `tree size ${head.tree_size} but the block's entries make ${this.frontier.size}`,
      );
    }
    if (head.root !== this.frontier.root().toString("hex")) {
      throw damaged(
        height,
        "Merkle root does not match the block's entries (an entry was changed, added or removed)",
      );
    }
  }

  /** An order that names its delivery interval must be in that interval's block. */
  private checkInterval(height: number, order: OrderDocument, startMs: number): void {
    if (namesOtherInterval(order, startMs))
      throw damaged(
        height,
        `order ${JSON.stringify(order.id)} is for the interval starting ${order.interval_start}, not ${formatInstant(startMs)}`,
      );
  }

  /** The orders, as recorded: each signed one valid for the interval, its nonce new. */
  private recordedOrders(
    height: number,
    entries: readonly Record<string, unknown>[],
    startMs: number,
    v2: boolean,
  ): OrderItem[] {
    const items: OrderItem[] = [];
    let seq = -1;
    for (let i = 0; i < entries.length && (entries[i] as { type: string }).type === "order"; i++) {
      const e = entries[i] as Record<string, unknown>;
      if (e.height !== height)
        throw damaged(height, `entry ${i} belongs to block ${String(e.height)}`);
      const item = this.recordedOrder(height, e, i, startMs, v2);
      if (v2) {
        seq = checkReceivedOrder(this, height, e, item, seq, startMs);
        items.push({ ...item, receivedSeq: seq });
      } else items.push(item);
    }
    return items;
  }

  /**
   * One order entry: an attested order, or a signed one valid for the interval, its nonce new.
   * Its key is its participant's by format 1's rule (the key's id); format 2's registry binds
   * keys to participants instead (checkReceivedOrder).
   */
  private recordedOrder(
    height: number,
    e: Record<string, unknown>,
    i: number,
    startMs: number,
    v2: boolean,
  ): OrderItem {
    if (!("envelope" in e)) {
      const doc = orderDocumentSchema.safeParse(e.order);
      if (!doc.success) throw damaged(height, `order entry ${i} is not a valid order`);
      this.checkInterval(height, doc.data, startMs);
      return { kind: "attested", order: doc.data };
    }
    const env = envelopeSchema.safeParse(e.envelope);
    if (!env.success)
      throw damaged(
        height,
        `order entry ${i}: ${formatIssue({ path: env.error.issues[0]?.path.filter((p) => typeof p !== "symbol") ?? [], expected: env.error.issues[0]?.message ?? "", received: undefined })}`,
      );
    const envelope = env.data;
    this.checkInterval(height, envelope.order, startMs);
    const problem = v2 ? expiryProblem(envelope, startMs) : envelopeProblem(envelope, startMs);
    if (problem)
      throw damaged(height, `order ${JSON.stringify(envelope.order.id)}: ${problem.message}`);
    const key = nonceKey(envelope);
    if (this.nonces.has(key))
      throw damaged(
        height,
        `order ${JSON.stringify(envelope.order.id)} replays nonce ${envelope.nonce} already used by this key`,
      );
    this.nonces.add(key);
    this.signatures.push({
      height,
      what: `participant signature on order ${JSON.stringify(envelope.order.id)} does not verify`,
      task: {
        publicKey: envelope.public_key,
        message: orderSigningBytes(envelope),
        signature: envelope.signature,
      },
    });
    return { kind: "signed", envelope };
  }

  /** Re-runs the market on the block's orders: the rest of the block must follow exactly. */
  private rerunMarket(
    height: number,
    head: BlockHead,
    startMs: number,
    items: readonly OrderItem[],
    entries: readonly Record<string, unknown>[],
    texts: readonly string[],
    v2: { cancels: readonly SignedDocument[] } | undefined,
  ): number {
    const interval = { startMs, minutes: head.interval.minutes };
    const sequence = v2 === undefined ? "timestamp" : "given";
    const cleared = clearBlockMarket(interval, head.market, items, sequence);
    if ("problem" in cleared)
      throw damaged(height, `its orders break the market rules: ${cleared.problem}`);
    const expected = blockEntries(height, items, cleared.result, cleared.mechanism, v2);
    if (expected.length !== texts.length || expected.some((t, i) => t !== texts[i])) {
      let i = 0;
      while (i < expected.length && expected[i] === texts[i]) i++;
      const kind =
        (entries[i] as { type?: string } | undefined)?.type ??
        (JSON.parse(expected[i] ?? "{}") as { type?: string }).type ??
        "entry";
      throw damaged(
        height,
        `re-running ${head.market.mechanism} on the block's ${items.length} orders does not give the recorded ${kind} (entry ${i}: ${entryDifference(expected[i], texts[i], expected.length, texts.length)})`,
      );
    }
    return cleared.result.trades.length;
  }
}

/**
 * Verifies stored blocks (canonical JSON payloads, height 0 first). Throws a
 * `VerificationError` naming the first bad block; resolves to a report otherwise.
 */
export async function verifyBlocks(
  payloads: Iterable<string>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const v = new ChainVerifier(options.admin);
  let height = 0;
  let failure: VerificationError | undefined;
  for (const payload of payloads) {
    try {
      v.check(height, payload);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      failure = error;
      break;
    }
    height++;
  }
  failure ??= v.pinProblem(options.operator);
  const checker = options.checkSignatures ?? checkSignaturesInline;
  const results = await checker(v.signatures.map((s) => s.task));
  for (let i = 0; i < v.signatures.length; i++) {
    if (results[i] !== 1) {
      const s = v.signatures[i] as PendingSignature;
      // Signatures are gathered in block order: the first bad one is the earliest.
      if (
        failure === undefined ||
        s.height <= ((failure.details?.height as number) ?? Number.POSITIVE_INFINITY)
      ) {
        failure = damaged(s.height, s.what);
      }
      break;
    }
  }
  if (failure) throw failure;
  return {
    blocks: height,
    trades: v.trades,
    orders: v.orders,
    signatures: v.signatures.length,
    treeSize: v.frontier.size,
    headHash: v.prevHash,
    operator: v.operators[0],
    operators: v.operators,
    lastHead: v.lastHead,
    registryBlocks: v.f2.registryBlocks,
    admin: v.f2.admin,
  };
}
