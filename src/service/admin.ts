/**
 * The operator's signed actions: registering a participant, suspending and reinstating one, and
 * moving a manual clock. Each is a signed document (context `gridshare/admin/v1`) by the
 * community's admin key, with a nonce (the same bytes again get the first answer; other content
 * under a used nonce is E_NONCE_REUSED) and an expiry on wall time. The document is recorded
 * with its effect in one transaction; a refused one changes nothing.
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { participantIdOf } from "../ledger/keys.js";
import { participantActionSchemas } from "../ledger/registry.js";
import {
  documentVerifies,
  type SignedDocument,
  signedDocumentSchema,
} from "../ledger/signedDocument.js";
import { instantSchema } from "../market/orderDocument.js";
import type { CommunityStore, DocumentEffect, Participant } from "../store/communityStore.js";
import type { ManualClock, MarketClock } from "./clock.js";
import { nonceReused, parseOrRefuse, refuse } from "./refusals.js";
import { requireCurrent, requireSignature } from "./signers.js";

export const adminActionSchema = z.discriminatedUnion(
  "action",
  [
    ...participantActionSchemas,
    z.strictObject({ action: z.literal("clock.advance"), to: instantSchema }),
  ],
  {
    error:
      "an action: participant.add, participant.suspend, participant.reinstate or clock.advance",
  },
);

export type AdminAction = z.infer<typeof adminActionSchema>;

export interface AdminContext {
  readonly store: CommunityStore;
  readonly adminPublicKey: string;
  readonly clock: MarketClock;
  readonly wall: () => number;
  /** Refuses an authentic action the market cannot take now (a throw), before it is recorded. */
  readonly guard?: (action: AdminAction) => void;
}

export interface AdminAnswer {
  readonly created: boolean;
  /** The answer as recorded (canonical JSON). */
  readonly answer: string;
}

/** Checks the document is the admin's, current and intact; returns its action. */
function authenticate(ctx: AdminContext, doc: SignedDocument): AdminAction {
  requireSignature(documentVerifies("admin", doc), doc, "the document");
  if (doc.public_key !== ctx.adminPublicKey)
    throw refuse(
      "E_FORBIDDEN",
      "public_key",
      "the community's admin key",
      doc.public_key,
      "only the community's admin key may do this",
    );
  requireCurrent(doc, ctx.wall());
  return parseOrRefuse(adminActionSchema, doc.document, "E_INPUT", "an admin action", "document");
}

/** What the action changes in the database, and the answer it gets. */
function effectOf(
  ctx: AdminContext,
  action: AdminAction,
): { effect: DocumentEffect; answer: unknown } {
  switch (action.action) {
    case "participant.add": {
      const participant: Participant = {
        id: participantIdOf(action.public_key),
        name: action.name,
        role: "member",
        status: "active",
        meterId: action.meter_id ?? null,
        publicKey: action.public_key,
        registeredMs: ctx.clock.now(),
      };
      return {
        effect: { kind: "add_participant", participant },
        answer: { participant: participantRecord(participant) },
      };
    }
    case "participant.suspend":
    case "participant.reinstate": {
      const status = action.action === "participant.suspend" ? "suspended" : "active";
      return {
        effect: { kind: "set_status", participant: action.participant, status },
        answer: { participant: action.participant, status },
      };
    }
    case "clock.advance": {
      if (ctx.clock.kind !== "manual")
        throw refuse(
          "E_CONFLICT",
          "document.action",
          "a server on a manual clock",
          ctx.clock.kind,
          `this server's clock is ${ctx.clock.kind}: only a manual clock is moved by hand`,
        );
      const to = parseInstant(action.to) as number;
      if (to < ctx.clock.now())
        throw refuse(
          "E_INPUT",
          "document.to",
          `${formatInstant(ctx.clock.now())} or later (the market's time never runs back)`,
          action.to,
          `the clock is at ${formatInstant(ctx.clock.now())} and never runs back`,
        );
      // Saved with the document: a restart after the commit resumes at `to`, and the same bytes
      // again (the answer replayed) never leave the clock behind what it says.
      const clock = { ...ctx.clock.state(), now: to };
      return { effect: { kind: "advance_clock", clock }, answer: { clock: { now: action.to } } };
    }
  }
}

/** A participant as the API shows it. */
export function participantRecord(
  p: Pick<Participant, "id" | "name" | "status" | "meterId" | "publicKey">,
) {
  return { id: p.id, name: p.name, status: p.status, meter_id: p.meterId, public_key: p.publicKey };
}

/** What an action acts on, as the audit log names it. */
function targetOf(action: AdminAction): string {
  switch (action.action) {
    case "participant.add":
      return participantIdOf(action.public_key);
    case "participant.suspend":
    case "participant.reinstate":
      return action.participant;
    case "clock.advance":
      return action.to;
  }
}

/** Applies one signed admin document (recorded, with its audit entry, in one transaction); the caller moves a manual clock on `clock.advance`. */
export async function applyAdmin(
  ctx: AdminContext,
  raw: unknown,
): Promise<AdminAnswer & { action: AdminAction }> {
  const doc = parseOrRefuse(signedDocumentSchema, raw, "E_INPUT", "a signed document");
  const action = authenticate(ctx, doc);
  ctx.guard?.(action);
  const nonceKey = `${doc.public_key}:${doc.nonce}`;
  const digest = sha256Hex(canonicalize(doc));
  // An advance is checked against the clock, which moves on after it: the same bytes again are
  // answered from their record first, as the first time, not refused as running back.
  if (action.action === "clock.advance") {
    const earlier = await ctx.store.recordedDocument(nonceKey);
    if (earlier !== undefined && earlier.digest !== digest) throw nonceReused(doc.nonce);
    if (earlier !== undefined) return { created: false, answer: earlier.answer, action };
  }
  const { effect, answer } = effectOf(ctx, action);
  const recorded = canonicalize(answer);
  const outcome = await ctx.store.applyDocument(
    {
      nonceKey,
      digest,
      kind: action.action,
      receivedMs: ctx.wall(),
      answer: recorded,
      audit: { action: action.action, target: targetOf(action), actor: doc.public_key },
      // A registration goes into the ledger's next registry block (registrySealer.ts).
      ...(action.action === "clock.advance"
        ? {}
        : {
            ledger: {
              kind: "registry" as const,
              intervalStartMs: null,
              document: canonicalize(doc),
            },
          }),
    },
    effect,
  );
  switch (outcome.kind) {
    case "applied":
      if (action.action === "clock.advance")
        (ctx.clock as ManualClock).advanceTo(parseInstant(action.to) as number);
      return { created: true, answer: recorded, action };
    case "replayed":
      return { created: false, answer: outcome.answer, action };
    case "nonce_reused":
      throw nonceReused(doc.nonce);
    case "refused":
      if (outcome.reason === "exists")
        throw refuse(
          "E_CONFLICT",
          "document.public_key",
          "a key no participant holds yet",
          action.action === "participant.add" ? action.public_key : "",
          "a participant with this key is already registered",
        );
      throw refuse(
        "E_NOT_FOUND",
        "document.participant",
        "a registered participant",
        "participant" in action ? action.participant : "",
        "no such participant in this community",
      );
  }
}
