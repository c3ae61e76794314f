/**
 * A member's own signed documents: cancelling one of its open orders (context
 * `gridshare/cancel/v1`), recorded under its nonce like every document (the same bytes again get
 * the first answer, after the interval's gate as well). Only the order's owner can cancel it:
 * the order is looked up under the signing key's participant, so another member's order is
 * simply not found, never revealed; and the cancel is signed, as the order was, by the key bound
 * to the participant for its interval.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant } from "../core/time.js";
import { cancelSchema } from "../ledger/registry.js";
import {
  documentVerifies,
  type SignedDocument,
  signedDocumentSchema,
} from "../ledger/signedDocument.js";
import type { CommunityStore } from "../store/communityStore.js";
import type { MarketClock } from "./clock.js";
import { intervalStartAt, nonceReused, parseOrRefuse, refuse } from "./refusals.js";
import { phaseAt, type Schedule } from "./schedule.js";
import {
  activeParticipant,
  answerDespiteExpiry,
  requireBoundFor,
  requireCurrent,
  requireSignature,
} from "./signers.js";

export interface MemberContext {
  readonly store: CommunityStore;
  readonly clock: MarketClock;
  readonly schedule: Schedule;
  readonly wall: () => number;
  /** Refuses a cancel the market cannot take (a throw), before it is recorded: see cdaIntake.ts. */
  readonly guardCancel?: (
    intervalStartMs: number,
    participant: string,
    orderId: string,
  ) => Promise<void>;
}

/** `raw` as a signed document of `kind` whose signature verifies and which has not expired. */
export function verifiedDocument(
  wall: () => number,
  raw: unknown,
  kind: "cancel" | "session" | "key",
): SignedDocument {
  const doc: SignedDocument = parseOrRefuse(
    signedDocumentSchema,
    raw,
    "E_INPUT",
    "a signed document",
  );
  requireSignature(documentVerifies(kind, doc), doc, "the document");
  requireCurrent(doc, wall());
  return doc;
}

/** Parses `raw` as a signed document of `kind`, by a registered key; returns it and the participant. */
export async function memberDocument(
  ctx: MemberContext,
  raw: unknown,
  kind: "cancel" | "session" | "key",
) {
  const doc = verifiedDocument(ctx.wall, raw, kind);
  const participant = await activeParticipant(ctx.store, doc.public_key, {
    field: "public_key",
    expected: "an active participant's key",
    because: "",
  });
  return { doc, participant };
}

/** Cancels one of the signer's open orders; `orderId` is the one the request addresses. */
export async function cancelOrder(
  ctx: MemberContext,
  raw: unknown,
  orderId: string,
): Promise<{ created: boolean; answer: string }> {
  let signed: Awaited<ReturnType<typeof memberDocument>>;
  try {
    signed = await memberDocument(ctx, raw, "cancel");
  } catch (error) {
    const parsed = signedDocumentSchema.safeParse(raw);
    if (!parsed.success) throw error;
    return { created: false, answer: await answerDespiteExpiry(ctx.store, parsed.data, error) };
  }
  const { doc, participant } = signed;
  const cancel = parseOrRefuse(cancelSchema, doc.document, "E_INPUT", "a cancel", "document");
  if (cancel.participant !== participant.id)
    throw refuse(
      "E_LEDGER_KEY_MISMATCH",
      "document.participant",
      participant.id,
      cancel.participant,
      `the key belongs to participant ${participant.id}, not ${cancel.participant}`,
    );
  if (cancel.order_id !== orderId)
    throw refuse(
      "E_INPUT",
      "document.order_id",
      orderId,
      cancel.order_id,
      `the document cancels order ${JSON.stringify(cancel.order_id)}, not ${JSON.stringify(orderId)} as addressed`,
    );
  const start = intervalStartAt(ctx.schedule, cancel.interval_start, "document.interval_start");
  requireBoundFor(participant, doc.public_key, start, "cancels");
  const nonceKey = `${doc.public_key}:${doc.nonce}`;
  const digest = sha256Hex(canonicalize(doc));
  if (phaseAt(ctx.schedule, start, ctx.clock.now()) === "gate_closed") {
    // The same bytes sent again after the gate are the cancel taken before it: its first answer.
    const earlier = await ctx.store.earlierAnswer(nonceKey);
    if (earlier?.digest === digest) return { created: false, answer: earlier.answer };
    throw refuse(
      "E_GATE_CLOSED",
      "document.interval_start",
      "an interval whose gate is still ahead",
      cancel.interval_start,
      `the gate of the interval starting ${cancel.interval_start} has closed: its orders can no longer be cancelled`,
    );
  }
  await ctx.guardCancel?.(start, participant.id, orderId);
  const answer = canonicalize({
    order_id: orderId,
    participant: participant.id,
    interval_start: formatInstant(start),
    status: "cancelled",
  });
  const outcome = await ctx.store.applyDocument(
    {
      nonceKey,
      digest,
      kind: "order.cancel",
      receivedMs: ctx.wall(),
      answer,
      // Recorded in the interval's clearing block, after its orders.
      ledger: { kind: "cancel", intervalStartMs: start, document: canonicalize(doc) },
    },
    { kind: "cancel_order", participant: participant.id, intervalStartMs: start, orderId },
  );
  switch (outcome.kind) {
    case "applied":
      return { created: true, answer };
    case "replayed":
      return { created: false, answer: outcome.answer };
    case "nonce_reused":
      throw nonceReused(doc.nonce);
    case "refused":
      throw refuse(
        "E_NOT_FOUND",
        "order_id",
        "one of your open orders",
        orderId,
        `you have no open order ${JSON.stringify(orderId)} for the interval starting ${formatInstant(start)}`,
      );
  }
}
