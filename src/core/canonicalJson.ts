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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fail(path: string, what: string): never {
  throw new InputError("E_INPUT", `cannot canonicalize ${path}: ${what}`, { details: { path } });
}

function serializeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail(path, "string holds a lone UTF-16 surrogate");
  return JSON.stringify(s);
}

function write(value: unknown, path: string, out: string[]): void {
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) fail(path, `number ${value} is not finite`);
      // ECMAScript Number-to-String is exactly RFC 8785's number format (and -0 becomes 0).
      out.push(JSON.stringify(value));
      return;
    case "string":
      out.push(serializeString(value, path));
      return;
    case "object": {
      if (Array.isArray(value)) {
        out.push("[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(",");
          const item = value[i];
          if (item === undefined) fail(`${path}[${i}]`, "undefined is not JSON");
          write(item, `${path}[${i}]`, out);
        }
        out.push("]");
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) fail(path, "only plain objects are JSON");
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(compareUtf16);
      out.push("{");
      let first = true;
      for (const key of keys) {
        if (!first) out.push(",");
        first = false;
        out.push(serializeString(key, path), ":");
        write(record[key], `${path}.${key}`, out);
      }
      out.push("}");
      return;
    }
    default:
      fail(path, `${typeof value} is not JSON`);
  }
}

/** Orders strings by UTF-16 code units, as RFC 8785 section 3.2.3 requires. */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The RFC 8785 canonical form of a JSON value. Throws `InputError` for non-JSON values. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, "$", out);
  return out.join("");
}

/** UTF-8 bytes of the canonical form. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}
