import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { canonicalize } from "./canonicalJson.js";
import { GridshareError } from "./errors.js";

interface Vectors {
  numbers: [string, string | null][];
  documents: { description: string; input: string; canonical: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("../../test/vectors/canonical-json/rfc8785.json", import.meta.url), "utf8"),
) as Vectors;

test("RFC 8785 Appendix B: number serialization", () => {
  for (const [hex, expected] of vectors.numbers) {
    const x = Buffer.from(hex, "hex").readDoubleBE(0);
    if (expected === null) {
      assert.throws(() => canonicalize(x), GridshareError, hex);
    } else {
      assert.equal(canonicalize(x), expected, hex);
    }
  }
});

test("RFC 8785 sections 3.2.2 and 3.2.3: documents", () => {
  for (const doc of vectors.documents) {
    assert.equal(canonicalize(JSON.parse(doc.input)), doc.canonical, doc.description);
  }
});

test("error: non-JSON values are refused, with the path", () => {
  assert.throws(() => canonicalize({ a: [1, Number.NaN] }), /\$\.a\[1\]/);
  assert.throws(() => canonicalize({ s: "\ud800x" }), /lone UTF-16 surrogate/);
  assert.throws(() => canonicalize({ d: new Date(0) }), /plain objects/);
  assert.throws(() => canonicalize([undefined]), /undefined/);
});

test("property: canonical form is a fixed point and independent of key order", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = canonicalize(value);
      assert.equal(canonicalize(JSON.parse(text)), text);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        assert.equal(canonicalize(reversed), text);
      }
    }),
  );
});
