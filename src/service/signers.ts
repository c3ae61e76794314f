/**
 * Who signed what, with the refusals every signed request shares: a signature that does not
 * verify (E_SIGNATURE_INVALID), a document past its expiry (E_DOCUMENT_EXPIRED), a key that
 * is no registered participant's (E_PARTICIPANT_UNKNOWN) or a suspended one's
 * (E_PARTICIPANT_SUSPENDED), and a key of the participant's that is not the one bound for what it
 * signs (E_KEY_NOT_BOUND): rotated out, or not yet in force.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, parseInstant } from "../core/time.js";
import type { SignedDocument } from "../ledger/signedDocument.js";
import { type CommunityStore, keyBoundAt, type Participant } from "../store/communityStore.js";
import { refuse } from "./refusals.js";

/** Refuses a signature that does not verify over `what` ("the order", "the document"). */
export function requireSignature(
  verifies: boolean,
  signed: { readonly public_key: string; readonly signature: string },
  what: string,
): void {
  if (!verifies)
    throw refuse(
      "E_SIGNATURE_INVALID",
      "signature",
      `a signature by ${signed.public_key} over ${what} as given`,
      signed.signature,
      `the signature does not verify (${what} was changed after signing, or signed with another key)`,
    );
}

/** Refuses a document whose `expires` is before wall time `nowMs`. */
export function requireCurrent(doc: { readonly expires: string }, nowMs: number): void {
  if ((parseInstant(doc.expires) as number) < nowMs)
    throw refuse(
      "E_DOCUMENT_EXPIRED",
      "expires",
      `${formatInstant(nowMs)} or later`,
      doc.expires,
      `the document expired at ${doc.expires}`,
    );
}

/**
 * The first answer to these very bytes when `error` is their expiry and they were taken before
 * they expired (a client that lost the answer may send them again at any time); else `error`.
 */
export async function answerDespiteExpiry(
  store: CommunityStore,
  doc: SignedDocument,
  error: unknown,
): Promise<string> {
  if (!(error instanceof InputError && error.code === "E_DOCUMENT_EXPIRED")) throw error;
  const earlier = await store.earlierAnswer(`${doc.public_key}:${doc.nonce}`);
  if (earlier === undefined || earlier.digest !== sha256Hex(canonicalize(doc))) throw error;
  return earlier.answer;
}

/**
 * Refuses `publicKey` unless it is the key bound to `participant` for the interval starting at
 * `startMs`; `what` names what it signed ("orders", "cancels").
 */
export function requireBoundFor(
  participant: Participant,
  publicKey: string,
  startMs: number,
  what: string,
): void {
  const bound = keyBoundAt(participant.keys, startMs);
  if (bound === publicKey) return;
  const at = formatInstant(startMs);
  throw refuse(
    "E_KEY_NOT_BOUND",
    "public_key",
    bound === undefined
      ? `a key bound to ${participant.id} for the interval starting ${at}`
      : `${bound} (the key bound to ${participant.id} for the interval starting ${at})`,
    publicKey,
    `the key is not the one bound to participant ${participant.id} for the interval starting ${at} (it was rotated out, or takes effect later): sign ${what} for this interval with ${bound === undefined ? "its key" : `key ${bound}`}`,
  );
}

/** Refuses `publicKey` unless it is the participant's current key (the one bound last). */
export function requireCurrentKey(participant: Participant, publicKey: string, what: string): void {
  if (participant.publicKey === publicKey) return;
  throw refuse(
    "E_KEY_NOT_BOUND",
    "public_key",
    `${participant.publicKey} (participant ${participant.id}'s current key)`,
    publicKey,
    `the key is no longer participant ${participant.id}'s current key: ${what} with key ${participant.publicKey}`,
  );
}

/** The active participant holding `publicKey`; `field` is where a suspension is reported. */
export async function activeParticipant(
  store: CommunityStore,
  publicKey: string,
  suspended: { readonly field: string; readonly expected: string; readonly because: string },
): Promise<Participant> {
  const participant = await store.participantByKey(publicKey);
  if (participant === undefined)
    throw refuse(
      "E_PARTICIPANT_UNKNOWN",
      "public_key",
      "the key of a registered participant",
      publicKey,
      `no participant of this community holds the key ${publicKey}`,
    );
  if (participant.status === "suspended")
    throw refuse(
      "E_PARTICIPANT_SUSPENDED",
      suspended.field,
      suspended.expected,
      participant.id,
      `participant ${participant.id} is suspended${suspended.because}`,
    );
  return participant;
}
