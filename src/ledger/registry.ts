/**
 * Format 2's registry: who may trade. A `registry` block records the operator's signed documents
 * that add, suspend and reinstate participants (context `gridshare/admin/v1`, by the community's
 * admin key), each with its effect; a `clearing` block records the members' signed cancels
 * (context `gridshare/cancel/v1`). Replaying the registry entries of a chain gives, at each
 * point, the participants registered and whether each is active: a clearing block may hold only
 * orders of participants active at that point.
 *
 * Pure: the same documents in the same order give the same registry and the same entries.
 */
import { z } from "zod";
import { instantSchema } from "../market/orderDocument.js";
import { type ChainState, LEDGER_FORMAT_2, type SealedBlock, sealHead } from "./block.js";
import { type ParticipantState, type RegistryEffect, registryEntry } from "./entries.js";
import { type Identity, participantIdOf } from "./keys.js";
import { type SignedDocument, signedDocumentSchema } from "./signedDocument.js";

const hexKey = z
  .string({ error: "64 lowercase hex digits" })
  .regex(/^[0-9a-f]{64}$/, { error: "64 lowercase hex digits" });
const text = (what: string) =>
  z
    .string({ error: what })
    .min(1, { error: what })
    .max(200, { error: `${what}, at most 200 characters` });

/** The participant actions of the admin documents, as the platform takes them and registry blocks record them. */
export const participantActionSchemas = [
  z.strictObject({
    action: z.literal("participant.add"),
    public_key: hexKey,
    name: text("the participant's name"),
    meter_id: text("the meter's id").optional(),
  }),
  z.strictObject({
    action: z.literal("participant.suspend"),
    participant: text("a participant id"),
  }),
  z.strictObject({
    action: z.literal("participant.reinstate"),
    participant: text("a participant id"),
  }),
] as const;

/** The admin actions a registry block records. */
export const registryActionSchema = z.discriminatedUnion("action", participantActionSchemas, {
  error: "an action: participant.add, participant.suspend or participant.reinstate",
});

export type RegistryAction = z.infer<typeof registryActionSchema>;

/** A member's cancel of one of its open orders. */
export const cancelSchema = z.strictObject(
  {
    action: z.literal("order.cancel"),
    participant: z.string({ error: "the participant's id" }).min(1),
    order_id: z.string({ error: "the order's id" }).min(1),
    interval_start: instantSchema,
  },
  { error: 'a cancel { action: "order.cancel", participant, order_id, interval_start }' },
);

export type { ParticipantState, RegistryEffect };

/** A recorded cancel (canonical JSON of its signed document) as a signed document. */
export function cancelDocumentOf(text: string): SignedDocument {
  const doc = signedDocumentSchema.parse(JSON.parse(text));
  cancelSchema.parse(doc.document);
  return doc;
}

/** The participants registered so far, by id. */
export class Registry {
  private readonly byId = new Map<string, { publicKey: string; status: ParticipantState }>();

  /** True when `participant` is registered with `publicKey` and not suspended. */
  isActive(participant: string, publicKey?: string): boolean {
    const p = this.byId.get(participant);
    return (
      p !== undefined &&
      p.status === "active" &&
      (publicKey === undefined || p.publicKey === publicKey)
    );
  }

  /** True when `participant` is registered with `publicKey`, active or suspended. */
  isRegistered(participant: string, publicKey: string): boolean {
    return this.byId.get(participant)?.publicKey === publicKey;
  }

  status(participant: string): ParticipantState | undefined {
    return this.byId.get(participant)?.status;
  }

  /** The effect `action` has now, or a problem (text) when it cannot apply. */
  effectOf(action: RegistryAction): RegistryEffect | { problem: string } {
    if (action.action === "participant.add") {
      const participant = participantIdOf(action.public_key);
      if (this.byId.has(participant))
        return { problem: `participant ${participant} is already registered` };
      return { participant, public_key: action.public_key, status: "active" };
    }
    const p = this.byId.get(action.participant);
    if (p === undefined) return { problem: `participant ${action.participant} is not registered` };
    const status = action.action === "participant.suspend" ? "suspended" : "active";
    return { participant: action.participant, public_key: p.publicKey, status };
  }

  apply(effect: RegistryEffect): void {
    this.byId.set(effect.participant, { publicKey: effect.public_key, status: effect.status });
  }
}

/** One registry document with the effect it has. */
export interface RegistryItem {
  readonly document: SignedDocument;
  readonly effect: RegistryEffect;
}

/**
 * Seals the next block as a format-2 `registry` block of `items`, the documents signed by
 * `admin`. The block has no interval: the chain's last interval stays the one before.
 */
export function sealRegistry(
  state: ChainState,
  admin: string,
  items: readonly RegistryItem[],
  operator: Identity,
): SealedBlock {
  if (items.length === 0) throw new Error("a registry block records at least one document");
  const height = state.height + 1;
  const entries = items.map((i) => registryEntry(height, i.document, i.effect));
  const fields = { admin, format: LEDGER_FORMAT_2, kind: "registry" };
  return sealHead(state, fields, entries, operator, 0, state.lastIntervalEndMs);
}
