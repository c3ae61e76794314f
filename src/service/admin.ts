/**
 * The operator's signed actions: registering a participant, suspending and reinstating one,
 * re-binding the key of one that lost its own (keyBindings.ts), moving a manual clock, and
 * changing the market rules from a later interval on (a community update: communityUpdate.ts).
 * Each is a signed document (context `gridshare/admin/v1`) by the
 * community's admin key, with a nonce (the same bytes again get the first answer; other content
 * under a used nonce is E_NONCE_REUSED) and an expiry on wall time. The document is recorded
 * with its effect in one transaction; a refused one changes nothing.
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { communityUpdateSchema } from "../formats/communityUpdate.js";
import { participantIdOf } from "../ledger/keys.js";
import { participantActionSchemas } from "../ledger/registry.js";
import {
  documentVerifies,
  type SignedDocument,
  signedDocumentSchema,
} from "../ledger/signedDocument.js";
import { instantSchema } from "../market/orderDocument.js";
import type { CommunityStore, DocumentEffect, NewParticipant } from "../store/communityStore.js";
import type { ManualClock, MarketClock } from "./clock.js";
import type { CommunityRules, TariffResolver } from "./communityRules.js";
import { applyCommunityUpdate } from "./communityUpdate.js";
import { bindingAnswer, bindingEffect, checkBinding } from "./keyBindings.js";
import { nonceReused, parseOrRefuse, refuse } from "./refusals.js";
import type { Schedule } from "./schedule.js";
import { answerDespiteExpiry, requireCurrent, requireSignature } from "./signers.js";

export const adminActionSchema = z.discriminatedUnion(
  "action",
  [
    ...participantActionSchemas,
    z.strictObject({ action: z.literal("clock.advance"), to: instantSchema }),
    communityUpdateSchema,
  ],
  {
    error:
      "an action: participant.add, participant.suspend, participant.reinstate, participant.rebind, clock.advance or community.update",
  },
);

export type AdminAction = z.infer<typeof adminActionSchema>;

export interface AdminContext {
  readonly store: CommunityStore;
  readonly adminPublicKey: string;
  readonly clock: MarketClock;
  /** The intervals as they are now (a re-binding starts at one whose gate is ahead). */
  readonly schedule: Schedule;
  readonly wall: () => number;
  /** The rules in force per interval, which a community update changes (communityUpdate.ts). */
  readonly rules: CommunityRules;
  readonly resolveTariff: TariffResolver;
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
async function effectOf(
  ctx: AdminContext,
  action: AdminAction,
  document: string,
): Promise<{ effect: DocumentEffect; answer: unknown }> {
  switch (action.action) {
    case "participant.add": {
      const participant: NewParticipant = {
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
    case "participant.rebind": {
      const { validFromMs, answer } = await checkBinding(ctx, action);
      return { effect: bindingEffect(action, validFromMs, document), answer };
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
    case "community.update":
      throw new Error("unreachable: a community update is applied by communityUpdate.ts");
  }
}

/** A participant as the API shows it. */
export function participantRecord(
  p: Pick<NewParticipant, "id" | "name" | "status" | "meterId" | "publicKey">,
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
    case "participant.rebind":
      return action.participant;
    case "clock.advance":
      return action.to;
    case "community.update":
      return action.from_interval;
  }
}

/** An operator document's answer, with the action it carried. */
export type AdminOutcome = AdminAnswer & { action: AdminAction };

/** The actions a route takes, and how its refusal names them. */
export interface AdminRoute {
  readonly actions: readonly AdminAction["action"][];
  readonly expected: string;
}

/**
 * Applies one signed admin document: checks it as it arrives, then, in its turn (`inTurn`: the
 * caller runs the documents one at a time), records it with its audit entry in one transaction
 * and moves a manual clock on `clock.advance`.
 */
export async function applyAdmin(
  ctx: AdminContext,
  raw: unknown,
  inTurn: (record: () => Promise<AdminOutcome>, action: AdminAction) => Promise<AdminOutcome> = (
    record,
  ) => record(),
  only?: AdminRoute,
): Promise<AdminOutcome> {
  const doc = parseOrRefuse(signedDocumentSchema, raw, "E_INPUT", "a signed document");
  let action: AdminAction;
  try {
    action = authenticate(ctx, doc);
  } catch (error) {
    const answer = await answerDespiteExpiry(ctx.store, doc, error);
    return { created: false, answer, action: adminActionSchema.parse(doc.document) };
  }
  // Checked before anything is recorded: a document sent to the wrong route changes nothing.
  if (only !== undefined && !only.actions.includes(action.action))
    throw refuse(
      "E_INPUT",
      "document.action",
      only.expected,
      action.action,
      `document.action: expected ${only.expected} on this route`,
    );
  ctx.guard?.(action);
  // An update is checked against the rules and the clock in its turn, so that updates and gate
  // closures sent at the same time each see the rules the ones before them left.
  if (action.action === "community.update")
    return inTurn(
      async () => ({ ...(await applyCommunityUpdate(ctx, doc, action)), action }),
      action,
    );
  const nonceKey = `${doc.public_key}:${doc.nonce}`;
  const digest = sha256Hex(canonicalize(doc));
  // An advance is checked against the clock, which moves on after it, and a re-binding against
  // the keys it binds: the same bytes again are answered from their record first, as the first
  // time, not refused as running back or as a key already bound.
  if (action.action === "clock.advance" || action.action === "participant.rebind") {
    const earlier = await ctx.store.earlierAnswer(nonceKey);
    if (earlier !== undefined && earlier.digest !== digest) throw nonceReused(doc.nonce);
    if (earlier !== undefined) return { created: false, answer: earlier.answer, action };
  }
  const { effect, answer } = await effectOf(ctx, action, canonicalize(doc));
  const recorded = canonicalize(answer);
  return inTurn(async () => {
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
        if (action.action === "clock.advance") {
          // Checked as it arrived, an advance may find the clock already past its instant, moved
          // by one sent at the same time that went first: the clock stays at the later instant.
          const clock = ctx.clock as ManualClock;
          clock.advanceTo(Math.max(parseInstant(action.to) as number, clock.now()));
        }
        return { created: true, answer: recorded, action };
      case "replayed":
        return { created: false, answer: outcome.answer, action };
      case "nonce_reused":
        throw nonceReused(doc.nonce);
      case "refused":
        if (action.action === "participant.rebind")
          return { ...bindingAnswer(outcome, action, doc.nonce, recorded), action };
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
  }, action);
}
