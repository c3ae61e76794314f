/**
 * Binding a new key to a participant, from an interval on: a member's rotation (keyRotation.ts)
 * or the operator's re-binding (admin.ts). The participant's id never changes. The new key must
 * be no one's yet, and the binding starts at an interval whose gate is still ahead, so it never
 * reaches back into an interval that is cleared or clearing; from then on only the new key's
 * orders are taken for the participant, and its open orders from then on, signed by the key
 * bound before, are cancelled with the binding (a block may hold only orders signed by the key
 * bound for its interval). Orders for earlier intervals stay.
 */
import { formatInstant } from "../core/time.js";
import type { CommunityStore, DocumentEffect, DocumentOutcome } from "../store/communityStore.js";
import type { MarketClock } from "./clock.js";
import { intervalStartAt, nonceReused, refuse } from "./refusals.js";
import { phaseAt, type Schedule } from "./schedule.js";

export interface BindingContext {
  readonly store: CommunityStore;
  readonly clock: MarketClock;
  readonly schedule: Schedule;
}

/** What a binding asks for, as its document names it. */
export interface BindingRequest {
  readonly participant: string;
  readonly public_key: string;
  readonly valid_from: string;
}

/**
 * Checks `request` can be bound now; returns its effect (without the document and signer, which
 * the caller adds) and the answer it gets.
 */
export async function checkBinding(
  ctx: BindingContext,
  request: BindingRequest,
): Promise<{ validFromMs: number; answer: Record<string, unknown> }> {
  const participant = await ctx.store.participantById(request.participant);
  if (participant === undefined)
    throw refuse(
      "E_NOT_FOUND",
      "document.participant",
      "a registered participant",
      request.participant,
      "no such participant in this community",
    );
  const owner = await ctx.store.participantByKey(request.public_key);
  if (owner !== undefined)
    throw refuse(
      "E_CONFLICT",
      "document.public_key",
      "a key no participant holds or held",
      request.public_key,
      owner.id === participant.id
        ? `the key is already one of participant ${owner.id}'s keys: a key is bound once`
        : "the key belongs to another participant",
    );
  const validFromMs = intervalStartAt(ctx.schedule, request.valid_from, "document.valid_from");
  if (phaseAt(ctx.schedule, validFromMs, ctx.clock.now()) === "gate_closed")
    throw refuse(
      "E_GATE_CLOSED",
      "document.valid_from",
      "an interval whose gate is still ahead",
      request.valid_from,
      `the gate of the interval starting ${request.valid_from} has closed: a key is bound only from an interval still taking orders or later`,
    );
  const answer = {
    participant: participant.id,
    public_key: request.public_key,
    valid_from: formatInstant(validFromMs),
    replaces: participant.publicKey,
  };
  return { validFromMs, answer };
}

/** The effect of binding `request`, from `validFromMs`, by the signed `document`. */
export function bindingEffect(
  request: BindingRequest,
  validFromMs: number,
  document: string,
  signedBy?: string,
): DocumentEffect {
  return {
    kind: "bind_key",
    participant: request.participant,
    publicKey: request.public_key,
    validFromMs,
    document,
    ...(signedBy === undefined ? {} : { signedBy }),
  };
}

/** A binding's outcome as its answer, or the refusal it gets. */
export function bindingAnswer(
  outcome: DocumentOutcome,
  request: BindingRequest,
  nonce: string,
  answer: string,
): { created: boolean; answer: string } {
  switch (outcome.kind) {
    case "applied":
      return { created: true, answer };
    case "replayed":
      return { created: false, answer: outcome.answer };
    case "nonce_reused":
      throw nonceReused(nonce);
    case "refused":
      if (outcome.reason === "exists")
        throw refuse(
          "E_CONFLICT",
          "document.public_key",
          "a key no participant holds or held",
          request.public_key,
          "the key belongs to a participant already",
        );
      if (outcome.reason === "stale")
        throw refuse(
          "E_KEY_NOT_BOUND",
          "public_key",
          "the participant's current key",
          request.participant,
          `the key that signed is no longer participant ${request.participant}'s current key`,
        );
      throw refuse(
        "E_NOT_FOUND",
        "document.participant",
        "a registered participant",
        request.participant,
        "no such participant in this community",
      );
  }
}
