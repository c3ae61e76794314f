/**
 * What the live community (src/service) needs of its database, as one port: the SQL store
 * implements it on PGlite and PostgreSQL (sql/communityStore.ts).
 */
import type { SignedOrder } from "../ledger/envelope.js";
import type { Side } from "../market/types.js";

/** The market clock as persisted, so that a virtual clock resumes after a restart. */
export interface ClockState {
  /** The market's time now, epoch ms. */
  readonly now: number;
  /** Market milliseconds per wall millisecond (0: manual). */
  readonly speed: number;
  /** The market instant the clock started from. */
  readonly startedAt: number;
}

export type ParticipantStatus = "active" | "suspended";

/**
 * A key bound to a participant for the intervals starting from `validFromMs` (null: its first
 * key, since registration) until `validUntilMs` (null: still bound). A key belongs to one
 * participant for good; a later binding ends the earlier ones at its start.
 */
export interface ParticipantKey {
  readonly publicKey: string;
  readonly validFromMs: number | null;
  readonly validUntilMs: number | null;
}

/** A participant as registered (its first key is `publicKey`). */
export interface NewParticipant {
  readonly id: string;
  readonly name: string;
  readonly role: "member";
  readonly status: ParticipantStatus;
  readonly meterId: string | null;
  readonly publicKey: string;
  readonly registeredMs: number;
}

/** A participant with its keys; `publicKey` is its current key (the one bound last). */
export interface Participant extends NewParticipant {
  readonly keys: readonly ParticipantKey[];
}

/** The key bound to the participant for the interval starting at `startMs`, if any. */
export function keyBoundAt(keys: readonly ParticipantKey[], startMs: number): string | undefined {
  for (const k of keys)
    if (
      (k.validFromMs === null || k.validFromMs <= startMs) &&
      (k.validUntilMs === null || startMs < k.validUntilMs)
    )
      return k.publicKey;
  return undefined;
}

/** Where an order stands: open until its interval clears, then filled (in part) or not. */
export type OrderStatus =
  | "open"
  | "filled"
  | "partially_filled"
  | "unfilled"
  | "rejected"
  | "cancelled";

/** What the platform answered when it took an order: returned again for the same bytes. */
export interface OrderReceipt {
  readonly order_id: string;
  readonly participant: string;
  readonly interval_start: string;
  readonly received_seq: number;
  readonly status: "open";
  /** The order this one replaced, cancelled in the same transaction. */
  readonly replaced?: string;
}

export interface StoredOrder {
  readonly intervalStartMs: number;
  readonly participant: string;
  readonly orderId: string;
  readonly receivedSeq: number;
  readonly receivedMs: number;
  readonly side: Side;
  readonly energyWh: number;
  readonly priceMicro: number;
  readonly status: OrderStatus;
  readonly envelope: SignedOrder;
}

/** A new order to record with its nonce, in one transaction. */
export interface NewOrder {
  readonly intervalStartMs: number;
  readonly participant: string;
  readonly orderId: string;
  readonly receivedMs: number;
  readonly side: Side;
  readonly energyWh: number;
  readonly priceMicro: number;
  readonly envelope: SignedOrder;
  /** The key the nonce must be unique under: (public key, nonce). */
  readonly nonceKey: string;
  /** SHA-256 of the envelope's canonical JSON: the same bytes again are the same submission. */
  readonly digest: string;
  /** Refuse an order on the other side of one of the participant's open orders. */
  readonly oneSidePerParticipant: boolean;
  /** One of the participant's open orders in the interval, cancelled in the same transaction. */
  readonly replaces?: string | undefined;
}

