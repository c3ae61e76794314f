/**
 * JSON Canonicalization Scheme (RFC 8785): the byte-exact form over which gridshare hashes and
 * signs. Object keys are sorted by UTF-16 code units, numbers use ECMAScript's shortest
 * round-trip form, strings use JSON's minimal escaping, and there is no whitespace.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8785
 */
import { InputError } from "./errors.js";

/** A JSON value as canonicalization accepts it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

function fail(path: string, what: string): never {
  throw new InputError("E_INPUT", `cannot canonicalize ${path}: ${what}`, { details: { path } });
}

// Paths are only built when something fails (the hot path carries a parent and a key).
function pathOf(parent: string, key: string | number): string {
  return typeof key === "number" ? `${parent}[${key}]` : `${parent}.${key}`;
}

/** True when `s` holds no lone UTF-16 surrogate (String.prototype.isWellFormed, Node 20+). */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function serializeString(s: string, path: () => string): string {
  if (!isWellFormed(s)) fail(path(), "string holds a lone UTF-16 surrogate");
  return JSON.stringify(s);
}

function write(value: unknown, path: () => string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) fail(path(), `number ${value} is not finite`);
      // ECMAScript Number-to-String is exactly RFC 8785's number format (and -0 becomes 0).
      return JSON.stringify(value);
    case "string":
      return serializeString(value, path);
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item = value[i];
          if (item === undefined) fail(pathOf(path(), i), "undefined is not JSON");
          out += write(item, () => pathOf(path(), i));
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) fail(path(), "only plain objects are JSON");
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareUtf16);
      let out = "{";
      let first = true;
      for (const key of keys) {
        const v = record[key];
        if (v === undefined) continue;
        if (!first) out += ",";
        first = false;
        out += `${serializeString(key, path)}:${write(v, () => pathOf(path(), key))}`;
      }
      return `${out}}`;
    }
    default:
      return fail(path(), `${typeof value} is not JSON`);
  }
}

/** Orders strings by UTF-16 code units, as RFC 8785 section 3.2.3 requires. */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The RFC 8785 canonical form of a JSON value. Throws `InputError` for non-JSON values. */
export function canonicalize(value: unknown): string {
  return write(value, () => "$");
}

/** UTF-8 bytes of the canonical form. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}
