/**
 * Format 2's registry: who may trade, and with which key. A `registry` block records signed
 * documents, each with its effect: the operator's (context `gridshare/admin/v1`, by the
 * community's admin key) that add, suspend, reinstate and re-bind participants, and the members'
 * key rotations (context `gridshare/key/v1`, by the member's current key: keyDocuments.ts). A
 * `clearing` block records the members' signed cancels (context `gridshare/cancel/v1`).
 * Replaying the registry entries of a chain gives, at each point, the participants registered,
 * whether each is active, and which key is bound to each for any interval: a clearing block may
 * hold only orders of active participants, each signed by the key bound to its participant for
 * the block's interval.
 *
 * Pure: the same documents in the same order give the same registry and the same entries.
 */
import { z } from "zod";
import { formatInstant, parseInstant } from "../core/time.js";
import { instantSchema } from "../market/orderDocument.js";
import type { ParticipantState, RegistryEffect } from "./entries.js";
import { keyRotateSchema, rebindSchema } from "./keyDocuments.js";
import { participantIdOf } from "./keys.js";
import { type DocumentKind, type SignedDocument, signedDocumentSchema } from "./signedDocument.js";

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
  rebindSchema,
] as const;

/** The actions a registry block records: the operator's, and the members' key rotations. */
export const registryActionSchema = z.discriminatedUnion(
  "action",
  [...participantActionSchemas, keyRotateSchema],
  {
    error:
      "an action: participant.add, participant.suspend, participant.reinstate, participant.rebind or key.rotate",
  },
);

export type RegistryAction = z.infer<typeof registryActionSchema>;

/** The context a registry document of `action` is signed under: a member's, or the admin's. */
export function contextOf(action: RegistryAction): DocumentKind {
  return action.action === "key.rotate" ? "key" : "admin";
}

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

/** A key bound to a participant from an instant on (-Infinity: its first key, from registration). */
interface Binding {
  readonly publicKey: string;
  readonly fromMs: number;
}

interface Member {
  status: ParticipantState;
  /** In registry order: a later binding overrides the earlier ones from its instant on. */
  readonly bindings: Binding[];
}

const short = (key: string) => `${key.slice(0, 16)}...`;

/** The participants registered so far, by id, with their keys. */
export class Registry {
  private readonly byId = new Map<string, Member>();
  /** Every key ever bound, to its participant: a key belongs to one participant for good. */
  private readonly owners = new Map<string, string>();

  /** True when `participant` is registered and not suspended. */
  isActive(participant: string): boolean {
    return this.byId.get(participant)?.status === "active";
  }

  status(participant: string): ParticipantState | undefined {
    return this.byId.get(participant)?.status;
  }

  /**
   * The key bound to `participant` for the interval starting at `startMs`: the last binding, in
   * registry order, valid from then or before.
   */
  keyFor(participant: string, startMs: number): string | undefined {
    const bindings = this.byId.get(participant)?.bindings ?? [];
    for (let i = bindings.length - 1; i >= 0; i--) {
      const b = bindings[i] as Binding;
      if (b.fromMs <= startMs) return b.publicKey;
    }
    return undefined;
  }

  /** The participant's current key: the one its last binding names (it signs a rotation). */
  currentKey(participant: string): string | undefined {
    return this.byId.get(participant)?.bindings.at(-1)?.publicKey;
  }

  /** The participant a key was ever bound to. */
  ownerOf(publicKey: string): string | undefined {
    return this.owners.get(publicKey);
  }

  /**
   * The effect `action`, signed by `signer`, has now, or a problem (text) when it cannot apply.
   * A key rotation must be signed by the participant's current key (its proof of possession is a
   * signature, checked with the others).
   */
  effectOf(action: RegistryAction, signer?: string): RegistryEffect | { problem: string } {
    if (action.action === "participant.add") {
      const participant = participantIdOf(action.public_key);
      if (this.byId.has(participant))
        return { problem: `participant ${participant} is already registered` };
      const owner = this.owners.get(action.public_key);
      if (owner !== undefined)
        return { problem: `key ${short(action.public_key)} is already bound to ${owner}` };
      return { participant, public_key: action.public_key, status: "active" };
    }
    const p = this.byId.get(action.participant);
    if (p === undefined) return { problem: `participant ${action.participant} is not registered` };
    if (action.action === "participant.suspend" || action.action === "participant.reinstate") {
      const status = action.action === "participant.suspend" ? "suspended" : "active";
      const key = p.bindings.at(-1)?.publicKey as string;
      return { participant: action.participant, public_key: key, status };
    }
    if (action.action === "key.rotate") {
      if (p.status === "suspended")
        return { problem: `participant ${action.participant} is suspended` };
      if (signer !== p.bindings.at(-1)?.publicKey)
        return { problem: `not signed by participant ${action.participant}'s current key` };
    }
    const owner = this.owners.get(action.public_key);
    if (owner !== undefined)
      return { problem: `key ${short(action.public_key)} is already bound to ${owner}` };
    return {
      participant: action.participant,
      public_key: action.public_key,
      status: p.status,
      valid_from: formatInstant(parseInstant(action.valid_from) as number),
    };
  }

  apply(effect: RegistryEffect): void {
    const p = this.byId.get(effect.participant);
    if (effect.valid_from !== undefined && p !== undefined) {
      const fromMs = parseInstant(effect.valid_from) as number;
      p.bindings.push({ publicKey: effect.public_key, fromMs });
    } else if (p === undefined) {
      const first = { publicKey: effect.public_key, fromMs: Number.NEGATIVE_INFINITY };
      this.byId.set(effect.participant, { status: effect.status, bindings: [first] });
    } else {
      p.status = effect.status;
    }
    this.owners.set(effect.public_key, effect.participant);
  }
}

/** One registry document with the effect it has. */
export interface RegistryItem {
  readonly document: SignedDocument;
  readonly effect: RegistryEffect;
}
