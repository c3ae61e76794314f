/**
 * Signed orders. A participant signs its order over the RFC 8785 canonical JSON of
 * `{ expires, nonce, order, public_key }`, prefixed by the context line "gridshare/order/v1\n"
 * so that an order signature can never be mistaken for a signature on anything else:
 *
 *   { "order": {...}, "nonce": "<hex>", "expires": "<ISO time>", "public_key": "<hex>", "signature": "<hex>" }
 *
 * An envelope is valid for a market interval when the signature verifies, the order's
 * participant is the id derived from the public key (format 1; in format 2, the key the registry
 * binds to the participant for the interval), the interval starts no later than `expires`, and
 * the (public key, nonce) pair has not been used before in the ledger.
 */
import { z } from "zod";
import { isWellFormed } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { instantSchema, type OrderDocument, orderDocumentSchema } from "../market/orderDocument.js";
import { type Identity, participantIdOf, signMessage } from "./keys.js";

export const ORDER_CONTEXT = "gridshare/order/v1\n";

export const envelopeSchema = z.strictObject(
  {
    order: orderDocumentSchema,
    nonce: z.string({ error: "16 to 128 lowercase hex digits" }).regex(/^[0-9a-f]{16,128}$/, {
      error: "16 to 128 lowercase hex digits",
    }),
    expires: instantSchema,
    public_key: z
      .string({ error: "64 lowercase hex digits" })
      .regex(/^[0-9a-f]{64}$/, { error: "64 lowercase hex digits" }),
    signature: z
      .string({ error: "128 lowercase hex digits" })
      .regex(/^[0-9a-f]{128}$/, { error: "128 lowercase hex digits" }),
  },
  { error: "a signed order envelope" },
);

export type SignedOrder = z.infer<typeof envelopeSchema>;

/**
 * `s`, when it can be recorded: text in a ledger entry must be well-formed Unicode, or its
 * canonical JSON would not be RFC 8785.
 */
export function checked(s: string): string {
  if (!isWellFormed(s))
    throw new InputError(
      "E_INPUT",
      `text with a lone UTF-16 surrogate cannot be recorded: ${JSON.stringify(s)}`,
    );
  return s;
}

/** An order with its keys in sorted order, so that JSON.stringify writes its canonical JSON. */
export function sortedOrder(o: OrderDocument) {
  return {
    ...(o.data_quality === undefined ? {} : { data_quality: o.data_quality }),
    energy_kwh: o.energy_kwh,
    id: checked(o.id),
    ...(o.interval_start === undefined ? {} : { interval_start: o.interval_start }),
    participant: checked(o.participant),
    price_per_kwh: o.price_per_kwh,
    side: o.side,
    timestamp: o.timestamp,
  };
}

/** The canonical JSON an order signature covers: `{ expires, nonce, order, public_key }`. */
export function orderSigningJson(e: Omit<SignedOrder, "signature">): string {
  return JSON.stringify({
    expires: e.expires,
    nonce: e.nonce,
    order: sortedOrder(e.order),
    public_key: e.public_key,
  });
}

/** The bytes an order signature covers. */
export function orderSigningBytes(envelope: Omit<SignedOrder, "signature">): Buffer {
  return Buffer.from(ORDER_CONTEXT + orderSigningJson(envelope), "utf8");
}

/** Signs an order. `nonce` (hex) and `expiresMs` come from the caller. */
export function signOrder(
  order: OrderDocument,
  identity: Identity,
  nonce: string,
  expiresMs: number,
): SignedOrder {
  const unsigned = {
    order,
    nonce,
    expires: formatInstant(expiresMs),
    public_key: identity.publicKey,
  };
  return { ...unsigned, signature: signMessage(identity, orderSigningBytes(unsigned)) };
}

/** Why an envelope cannot be used for an interval: a code, the field, and the values. */
export interface EnvelopeProblem {
  readonly code: "E_LEDGER_KEY_MISMATCH" | "E_LEDGER_ORDER_EXPIRED";
  readonly field: "order.participant" | "expires";
  readonly expected: string;
  readonly received: string;
  /** The problem in one sentence. */
  readonly message: string;
}

/**
 * Why an envelope cannot be used for an interval (signatures are checked separately, in
 * batches): format 1's rules, the participant its key's id and the order not expired.
 */
export function envelopeProblem(
  envelope: SignedOrder,
  intervalStartMs: number,
): EnvelopeProblem | undefined {
  return keyProblem(envelope) ?? expiryProblem(envelope, intervalStartMs);
}

/** Format 1: the order's participant must be the id of the key that signed it. */
export function keyProblem(envelope: SignedOrder): EnvelopeProblem | undefined {
  const derived = participantIdOf(envelope.public_key);
  if (envelope.order.participant === derived) return undefined;
  return {
    code: "E_LEDGER_KEY_MISMATCH",
    field: "order.participant",
    expected: derived,
    received: envelope.order.participant,
    message: `participant "${envelope.order.participant}" does not match its public key (which belongs to "${derived}")`,
  };
}

/**
 * Format 2: the order must be signed by `bound`, the key bound to its participant for the
 * interval (the registry's), whatever id the key itself would have.
 */
export function bindingProblem(
  envelope: SignedOrder,
  bound: string | undefined,
  intervalStartMs: number,
): EnvelopeProblem | undefined {
  if (bound === envelope.public_key) return undefined;
  const who = envelope.order.participant;
  const start = formatInstant(intervalStartMs);
  return {
    code: "E_LEDGER_KEY_MISMATCH",
    field: "order.participant",
    expected: bound === undefined ? "a registered participant" : `a participant bound to this key`,
    received: who,
    message:
      bound === undefined
        ? `participant "${who}" has no key for the interval starting ${start}`
        : `signed by key ${envelope.public_key.slice(0, 16)}..., not the key bound to participant "${who}" for the interval starting ${start} (${bound.slice(0, 16)}...)`,
  };
}

/** The order must not expire before its interval starts. */
export function expiryProblem(
  envelope: SignedOrder,
  intervalStartMs: number,
): EnvelopeProblem | undefined {
  const expires = parseInstant(envelope.expires) as number;
  if (expires >= intervalStartMs) return undefined;
  const start = formatInstant(intervalStartMs);
  return {
    code: "E_LEDGER_ORDER_EXPIRED",
    field: "expires",
    expected: `${start} or later (the interval's start)`,
    received: envelope.expires,
    message: `expired at ${envelope.expires}, before the interval starts at ${start}`,
  };
}

/** The key under which a nonce must be unique. */
export function nonceKey(envelope: Pick<SignedOrder, "public_key" | "nonce">): string {
  return `${envelope.public_key}:${envelope.nonce}`;
}