export type RecordOutcome =
  | { readonly kind: "recorded"; readonly receipt: OrderReceipt }
  /** The same signed bytes again: the first answer. */
  | { readonly kind: "replayed"; readonly receipt: OrderReceipt }
  | { readonly kind: "nonce_reused" }
  /** The participant was suspended after intake checked it, before the order was recorded. */
  | { readonly kind: "suspended" }
  /** The participant's key was rotated or re-bound after intake checked it. */
  | { readonly kind: "key_not_bound" }
  | { readonly kind: "duplicate_id" }
  /** The order to replace is not one of the participant's open orders in the interval. */
  | { readonly kind: "replace_missing" }
  | { readonly kind: "side_conflict"; readonly openSide: Side };

/** An interval once cleared: its block (none when it had no orders) and each order's status. */
export interface ClearedInterval {
  readonly intervalStartMs: number;
  readonly blockHeight: number | null;
  readonly clearedMs: number;
  readonly statuses: readonly {
    readonly participant: string;
    readonly orderId: string;
    readonly status: OrderStatus;
  }[];
  /** The interval's summary as recorded (canonical JSON), or null without a block. */
  readonly summary: string | null;
}

/** A signed document other than an order, recorded under its nonce with the answer it got. */
export interface DocumentRecord {
  readonly nonceKey: string;
  readonly digest: string;
  readonly kind: string;
  readonly receivedMs: number;
  /** The answer, as canonical JSON: returned again for the same bytes. */
  readonly answer: string;
  /** For an operator's document: its entry in the audit log, written with it. */
  readonly audit?: AuditRecord;
  /** For a document a format-2 ledger records: kept, with its receive order, for its block. */
  readonly ledger?: LedgerDocument;
}

/**
 * A signed document that goes into the ledger: a registration (participant.add, .suspend,
 * .reinstate, .rebind, and a member's key.rotate) or a community update into the next registry
 * block, a cancel into its interval's clearing block.
 */
export interface LedgerDocument {
  readonly kind: "registry" | "cancel";
  /** A cancel's interval; null for a registration. */
  readonly intervalStartMs: number | null;
  /** The signed document as canonical JSON. */
  readonly document: string;
}

/** An operator action as the audit log records it. */
export interface AuditRecord {
  /** The document's action, e.g. `participant.suspend`. */
  readonly action: string;
  /** What it acted on: a participant's id, the clock's new time, ... */
  readonly target: string;
  /** The public key that signed it. */
  readonly actor: string;
}

/** One entry of the audit log: an accepted operator document. */
export interface AuditEntry extends AuditRecord {
  /** Rises with every entry (a cursor, not a count: it may skip). */
  readonly seq: number;
  /** When it was accepted, wall time (epoch ms). */
  readonly atMs: number;
  /** SHA-256 of the signed document's RFC 8785 form (hex). */
  readonly documentHash: string;
}

/** What a document changes, in the same transaction as its record. */
export type DocumentEffect =
  | { readonly kind: "add_participant"; readonly participant: NewParticipant }
  /** Suspending also cancels the participant's open orders, at once. */
  | {
      readonly kind: "set_status";
      readonly participant: string;
      readonly status: ParticipantStatus;
    }
  | {
      readonly kind: "cancel_order";
      readonly participant: string;
      readonly intervalStartMs: number;
      readonly orderId: string;
    }
  /**
   * A new key bound to a participant from an interval on (a rotation, or the operator's
   * re-binding): the earlier keys end there, and the participant's open orders from then on are
   * cancelled (they are signed by a key no longer bound for their intervals). A rotation names
   * the key that signed it, which must still be the participant's current key.
   */
  | {
      readonly kind: "bind_key";
      readonly participant: string;
      readonly publicKey: string;
      readonly validFromMs: number;
      /** The signed document that binds it (canonical JSON). */
      readonly document: string;
      readonly signedBy?: string;
    }
  /** A manual clock's advance: saved with its document, so a committed advance is never lost. */
  | { readonly kind: "advance_clock"; readonly clock: ClockState }
  /** A community update scheduled (replacing one for the same interval): see `ScheduledUpdate`. */
  | { readonly kind: "schedule_update"; readonly update: ScheduledUpdate }
  | { readonly kind: "none" };

