/**
 * What verifying a format-2 ledger adds for community updates (communityUpdates.ts): each
 * `update` entry of a registry block is a document signed by the admin key, with a new nonce, for
 * an interval after every interval already cleared, recorded with exactly the effect it has; and
 * each later clearing block's head records the market rules those updates put in force for its
 * interval. verifyFormat2.ts and verify.ts call these from their chain walk.
 */
import type { BlockHead, RegistryHead } from "./block.js";
import { ledgerUpdateSchema, type UpdateSchedule, updateEntry } from "./communityUpdates.js";
import { documentSigningBytes, signedDocumentSchema } from "./signedDocument.js";
import { damaged, type PendingSignature } from "./verifyFailures.js";

interface Walk {
  readonly f2: { readonly updates: UpdateSchedule };
  readonly nonces: Set<string>;
  readonly signatures: PendingSignature[];
  /** The end of the last clearing block's interval (−∞ before the first). */
  readonly lastEndMs: number;
}

/** Checks one `update` entry of a registry block, and applies it to the walk's updates. */
export function checkUpdateEntry(
  walk: Walk,
  height: number,
  head: RegistryHead,
  entry: Record<string, unknown>,
  text: string,
  index: number,
): void {
  const doc = signedDocumentSchema.safeParse(entry.document);
  if (!doc.success) throw damaged(height, `entry ${index}: not a signed document`);
  const update = ledgerUpdateSchema.safeParse(doc.data.document);
  if (!update.success)
    throw damaged(
      height,
      `entry ${index}: not a community update (${update.error.issues[0]?.path.join(".") ?? ""}: ${update.error.issues[0]?.message ?? ""})`,
    );
  if (doc.data.public_key !== head.admin)
    throw damaged(height, `entry ${index}: the update is not signed by the admin key`);
  const key = `${doc.data.public_key}:${doc.data.nonce}`;
  if (walk.nonces.has(key))
    throw damaged(
      height,
      `update entry ${index} replays nonce ${doc.data.nonce} already used by this key`,
    );
  walk.nonces.add(key);
  const schedule = walk.f2.updates;
  const effect = schedule.effectOf(update.data, walk.lastEndMs);
  if ("problem" in effect)
    throw damaged(height, `entry ${index} (community.update): ${effect.problem}`);
  if (updateEntry(height, doc.data, effect) !== text)
    throw damaged(height, `entry ${index}: the recorded effect is not the update's`);
  schedule.apply(update.data);
  walk.signatures.push({
    height,
    what: `admin signature on update entry ${index} does not verify`,
    task: {
      publicKey: doc.data.public_key,
      message: documentSigningBytes("admin", doc.data),
      signature: doc.data.signature,
    },
  });
}

/** A clearing block's head records the rules the updates recorded before it put in force. */
export function checkRulesInForce(
  walk: Walk,
  height: number,
  head: BlockHead,
  startMs: number,
): void {
  const problem = walk.f2.updates.rulesProblem(startMs, head.interval.minutes, head.market);
  if (problem !== undefined)
    throw damaged(height, `the interval ${head.interval.start} was ${problem}`);
}
