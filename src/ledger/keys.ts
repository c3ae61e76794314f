/**
 * Ed25519 identities (RFC 8032) through node:crypto. A key is derived from a 32-byte seed that
 * the caller supplies (the CLI draws it from the operating system), so this module stays
 * deterministic. A participant id is derived from the public key: "gs" followed by the first
 * 20 bytes of SHA-256 of the raw 32-byte public key, in hex.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { InputError, invariant } from "../core/errors.js";

const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const HEX_KEY = /^[0-9a-f]{64}$/;

/** A participant's or the operator's key pair. */
export interface Identity {
  readonly participant: string;
  /** Raw 32-byte public key, lowercase hex. */
  readonly publicKey: string;
  /** Raw 32-byte seed (the private key), lowercase hex. */
  readonly seed: string;
  readonly privateKey: KeyObject;
}

/** The public half, as `keys show` prints it. */
export interface PublicIdentity {
  readonly participant: string;
  readonly public_key: string;
}

/** The participant id of a public key (hex). */
export function participantIdOf(publicKeyHex: string): string {
  return `gs${createHash("sha256").update(Buffer.from(publicKeyHex, "hex")).digest("hex").slice(0, 40)}`;
}

/** The key pair for a 32-byte seed. */
export function identityFromSeed(seed: Uint8Array): Identity {
  invariant(seed.length === 32, "an Ed25519 seed is 32 bytes");
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = spki.subarray(SPKI_PREFIX.length).toString("hex");
  return {
    participant: participantIdOf(publicKey),
    publicKey,
    seed: Buffer.from(seed).toString("hex"),
    privateKey,
  };
}

const publicKeys = new Map<string, KeyObject>();

/** A node:crypto public key for a raw hex key; cached. Throws for a malformed key. */
export function publicKeyObject(publicKeyHex: string): KeyObject {
  let key = publicKeys.get(publicKeyHex);
  if (key === undefined) {
    invariant(HEX_KEY.test(publicKeyHex), "a public key is 64 lowercase hex digits");
    key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, "hex")]),
      format: "der",
      type: "spki",
    });
    if (publicKeys.size > 100_000) publicKeys.clear();
    publicKeys.set(publicKeyHex, key);
  }
  return key;
}

/** True for a well-formed public key in hex. */
export function isPublicKeyHex(text: string): boolean {
  return HEX_KEY.test(text);
}

/** Ed25519 signature of `message`, hex. */
export function signMessage(identity: Identity, message: Uint8Array): string {
  return sign(null, message, identity.privateKey).toString("hex");
}

/** Checks an Ed25519 signature (hex) over `message` by `publicKeyHex`. False for malformed input. */
export function verifyMessage(
  publicKeyHex: string,
  message: Uint8Array,
  signatureHex: string,
): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  let key: KeyObject;
  try {
    key = publicKeyObject(publicKeyHex);
  } catch {
    return false;
  }
  return verify(null, message, key, Buffer.from(signatureHex, "hex"));
}

/** The key file: JSON, written with mode 0600. */
export interface KeyFileDocument {
  readonly type: "gridshare-ed25519-key";
  readonly participant: string;
  readonly public_key: string;
  readonly private_key: string;
}

export function keyFileDocument(identity: Identity): KeyFileDocument {
  return {
    type: "gridshare-ed25519-key",
    participant: identity.participant,
    public_key: identity.publicKey,
    private_key: identity.seed,
  };
}

/**
 * Reads a key file's JSON: a private key file (from `keys new`) gives an identity; a public file
 * (`{ participant, public_key }`, as `keys show` prints) gives only the public part.
 */
export function parseKeyDocument(
  value: unknown,
  source: string,
): { identity?: Identity; publicKey: string } {
  const doc = value as Partial<KeyFileDocument> | null;
  if (
    doc === null ||
    typeof doc !== "object" ||
    typeof doc.public_key !== "string" ||
    !HEX_KEY.test(doc.public_key)
  ) {
    throw new InputError(
      "E_KEY_INVALID",
      `${source}: not a gridshare key file (expected JSON with a 64-hex-digit "public_key")`,
    );
  }
  if (doc.private_key === undefined) {
    if (doc.participant !== undefined && doc.participant !== participantIdOf(doc.public_key)) {
      throw new InputError("E_KEY_INVALID", `${source}: "participant" does not match "public_key"`);
    }
    return { publicKey: doc.public_key };
  }
  if (typeof doc.private_key !== "string" || !HEX_KEY.test(doc.private_key)) {
    throw new InputError("E_KEY_INVALID", `${source}: "private_key" must be 64 hex digits`);
  }
  const identity = identityFromSeed(Buffer.from(doc.private_key, "hex"));
  if (identity.publicKey !== doc.public_key) {
    throw new InputError(
      "E_KEY_INVALID",
      `${source}: "private_key" does not belong to "public_key" (the file is corrupt)`,
    );
  }
  if (doc.type !== undefined && doc.type !== "gridshare-ed25519-key") {
    throw new InputError(
      "E_KEY_INVALID",
      `${source}: "type": expected "gridshare-ed25519-key", received ${JSON.stringify(doc.type)}`,
    );
  }
  if (doc.participant !== undefined && doc.participant !== identity.participant) {
    throw new InputError(
      "E_KEY_INVALID",
      `${source}: "participant": expected ${JSON.stringify(identity.participant)} (the id of its key), received ${JSON.stringify(doc.participant)}`,
    );
  }
  return { identity, publicKey: identity.publicKey };
}
