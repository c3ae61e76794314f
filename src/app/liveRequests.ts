/**
 * The signed requests a live platform takes, made ready to post: an operator's action (an
 * admin document), a member's order for one delivery interval, its cancels, session answers and
 * key rotations. Each gets a fresh nonce (the
 * platform's idempotency key: the same signed bytes again are the same request).
 */
import { randomBytes } from "node:crypto";
import { InputError } from "../core/errors.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { type SignedOrder, signOrder } from "../ledger/envelope.js";
import { keyRotation } from "../ledger/keyDocuments.js";
import type { Identity } from "../ledger/keys.js";
import { type SignedDocument, signDocument } from "../ledger/signedDocument.js";
import {
  INSTANT_EXPECTED,
  type OrderDocument,
  readOrderDocument,
} from "../market/orderDocument.js";

/** How long an operator's document stays valid, in wall time. */
export const ADMIN_DOCUMENT_MINUTES = 10;

const MINUTE_MS = 60_000;

/** 32 hex digits of fresh randomness. */
export function freshNonce(): string {
  return randomBytes(16).toString("hex");
}

/** An operator's action (`{ action: "participant.add", ... }`) signed with the admin key. */
export function signAdminAction(
  action: Readonly<Record<string, unknown>> & { readonly action: string },
  admin: Identity,
  nowMs: number,
): SignedDocument {
  return signDocument(
    "admin",
    { ...action },
    admin,
    freshNonce(),
    nowMs + ADMIN_DOCUMENT_MINUTES * MINUTE_MS,
  );
}

/** When a live order expires: minutes from now, or at the end of its delivery interval. */
export type OrderExpiry =
  | { readonly minutesFromNow: number }
  | { readonly intervalMinutes: number };

export interface LiveOrderOptions {
  readonly identity: Identity;
  /** The participant the key is bound to (after a rotation, not the key's own id); the key's id by default. */
  readonly participant?: string;
  /** Where the order came from, for messages (a file name, "standard input"). */
  readonly source: string;
  /** Wall time, epoch ms: the timestamp of an order without one. */
  readonly nowMs: number;
}

/** An order checked for a live platform: its document and its delivery interval's start. */
export interface LiveOrder {
  readonly document: OrderDocument;
  readonly intervalStartMs: number;
}

/** The order's named delivery interval, epoch ms, or E_ORDER_INVALID naming the field. */
function liveIntervalStart(raw: object, source: string): number {
  const text = (raw as { interval_start?: unknown }).interval_start;
  const ms = typeof text === "string" ? parseInstant(text) : undefined;
  if (ms === undefined)
    throw new InputError(
      "E_ORDER_INVALID",
      `${source}: interval_start: expected the start of the delivery interval (${INSTANT_EXPECTED}), which a live order names, received ${text === undefined ? "nothing" : JSON.stringify(text)}`,
      { details: { field: "interval_start", expected: INSTANT_EXPECTED, received: text } },
    );
  return ms;
}

/**
 * The order document in `raw` (an object naming its `interval_start`; `participant` defaults to
 * the key's participant and `timestamp` to now), checked; E_ORDER_INVALID names the first bad
 * field.
 */
export function liveOrder(raw: unknown, options: LiveOrderOptions): LiveOrder {
  const { identity, source, nowMs } = options;
  const participant = options.participant ?? identity.participant;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError(
      "E_ORDER_INVALID",
      `${source}: expected an order object ({ id, side, energy_kwh, price_per_kwh, interval_start }), received ${Array.isArray(raw) ? "an array" : JSON.stringify(raw)}`,
    );
  const intervalStartMs = liveIntervalStart(raw, source);
  const candidate = {
    participant,
    timestamp: formatInstant(Math.floor(nowMs / 1000) * 1000),
    ...raw,
  };
  const document = readOrderDocument(candidate, source);
  if (document.participant !== participant)
    throw new InputError(
      "E_ORDER_INVALID",
      `${source}: participant: expected ${JSON.stringify(participant)} (the key's participant) or nothing, received ${JSON.stringify(document.participant)}`,
      { details: { field: "participant", expected: participant } },
    );
  return { document, intervalStartMs };
}

/** `order` signed by `identity` with a fresh nonce, expiring as `expiry` says from `nowMs`. */
export function signLiveOrder(
  order: LiveOrder,
  identity: Identity,
  expiry: OrderExpiry,
  nowMs: number,
): SignedOrder {
  const expiresMs =
    "minutesFromNow" in expiry
      ? nowMs + expiry.minutesFromNow * MINUTE_MS
      : order.intervalStartMs + expiry.intervalMinutes * MINUTE_MS;
  return signOrder(order.document, identity, freshNonce(), expiresMs);
}

/** How long a member's cancel or session answer stays valid, in wall time. */
const MEMBER_DOCUMENT_MINUTES = 5;

/** A member's cancel of one of its open orders. */
export function signCancel(
  target: { readonly orderId: string; readonly intervalStartMs: number },
  member: Identity,
  participant: string,
  nowMs: number,
): SignedDocument {
  return signDocument(
    "cancel",
    {
      action: "order.cancel",
      participant,
      order_id: target.orderId,
      interval_start: formatInstant(target.intervalStartMs),
    },
    member,
    freshNonce(),
    nowMs + MEMBER_DOCUMENT_MINUTES * MINUTE_MS,
  );
}

/** A member's answer to a session challenge. */
export function signSessionAnswer(
  challenge: string,
  member: Identity,
  nowMs: number,
): SignedDocument {
  return signDocument(
    "session",
    { action: "session.open", challenge },
    member,
    freshNonce(),
    nowMs + MEMBER_DOCUMENT_MINUTES * MINUTE_MS,
  );
}

/**
 * A member's rotation of its key from `current` to `next`, for the intervals from `validFromMs`
 * on: signed by the current key, with the new key's proof of possession.
 */
export function signKeyRotation(
  participant: string,
  current: Identity,
  next: Identity,
  validFromMs: number,
  nowMs: number,
): SignedDocument {
  return signDocument(
    "key",
    { ...keyRotation(participant, next, formatInstant(validFromMs)) },
    current,
    freshNonce(),
    nowMs + MEMBER_DOCUMENT_MINUTES * MINUTE_MS,
  );
}
