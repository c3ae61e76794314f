/**
 * What verifying adds for format 2: the heads of both block kinds, registry blocks (each
 * document by the admin key, new, and with exactly the effect it has on the registry so far),
 * and a clearing block's receive order, participants and cancels. verify.ts calls these from its
 * chain walk; signatures join its one batch.
 */
import { z } from "zod";
import { formatInstant, parseInstant } from "../core/time.js";
import { type OrderItem, orderOfItem, type RegistryHead } from "./block.js";
import { registryEntry } from "./entries.js";
import { participantIdOf } from "./keys.js";
import { cancelSchema, Registry, registryActionSchema } from "./registry.js";
import {
  documentSigningBytes,
  type SignedDocument,
  signedDocumentSchema,
} from "./signedDocument.js";
import { damaged, type PendingSignature } from "./verifyFailures.js";

const hex = (n: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`), { error: `${n} hex digits` });
const count = z.number().int().nonnegative();

export const registryHeadSchema = z.strictObject({
  format: z.literal("gridshare-ledger/2", { error: '"gridshare-ledger/2"' }),
  kind: z.literal("registry"),
  height: count,
  admin: hex(64),
  first_leaf: count,
  tree_size: count,
  root: hex(64),
  prev_head_hash: hex(64),
  operator: hex(64),
  signature: hex(128),
});

/** The state format 2 adds to the chain walk. */
export class Format2State {
  readonly registry = new Registry();
  /** The community's admin key: pinned, or fixed by the first registry block. */
  admin: string | undefined;
  registryBlocks = 0;

  constructor(admin: string | undefined) {
    this.admin = admin;
  }
}

interface Walk {
  readonly f2: Format2State;
  readonly nonces: Set<string>;
  readonly signatures: PendingSignature[];
}

function useNonce(walk: Walk, height: number, doc: SignedDocument, what: string): void {
  const key = `${doc.public_key}:${doc.nonce}`;
  if (walk.nonces.has(key))
    throw damaged(height, `${what} replays nonce ${doc.nonce} already used by this key`);
  walk.nonces.add(key);
}

/** Checks a registry block's entries (after its head and tree) and applies their effects. */
export function checkRegistryEntries(
  walk: Walk,
  height: number,
  head: RegistryHead,
  entries: readonly Record<string, unknown>[],
  texts: readonly string[],
): void {
  const { f2 } = walk;
  if (f2.admin === undefined) f2.admin = head.admin;
  else if (head.admin !== f2.admin)
    throw damaged(
      height,
      `names admin key ${head.admin.slice(0, 16)}..., not the community's ${f2.admin.slice(0, 16)}...`,
    );
  if (entries.length === 0) throw damaged(height, "a registry block with no documents");
  entries.forEach((e, i) => {
    if (e.type !== "registry" || e.height !== height)
      throw damaged(height, `entry ${i} is not a registry entry of this block`);
    const doc = signedDocumentSchema.safeParse(e.document);
    if (!doc.success) throw damaged(height, `entry ${i}: not a signed document`);
    const action = registryActionSchema.safeParse(doc.data.document);
    if (!action.success)
      throw damaged(height, `entry ${i}: ${action.error.issues[0]?.message ?? "not an action"}`);
    if (doc.data.public_key !== head.admin)
      throw damaged(height, `entry ${i}: the document is not signed by the admin key`);
    useNonce(walk, height, doc.data, `registry entry ${i}`);
    const effect = f2.registry.effectOf(action.data);
    if ("problem" in effect)
      throw damaged(height, `entry ${i} (${action.data.action}): ${effect.problem}`);
    if (registryEntry(height, doc.data, effect) !== texts[i])
      throw damaged(height, `entry ${i}: the recorded effect is not the document's`);
    f2.registry.apply(effect);
    walk.signatures.push({
      height,
      what: `admin signature on registry entry ${i} does not verify`,
      task: {
        publicKey: doc.data.public_key,
        message: documentSigningBytes("admin", doc.data),
        signature: doc.data.signature,
      },
    });
  });
  f2.registryBlocks++;
}

/** A format-2 order entry: its receive stamp follows the previous one, its participant is active. */
export function checkReceivedOrder(
  walk: Walk,
  height: number,
  entry: Record<string, unknown>,
  item: OrderItem,
  previousSeq: number,
): number {
  const order = orderOfItem(item);
  const seq = entry.received_seq;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0)
    throw damaged(height, `order ${JSON.stringify(order.id)} has no received_seq`);
  if (seq <= previousSeq)
    throw damaged(
      height,
      `order ${JSON.stringify(order.id)}: received_seq ${seq} does not follow ${previousSeq} (orders out of receive order)`,
    );
  const key = item.kind === "signed" ? item.envelope.public_key : undefined;
  if (!walk.f2.registry.isActive(order.participant, key))
    throw damaged(
      height,
      `order ${JSON.stringify(order.id)}: participant ${order.participant} is ${walk.f2.registry.status(order.participant) === "suspended" ? "suspended" : "not registered"} at this point of the chain`,
    );
  return seq;
}

/** A cancel entry: signed by the order's registered owner, for this interval, of an order not cleared. */
export function checkCancel(
  walk: Walk,
  height: number,
  entry: Record<string, unknown>,
  index: number,
  startMs: number,
  items: readonly OrderItem[],
): SignedDocument {
  const doc = signedDocumentSchema.safeParse(entry.cancel);
  if (!doc.success) throw damaged(height, `cancel entry ${index}: not a signed document`);
  const cancel = cancelSchema.safeParse(doc.data.document);
  if (!cancel.success) throw damaged(height, `cancel entry ${index}: not a cancel`);
  const c = cancel.data;
  const what = `cancel of order ${JSON.stringify(c.order_id)}`;
  if (participantIdOf(doc.data.public_key) !== c.participant)
    throw damaged(height, `${what}: not signed by the order's owner ${c.participant}`);
  // Registered, not active: a member suspended after it cancelled (before the gate) keeps its
  // cancel, which changes no trade (the order is not in the block).
  if (!walk.f2.registry.isRegistered(c.participant, doc.data.public_key))
    throw damaged(height, `${what}: participant ${c.participant} is not registered with this key`);
  if (parseInstant(c.interval_start) !== startMs)
    throw damaged(height, `${what} is for ${c.interval_start}, not ${formatInstant(startMs)}`);
  const cleared = items.some(
    (i) => orderOfItem(i).participant === c.participant && orderOfItem(i).id === c.order_id,
  );
  if (cleared) throw damaged(height, `${what}: the cancelled order is in the block's orders`);
  useNonce(walk, height, doc.data, what);
  walk.signatures.push({
    height,
    what: `participant signature on the ${what} does not verify`,
    task: {
      publicKey: doc.data.public_key,
      message: documentSigningBytes("cancel", doc.data),
      signature: doc.data.signature,
    },
  });
  return doc.data;
}
