/**
 * Who signed what, with the refusals every signed request shares: a signature that does not
 * verify (E_SIGNATURE_INVALID), a document past its expiry (E_DOCUMENT_EXPIRED), and a key that
 * is no registered participant's (E_PARTICIPANT_UNKNOWN) or a suspended one's
 * (E_PARTICIPANT_SUSPENDED).
 */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, parseInstant } from "../core/time.js";
import type { SignedDocument } from "../ledger/signedDocument.js";
import type { CommunityStore, Participant } from "../store/communityStore.js";
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
