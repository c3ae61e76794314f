/**
 * Deterministic identifiers: a hash of what the thing is, never a random UUID, so that the same
 * inputs give the same ids on every machine and in every replay.
 */
import { hash } from "node:crypto";
import { canonicalize } from "./canonicalJson.js";

/** SHA-256 of a string or bytes, as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash("sha256", data, "hex");
}

/**
 * A 128-bit id (32 hex characters) derived from the canonical JSON of `parts`.
 * @see canonicalize
 */
export function deriveId(parts: readonly unknown[]): string {
  return sha256Hex(canonicalize(parts)).slice(0, 32);
}
