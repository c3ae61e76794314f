/**
 * Key documents: how a participant's keys change while its id stays. A participant's id is fixed
 * when it is registered (the id of its first key); every later key is bound to that id by a
 * signed document, valid from the start of an interval on:
 *
 * - `key.rotate`, by the member (context `gridshare/key/v1`), signed by its current key, with the
 *   new key's `proof` of possession: the new key's signature over the context line
 *   `gridshare/key-proof/v1` and the RFC 8785 form of `{ participant, public_key, valid_from }`;
 * - `participant.rebind`, by the operator (an admin document), for a member that lost its key.
 *
 * The proof keeps a member from binding a key it does not hold (a mistyped key would lock it out
 * the moment the rotation takes effect, and someone else's key would be taken from them).
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { instantSchema } from "../market/orderDocument.js";
import { type Identity, signMessage, verifyMessage } from "./keys.js";

export const KEY_PROOF_CONTEXT = "gridshare/key-proof/v1\n";

const hex = (digits: number) =>
  z
    .string({ error: `${digits} lowercase hex digits` })
    .regex(new RegExp(`^[0-9a-f]{${digits}}$`), { error: `${digits} lowercase hex digits` });
const participantId = z
  .string({ error: "a participant id" })
  .min(1, { error: "a participant id" })
  .max(200, { error: "a participant id, at most 200 characters" });

/** The member's rotation of its own key, signed by its current key. */
export const keyRotateSchema = z.strictObject(
  {
    action: z.literal("key.rotate"),
    participant: participantId,
    public_key: hex(64),
    valid_from: instantSchema,
    proof: hex(128),
  },
  {
    error: 'a key rotation { action: "key.rotate", participant, public_key, valid_from, proof }',
  },
);

/** The operator's re-binding of a member's key (an admin action). */
export const rebindSchema = z.strictObject({
  action: z.literal("participant.rebind"),
  participant: participantId,
  public_key: hex(64),
  valid_from: instantSchema,
});

export type KeyRotation = z.infer<typeof keyRotateSchema>;

/** What a key's proof of possession covers. */
export interface KeyClaim {
  readonly participant: string;
  readonly public_key: string;
  readonly valid_from: string;
}

/** The bytes the new key signs as its proof of possession. */
export function keyProofBytes(claim: KeyClaim): Buffer {
  const body = canonicalize({
    participant: claim.participant,
    public_key: claim.public_key,
    valid_from: claim.valid_from,
  });
  return Buffer.from(KEY_PROOF_CONTEXT + body, "utf8");
}

/** The new key's proof of possession for `claim` (its `public_key` must be `key`'s). */
export function signKeyProof(claim: KeyClaim, key: Identity): string {
  return signMessage(key, keyProofBytes(claim));
}

/** True when `proof` is the claimed key's signature over the claim. */
export function keyProofVerifies(claim: KeyClaim, proof: string): boolean {
  return verifyMessage(claim.public_key, keyProofBytes(claim), proof);
}

/** The document of a rotation from the current key to `next`, for `participant` from `validFrom`. */
export function keyRotation(participant: string, next: Identity, validFrom: string): KeyRotation {
  const claim = { participant, public_key: next.publicKey, valid_from: validFrom };
  return { action: "key.rotate", ...claim, proof: signKeyProof(claim, next) };
}
