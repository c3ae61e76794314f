/**
 * Signed documents other than orders: an operator's actions (registering a participant,
 * suspending one, re-binding its key, moving a manual clock), a member's cancels, a member's key
 * rotation, and a member's answer to a session challenge. Each kind has its own context
 * line, so a signature on one kind is never valid as another; each carries a nonce (the same
 * nonce space as orders: a key never uses one twice) and an expiry. The signature covers the
 * context line followed by the RFC 8785 canonical JSON of `{ document, expires, nonce,
 * public_key }`:
 *
 *   { "document": { "action": "participant.add", ... }, "nonce": "<hex>", "expires": "<ISO>",
 *     "public_key": "<hex>", "signature": "<hex>" }
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { formatInstant } from "../core/time.js";
import { instantSchema } from "../market/orderDocument.js";
import { type Identity, signMessage, verifyMessage } from "./keys.js";

export const DOCUMENT_CONTEXTS = {
  admin: "gridshare/admin/v1\n",
  cancel: "gridshare/cancel/v1\n",
  key: "gridshare/key/v1\n",
  session: "gridshare/session/v1\n",
} as const;

export type DocumentKind = keyof typeof DOCUMENT_CONTEXTS;

const hex = (digits: string, re: RegExp) =>
  z
    .string({ error: `${digits} lowercase hex digits` })
    .regex(re, { error: `${digits} lowercase hex digits` });

/** The envelope of a signed document, whatever its content (each action validates its own). */
export const signedDocumentSchema = z.strictObject(
  {
    document: z.record(z.string(), z.unknown(), { error: "the signed document, an object" }),
    nonce: hex("16 to 128", /^[0-9a-f]{16,128}$/),
    expires: instantSchema,
    public_key: hex("64", /^[0-9a-f]{64}$/),
    signature: hex("128", /^[0-9a-f]{128}$/),
  },
  { error: "a signed document { document, nonce, expires, public_key, signature }" },
);

export type SignedDocument = z.infer<typeof signedDocumentSchema>;

/** The bytes a document signature of `kind` covers. */
export function documentSigningBytes(
  kind: DocumentKind,
  d: Omit<SignedDocument, "signature">,
): Buffer {
  const body = canonicalize({
    document: d.document,
    expires: d.expires,
    nonce: d.nonce,
    public_key: d.public_key,
  });
  return Buffer.from(DOCUMENT_CONTEXTS[kind] + body, "utf8");
}

/** Signs `document` as `kind`. */
export function signDocument(
  kind: DocumentKind,
  document: Record<string, unknown>,
  identity: Identity,
  nonce: string,
  expiresMs: number,
): SignedDocument {
  const unsigned = {
    document,
    nonce,
    expires: formatInstant(expiresMs),
    public_key: identity.publicKey,
  };
  return { ...unsigned, signature: signMessage(identity, documentSigningBytes(kind, unsigned)) };
}

/** True when the signature of `d` as `kind` verifies. */
export function documentVerifies(kind: DocumentKind, d: SignedDocument): boolean {
  return verifyMessage(d.public_key, documentSigningBytes(kind, d), d.signature);
}
