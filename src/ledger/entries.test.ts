import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbitraryBook } from "../../test/support/books.js";
import { canonicalize } from "../core/canonicalJson.js";
import { clearMarket } from "../market/clearMarket.js";
import { MECHANISMS } from "../market/mechanisms.js";
import { orderDocument } from "../market/orderDocument.js";
import { MECHANISM_NAMES } from "../market/types.js";
import { blockEntries, type OrderItem } from "./block.js";
import { orderSigningJson, signOrder } from "./envelope.js";
import { identityFromSeed } from "./keys.js";

const signer = identityFromSeed(Buffer.alloc(32, 5));

test("property: every entry the fast builders write is exactly its RFC 8785 canonical form", () => {
  fc.assert(
    fc.property(
      arbitraryBook({ oneSidePerParticipant: true }),
      fc.constantFrom(...MECHANISM_NAMES),
      fc.boolean(),
      fc.nat(),
      (input, name, signed, height) => {
        const mechanism = MECHANISMS[name];
        const result = clearMarket(input, { mechanism });
        const items: OrderItem[] = input.orders.map((o) =>
          signed
            ? {
                kind: "signed",
                envelope: signOrder(
                  orderDocument(o),
                  signer,
                  "00".repeat(16),
                  Date.UTC(2027, 0, 1),
                ),
              }
            : { kind: "attested", order: orderDocument(o) },
        );
        for (const entry of blockEntries(height, items, result, mechanism)) {
          assert.equal(entry, canonicalize(JSON.parse(entry)));
        }
        for (const item of items) {
          if (item.kind !== "signed") continue;
          const { signature: _s, ...unsigned } = item.envelope;
          assert.equal(orderSigningJson(item.envelope), canonicalize(unsigned));
        }
      },
    ),
    { numRuns: 200 },
  );
});
