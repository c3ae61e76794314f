/**
 * Self-contained proofs a household can keep and check without the ledger: an inclusion proof
 * (this trade is leaf i of the tree under this signed head) and a consistency proof (the later
 * signed head's tree extends the earlier one's: nothing was rewritten).
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { InputError, VerificationError } from "../core/errors.js";
import { type AnyHead, headSigningBytes } from "./block.js";
import { verifyMessage } from "./keys.js";
import { type Hash, leafHash, verifyConsistency, verifyInclusion } from "./merkle.js";
import { headSchema } from "./verify.js";

export const INCLUSION_FORMAT = "gridshare-inclusion-proof/1";
export const CONSISTENCY_FORMAT = "gridshare-consistency-proof/1";

const hash = z.string().regex(/^[0-9a-f]{64}$/, { error: "64 hex digits" });

export const inclusionProofSchema = z.strictObject({
  format: z.literal(INCLUSION_FORMAT, { error: `"${INCLUSION_FORMAT}"` }),
  entry: z.record(z.string(), z.unknown(), { error: "the proved ledger entry (an object)" }),
  leaf_index: z.number({ error: "a leaf index" }).int().nonnegative(),
  tree_size: z.number({ error: "a tree size" }).int().positive(),
  audit_path: z.array(hash, { error: "an array of hashes" }),
  head: headSchema,
});

export const consistencyProofSchema = z.strictObject({
  format: z.literal(CONSISTENCY_FORMAT, { error: `"${CONSISTENCY_FORMAT}"` }),
  first: headSchema,
  second: headSchema,
  proof: z.array(hash, { error: "an array of hashes" }),
});

export type InclusionProof = z.infer<typeof inclusionProofSchema>;
export type ConsistencyProof = z.infer<typeof consistencyProofSchema>;

export function inclusionProof(
  entry: Record<string, unknown>,
  leafIndex: number,
  path: readonly Hash[],
  head: AnyHead,
): InclusionProof {
  return {
    format: INCLUSION_FORMAT,
    entry,
    leaf_index: leafIndex,
    tree_size: head.tree_size,
    audit_path: path.map((h) => h.toString("hex")),
    head: head as InclusionProof["head"],
  };
}

export function consistencyProof(
  first: AnyHead,
  second: AnyHead,
  path: readonly Hash[],
): ConsistencyProof {
  return {
    format: CONSISTENCY_FORMAT,
    first: first as ConsistencyProof["first"],
    second: second as ConsistencyProof["second"],
    proof: path.map((h) => h.toString("hex")),
  };
}

function parseProof<T>(schema: z.ZodType<T>, raw: unknown, source: string, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join(".") : "(top level)";
    throw new InputError(
      "E_PROOF_MALFORMED",
      `${source}: not a ${what}: ${at}: expected ${issue?.message ?? "?"}`,
    );
  }
  return parsed.data;
}

function checkHeadSignature(
  head: AnyHead,
  operator: string | undefined,
  source: string,
  label: string,
): void {
  if (operator !== undefined && head.operator !== operator) {
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: ${label} is signed by ${head.operator.slice(0, 16)}..., not by the operator key given (${operator.slice(0, 16)}...)`,
    );
  }
  if (!verifyMessage(head.operator, headSigningBytes(head), head.signature)) {
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: the operator signature on ${label} does not verify`,
    );
  }
}

/** Checks an inclusion proof document. Throws `InputError` when malformed, `VerificationError` when false. */
export function checkInclusionProof(
  raw: unknown,
  source: string,
  operator?: string,
): InclusionProof {
  const proof = parseProof(inclusionProofSchema, raw, source, "gridshare inclusion proof");
  if (proof.tree_size !== proof.head.tree_size) {
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: tree_size ${proof.tree_size} differs from the head's ${proof.head.tree_size}`,
    );
  }
  const leaf = leafHash(canonicalize(proof.entry));
  const ok = verifyInclusion(
    leaf,
    proof.leaf_index,
    proof.head.tree_size,
    proof.audit_path.map((h) => Buffer.from(h, "hex")),
    Buffer.from(proof.head.root, "hex"),
  );
  if (!ok)
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: the audit path does not lead from the entry to the head's root`,
    );
  checkHeadSignature(proof.head as AnyHead, operator, source, `head ${proof.head.height}`);
  return proof;
}

/** Checks a consistency proof document. */
export function checkConsistencyProof(
  raw: unknown,
  source: string,
  operator?: string,
): ConsistencyProof {
  const proof = parseProof(consistencyProofSchema, raw, source, "gridshare consistency proof");
  const { first, second } = proof;
  if (first.operator !== second.operator) {
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: the two heads are signed by different operator keys`,
    );
  }
  if (first.height > second.height) {
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: the first head (height ${first.height}) is later than the second (${second.height})`,
    );
  }
  const ok = verifyConsistency(
    first.tree_size,
    second.tree_size,
    proof.proof.map((h) => Buffer.from(h, "hex")),
    Buffer.from(first.root, "hex"),
    Buffer.from(second.root, "hex"),
  );
  if (!ok)
    throw new VerificationError(
      "E_PROOF_INVALID",
      `${source}: the tree of head ${second.height} does not extend the tree of head ${first.height}`,
    );
  checkHeadSignature(first as AnyHead, operator, source, `head ${first.height}`);
  checkHeadSignature(second as AnyHead, operator, source, `head ${second.height}`);
  return proof;
}
