import assert from "node:assert/strict";
import { test } from "node:test";
import {
  identityFromSeed,
  keyFileDocument,
  parseKeyDocument,
  participantIdOf,
  signMessage,
  verifyMessage,
} from "./keys.js";

// RFC 8032 section 7.1, TEST 1 and TEST 2.
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

test("RFC 8032 test vectors: keys from seeds and signatures", () => {
  for (const v of RFC8032) {
    const id = identityFromSeed(Buffer.from(v.seed, "hex"));
    assert.equal(id.publicKey, v.publicKey);
    const msg = Buffer.from(v.message, "hex");
    assert.equal(signMessage(id, msg), v.signature);
    assert.ok(verifyMessage(v.publicKey, msg, v.signature));
    assert.ok(!verifyMessage(v.publicKey, Buffer.from("00", "hex"), v.signature));
  }
});

test("default: participant id derives from the public key; key files round-trip", () => {
  const id = identityFromSeed(Buffer.alloc(32, 7));
  assert.match(id.participant, /^gs[0-9a-f]{40}$/);
  assert.equal(id.participant, participantIdOf(id.publicKey));
  const parsed = parseKeyDocument(JSON.parse(JSON.stringify(keyFileDocument(id))), "k.json");
  assert.equal(parsed.identity?.publicKey, id.publicKey);
  assert.equal(
    parseKeyDocument({ participant: id.participant, public_key: id.publicKey }, "p.json").identity,
    undefined,
  );
});

test("error: malformed or inconsistent key files", () => {
  const id = identityFromSeed(Buffer.alloc(32, 7));
  const doc = keyFileDocument(id);
  assert.throws(() => parseKeyDocument({}, "k.json"), /k\.json: not a gridshare key file/);
  assert.throws(() => parseKeyDocument({ ...doc, private_key: "zz" }, "k.json"), /private_key/);
  assert.throws(
    () => parseKeyDocument({ ...doc, private_key: "11".repeat(32) }, "k.json"),
    /does not belong/,
  );
  assert.throws(
    () => parseKeyDocument({ participant: "gs00", public_key: id.publicKey }, "p.json"),
    /does not match/,
  );
  // A private key file's own participant and type are checked against its key too.
  assert.throws(
    () => parseKeyDocument({ ...doc, participant: "gs00" }, "k.json"),
    /k\.json: "participant": expected "gs[0-9a-f]{40}" \(the id of its key\), received "gs00"/,
  );
  assert.throws(
    () => parseKeyDocument({ ...doc, type: "rsa" }, "k.json"),
    /k\.json: "type": expected "gridshare-ed25519-key", received "rsa"/,
  );
  assert.ok(!verifyMessage("nothex", Buffer.alloc(1), "00"));
});
