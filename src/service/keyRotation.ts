/**
 * A member's rotation of its own key: a `key.rotate` document (context `gridshare/key/v1`)
 * signed by its current key, carrying the new key's proof of possession, binding the new key to
 * the same participant from an interval on (keyBindings.ts). Recorded under its nonce like every
 * document (the same bytes again get the first answer), and sealed into the next registry block.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { keyProofVerifies, keyRotateSchema } from "../ledger/keyDocuments.js";
import { type BindingContext, bindingAnswer, bindingEffect, checkBinding } from "./keyBindings.js";
import { type MemberContext, memberDocument } from "./memberDocuments.js";
import { nonceReused, parseOrRefuse, refuse } from "./refusals.js";
import { requireCurrentKey } from "./signers.js";

/** Rotates the signer's key; `addressed` is the participant the request's path names. */
export async function rotateKey(
  ctx: MemberContext & BindingContext,
  raw: unknown,
  addressed: string,
): Promise<{ created: boolean; answer: string }> {
  const { doc, participant } = await memberDocument(ctx, raw, "key");
  const action = parseOrRefuse(
    keyRotateSchema,
    doc.document,
    "E_INPUT",
    "a key rotation",
    "document",
  );
  if (action.participant !== addressed)
    throw refuse(
      "E_INPUT",
      "document.participant",
      addressed,
      action.participant,
      `the document rotates the key of ${action.participant}, not of ${addressed} as addressed`,
    );
  if (action.participant !== participant.id)
    throw refuse(
      "E_LEDGER_KEY_MISMATCH",
      "document.participant",
      participant.id,
      action.participant,
      `the key belongs to participant ${participant.id}, not ${action.participant}`,
    );
  const nonceKey = `${doc.public_key}:${doc.nonce}`;
  const digest = sha256Hex(canonicalize(doc));
  // The checks below depend on the keys the rotation changes: the same bytes again are answered
  // from their record first.
  const earlier = await ctx.store.earlierAnswer(nonceKey);
  if (earlier !== undefined && earlier.digest !== digest) throw nonceReused(doc.nonce);
  if (earlier !== undefined) return { created: false, answer: earlier.answer };
  requireCurrentKey(participant, doc.public_key, "rotate it");
  if (!keyProofVerifies(action, action.proof))
    throw refuse(
      "E_SIGNATURE_INVALID",
      "document.proof",
      `a signature by ${action.public_key} over { participant, public_key, valid_from } (context gridshare/key-proof/v1)`,
      action.proof,
      "the new key's proof of possession does not verify: sign the rotation's claim with the new key",
    );
  const { validFromMs, answer } = await checkBinding(ctx, action);
  const recorded = canonicalize(answer);
  const document = canonicalize(doc);
  const outcome = await ctx.store.applyDocument(
    {
      nonceKey,
      digest,
      kind: "key.rotate",
      receivedMs: ctx.wall(),
      answer: recorded,
      // Sealed into the ledger's next registry block, as a registration is.
      ledger: { kind: "registry", intervalStartMs: null, document },
    },
    bindingEffect(action, validFromMs, document, doc.public_key),
  );
  return bindingAnswer(outcome, action, doc.nonce, recorded);
}
