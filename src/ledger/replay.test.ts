import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../core/canonicalJson.js";
import { splitPayload } from "./replay.js";

test("property: splitPayload gives each entry's canonical text and the head's", () => {
  const obj = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 });
  fc.assert(
    fc.property(fc.array(obj, { maxLength: 8 }), obj, (entries, head) => {
      const payload = canonicalize({ entries, head });
      const parts = splitPayload(payload);
      assert.ok(parts, payload);
      assert.deepEqual(
        parts.entries,
        entries.map((e) => canonicalize(e)),
      );
      assert.equal(parts.head, canonicalize(head));
    }),
    { numRuns: 500 },
  );
});

test("error: not a block layout", () => {
  for (const bad of [
    '{"entries":[{"a":1}],"head":{}',
    '{"head":{},"entries":[]}',
    '{"entries":[{"a":"x\\"}],"head":{}}',
    "",
    '{"entries":[],"head":{}}x',
  ]) {
    assert.equal(splitPayload(bad), undefined, bad);
  }
});
