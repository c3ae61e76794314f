/**
 * Which key signs the community's blocks, checked when the platform opens: the ledger's own
 * (its first block's, or the key its last handover named) must be the block-signing key the
 * server was given. To move to a new key, the server is started with the new key and the
 * previous one: if the ledger is still the previous key's, a handover block (a registry block
 * with no documents, signed by the previous key, naming the new one and signed by it too) is
 * written and made durable before anything else, and the previous key is not used again. Started
 * again with the same two keys after that, nothing more happens.
 */
import { InputError } from "../core/errors.js";
import type { Identity } from "../ledger/keys.js";
import type { DurableLedger } from "./durableLedger.js";
import type { RegistrySealer } from "./registrySealer.js";

/** A handover the platform wrote as it opened. */
export interface Handover {
  readonly height: number;
  readonly from: string;
  readonly to: string;
}

const short = (key: string) => `${key.slice(0, 16)}...`;

/**
 * Checks `signer` may sign the ledger's next block, handing over from `previous` first when the
 * ledger is still its; returns the handover written, if one was.
 */
export async function takeOverSigning(
  ledger: DurableLedger,
  signer: Identity,
  previous: Identity | undefined,
  registry: RegistrySealer | undefined,
): Promise<Handover | undefined> {
  const current = ledger.state.operator;
  if (previous !== undefined && previous.publicKey === signer.publicKey)
    throw new InputError(
      "E_KEY_INVALID",
      "the previous block-signing key is the block-signing key itself: nothing to hand over",
    );
  if (current === undefined || current === signer.publicKey) return undefined;
  if (previous === undefined || previous.publicKey !== current)
    throw new InputError(
      "E_KEY_INVALID",
      `the ledger's blocks are signed by ${current}, not by the block-signing key given (${short(signer.publicKey)}): start with that key, or with the new key and ${short(current)} as the previous one to hand over to the new key`,
      { details: { expected: current, received: signer.publicKey } },
    );
  if (registry === undefined)
    throw new InputError(
      "E_KEY_INVALID",
      "this community's ledger is in format 1, which has one block-signing key for good: it cannot hand over to another",
    );
  const height = await registry.handOver(previous);
  return { height, from: previous.publicKey, to: signer.publicKey };
}