/** A community update as recorded: the rules it changes from the interval starting at `fromMs`. */
export interface ScheduledUpdate {
  readonly fromMs: number;
  /** What it changes, as canonical JSON (the community file's forms, defaults filled in). */
  readonly changes: string;
  /** SHA-256 of the signed document's RFC 8785 form (hex). */
  readonly documentHash: string;
}

export type DocumentOutcome =
  | { readonly kind: "applied" }
  | { readonly kind: "replayed"; readonly answer: string }
  | { readonly kind: "nonce_reused" }
  /**
   * The effect could not apply (the participant or key exists, the participant is unknown, or the
   * key that signed a rotation is no longer its current one): nothing was recorded.
   */
  | { readonly kind: "refused"; readonly reason: "exists" | "unknown" | "stale" };

export interface CommunityStore {
  readonly communityId: string;
  /**
   * Records the community (its document as canonical JSON) when it is not yet recorded; returns
   * the market time it was first recorded at.
   */
  ensureCommunity(document: string, nowMs: number): Promise<number>;
  addParticipant(p: NewParticipant): Promise<"added" | "exists">;
  /** The participant any of whose keys, current or earlier, is `publicKey`. */
  participantByKey(publicKey: string): Promise<Participant | undefined>;
  participantById(id: string): Promise<Participant | undefined>;
  participants(): Promise<Participant[]>;
  setParticipantStatus(id: string, status: ParticipantStatus): Promise<boolean>;
  /**
   * Records new orders in one transaction, each with the outcome it would get recorded alone
   * after the ones before it in the batch (group commit: see orderBatch.ts).
   */
  recordOrders(batch: readonly NewOrder[]): Promise<RecordOutcome[]>;
  /**
   * The digest and answer recorded under a nonce key, if a signed document (an order, a cancel,
   * an operator's document) used it: what the same bytes again are answered with once the check
   * that let them in the first time (the gate, the clock) would refuse them.
   */
  earlierAnswer(nonceKey: string): Promise<{ digest: string; answer: string } | undefined>;
  /** Records a signed document and applies its effect, all or nothing. */
  applyDocument(record: DocumentRecord, effect: DocumentEffect): Promise<DocumentOutcome>;
  /** The registry's documents (registrations and updates) recorded, in receive order, from the `offset`-th on (signed documents, canonical JSON). */
  registrations(offset: number): Promise<string[]>;
  /** The community updates recorded, one per interval (the latest document's), by interval. */
  scheduledUpdates(): Promise<ScheduledUpdate[]>;
  /** The interval's applied cancels, in receive order (signed documents, canonical JSON). */
  cancelsOf(intervalStartMs: number): Promise<string[]>;
  /** The interval's open orders in the order they were received. */
  openOrders(intervalStartMs: number): Promise<StoredOrder[]>;
  /** The participant's orders, newest interval first, bounded. */
  ordersOf(
    participant: string,
    filter: {
      readonly intervalStartMs?: number;
      readonly status?: OrderStatus;
      readonly limit: number;
    },
  ): Promise<StoredOrder[]>;
  /** Marks the interval cleared and its orders' statuses, in one transaction. */
  markCleared(cleared: ClearedInterval): Promise<void>;
  /** The latest interval start marked cleared, or undefined. */
  lastCleared(): Promise<number | undefined>;
  intervalRecord(
    intervalStartMs: number,
  ): Promise<{ blockHeight: number | null; clearedMs: number; summary: string | null } | undefined>;
  saveClock(state: ClockState): Promise<void>;
  loadClock(): Promise<ClockState | undefined>;
  /** The audit log after `afterSeq`, oldest first, at most `limit` entries. */
  auditLog(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** The last sequence number issued on each stream channel. */
  streamSequences(): Promise<Map<string, number>>;
  /** Records the last sequence number of each channel given (never lowers one). */
  saveStreamSequences(last: ReadonlyMap<string, number>): Promise<void>;
}
