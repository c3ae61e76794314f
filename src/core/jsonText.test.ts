import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { findDuplicateKey } from "./jsonText.js";

test("property: JSON.stringify's output never has a duplicate key, whatever the strings in it", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.equal(findDuplicateKey(JSON.stringify(value, null, 1)), undefined);
    }),
    { numRuns: 300 },
  );
});

test("behavior: a key repeated in one object is found with its line and column; the same key in two objects is not", () => {
  assert.deepEqual(findDuplicateKey('{"a":1,\n "b":{"a":2},\n "a":3}'), {
    key: "a",
    line: 3,
    column: 2,
  });
  assert.equal(findDuplicateKey('[{"a":1},{"a":2}]'), undefined);
  // Escapes decode before comparing, and a key-like string value is not a key.
  assert.equal(findDuplicateKey('{"\\u0061":1,"a":2}')?.key, "a");
  assert.equal(findDuplicateKey('{"a":"a","b":"a"}'), undefined);
  assert.equal(findDuplicateKey('{"a":"x\\"","a":1}')?.key, "a");
});
