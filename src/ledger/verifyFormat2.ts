/**
 * What verifying adds for format 2: the heads of both block kinds, registry blocks (each admin
 * document by the admin key, each key rotation by the participant's current key with the new
 * key's proof, every document new and with exactly the effect it has on the registry so far),
 * and a clearing block's receive order, participants (each order signed by the key bound to its
 * participant for the interval) and cancels. verify.ts calls these from its chain walk;
 * signatures join its one batch.
 */
import { z } from "zod";
import { formatInstant, parseInstant } from "../core/time.js";
import { type OrderItem, orderOfItem, type RegistryHead } from "./block.js";
import { UpdateSchedule } from "./communityUpdates.js";
import { registryEntry } from "./entries.js";
import { keyProofBytes } from "./keyDocuments.js";
import {
  cancelSchema,
  contextOf,
  Registry,
  type RegistryAction,
  registryActionSchema,
} from "./registry.js";
import {
  documentSigningBytes,
  type SignedDocument,
  signedDocumentSchema,
} from "./signedDocument.js";
import { damaged, type PendingSignature } from "./verifyFailures.js";
import { checkUpdateEntry } from "./verifyUpdates.js";

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
  next_operator: hex(64).optional(),
  next_operator_signature: hex(128).optional(),
  signature: hex(128),
});

/** The fields by which a format-2 head of any kind hands over to the next operator key. */
export const handoverFields = {
  next_operator: hex(64).optional(),
  next_operator_signature: hex(128).optional(),
};

/** The state format 2 adds to the chain walk. */
export class Format2State {
  readonly registry = new Registry();
  /** The community updates recorded so far (communityUpdates.ts). */
  readonly updates = new UpdateSchedule();
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
  /** The end of the chain's last clearing interval, epoch ms. */
  readonly lastEndMs: number;
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
  if (entries.length === 0 && head.next_operator === undefined)
    throw damaged(height, "a registry block with no documents (and no handover)");
  entries.forEach((e, i) => {
    if (e.type === "update" && e.height === height) {
      checkUpdateEntry(walk, height, head, e, texts[i] as string, i);
      return;
    }
    if (e.type !== "registry" || e.height !== height)
      throw damaged(height, `entry ${i} is not a registry entry of this block`);
    const doc = signedDocumentSchema.safeParse(e.document);
    if (!doc.success) throw damaged(height, `entry ${i}: not a signed document`);
    const action = registryActionSchema.safeParse(doc.data.document);
    if (!action.success)
      throw damaged(height, `entry ${i}: ${action.error.issues[0]?.message ?? "not an action"}`);
    const kind = contextOf(action.data);
    if (kind === "admin" && doc.data.public_key !== head.admin)
      throw damaged(height, `entry ${i}: the document is not signed by the admin key`);
    useNonce(walk, height, doc.data, `registry entry ${i}`);
    const effect = f2.registry.effectOf(action.data, doc.data.public_key);
    if ("problem" in effect)
      throw damaged(height, `entry ${i} (${action.data.action}): ${effect.problem}`);
    checkBindingStart(walk, height, i, action.data);
    if (registryEntry(height, doc.data, effect) !== texts[i])
      throw damaged(height, `entry ${i}: the recorded effect is not the document's`);
    f2.registry.apply(effect);
    walk.signatures.push({
      height,
      what: `${kind === "admin" ? "admin" : "participant"} signature on registry entry ${i} does not verify`,
      task: {
        publicKey: doc.data.public_key,
        message: documentSigningBytes(kind, doc.data),
        signature: doc.data.signature,
      },
    });
    if (action.data.action === "key.rotate")
      walk.signatures.push({
        height,
        what: `the new key's proof of possession on registry entry ${i} does not verify`,
        task: {
          publicKey: action.data.public_key,
          message: keyProofBytes(action.data),
          signature: action.data.proof,
        },
      });
  });
  f2.registryBlocks++;
}

/** A key binding never reaches back into an interval the chain has already cleared. */
function checkBindingStart(walk: Walk, height: number, i: number, action: RegistryAction): void {
  if (action.action !== "key.rotate" && action.action !== "participant.rebind") return;
  const fromMs = parseInstant(action.valid_from) as number;
  if (fromMs < walk.lastEndMs)
    throw damaged(
      height,
      `entry ${i} (${action.action}): binds a key from ${action.valid_from}, before the end of the last cleared interval (${formatInstant(walk.lastEndMs)})`,
    );
}

/**
 * A format-2 order entry: its receive stamp follows the previous one, its participant is active,
 * and a signed order is signed by the key bound to its participant for the interval.
 */
export function checkReceivedOrder(
  walk: Walk,
  height: number,
  entry: Record<string, unknown>,
  item: OrderItem,
  previousSeq: number,
  startMs: number,
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
  const { registry } = walk.f2;
  if (!registry.isActive(order.participant))
    throw damaged(
      height,
      `order ${JSON.stringify(order.id)}: participant ${order.participant} is ${registry.status(order.participant) === "suspended" ? "suspended" : "not registered"} at this point of the chain`,
    );
  const bound = registry.keyFor(order.participant, startMs);
  if (item.kind === "signed" && item.envelope.public_key !== bound)
    throw damaged(
      height,
      `order ${JSON.stringify(order.id)}: signed by key ${item.envelope.public_key.slice(0, 16)}..., not the key bound to participant ${order.participant} for the interval starting ${formatInstant(startMs)} (${String(bound).slice(0, 16)}...)`,
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
  // Bound to its participant for the interval (so registered), not necessarily active: a member
  // suspended after it cancelled (before the gate) keeps its cancel, which changes no trade (the
  // order is not in the block).
  if (walk.f2.registry.keyFor(c.participant, startMs) !== doc.data.public_key)
    throw damaged(
      height,
      `${what}: not signed by the order's owner ${c.participant} (the key bound to it for the interval)`,
    );
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
