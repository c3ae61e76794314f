/**
 * The registry blocks of a live community's format-2 ledger: the operator's registrations
 * (participant.add, .suspend, .reinstate, .rebind), the members' key rotations and community
 * updates, recorded in the database with their effect, sealed in receive order into `registry`
 * blocks, so that the ledger says, at each point of its chain, who may trade, with which key and
 * under which rules.
 *
 * The database is the truth for registrations and the log holds them in order: the first N
 * registrations the database recorded are the N registry entries of the log. A registration
 * whose block the log could not take (a crash, a failing disk) is sealed by the next call, at the
 * latest at the next start, and always before a clearing block that holds an order of the
 * participant it registers (gate closure seals what is pending first).
 */
import { type AnyHead, isRegistryHead } from "../ledger/block.js";
import type { LedgerPort } from "../ledger/clearInterval.js";
import {
  ledgerUpdateSchema,
  type RegistryBlockItem,
  sealRegistryBlock,
  UPDATE_ACTION,
  UpdateSchedule,
} from "../ledger/communityUpdates.js";
import type { Identity } from "../ledger/keys.js";
import { Registry, registryActionSchema } from "../ledger/registry.js";
import { signedDocumentSchema } from "../ledger/signedDocument.js";
import type { CommunityStore } from "../store/communityStore.js";

/** The ledger as sealing needs it: the pipeline's port, and making appends durable. */
export interface SealingLedger extends LedgerPort {
  flush(): Promise<void>;
}

/** The registry entries a chain's heads hold: one per document of each registry block. */
export function registryEntriesOf(heads: readonly AnyHead[]): number {
  let n = 0;
  for (const h of heads) if (isRegistryHead(h)) n += h.tree_size - h.first_leaf;
  return n;
}

export class RegistrySealer {
  private constructor(
    private readonly store: CommunityStore,
    private readonly ledger: SealingLedger,
    private readonly admin: string,
    private readonly signer: Identity,
    private readonly registry: Registry,
    private readonly updates: UpdateSchedule,
    private sealed: number,
  ) {}

  /** The registry as the log holds it: the database's first registrations, replayed. */
  static async open(
    store: CommunityStore,
    ledger: SealingLedger,
    heads: readonly AnyHead[],
    admin: string,
    signer: Identity,
  ): Promise<RegistrySealer> {
    const sealed = registryEntriesOf(heads);
    const recorded = await store.registrations(0);
    if (recorded.length < sealed)
      throw new Error(
        `the ledger holds ${sealed} registrations but the database only ${recorded.length}: the database is behind the log (restore both from one backup)`,
      );
    const registry = new Registry();
    const updates = new UpdateSchedule();
    // Replayed as sealed: the effects are the log's, so no interval bound applies here.
    for (const text of recorded.slice(0, sealed))
      effectOn(registry, updates, text, Number.NEGATIVE_INFINITY);
    return new RegistrySealer(store, ledger, admin, signer, registry, updates, sealed);
  }

  /** The key the ledger's registry binds to `participant` for the interval starting at `startMs`. */
  keyFor(participant: string, startMs: number): string | undefined {
    return this.registry.keyFor(participant, startMs);
  }

  /**
   * Hands block signing over from `previous` (the key the ledger's blocks are signed by) to this
   * sealer's signer: a registry block with no documents, signed by both, made durable. Returns
   * its height.
   */
  async handOver(previous: Identity): Promise<number> {
    const sealed = sealRegistryBlock(this.ledger.state, this.admin, [], previous, this.signer);
    this.ledger.append(sealed, []);
    await this.ledger.flush();
    return sealed.block.head.height;
  }

  /**
   * Seals every registration the database recorded since the last registry block into one
   * block and makes it durable. The caller serialises this with every other append.
   */
  async sealPending(): Promise<number> {
    const pending = await this.store.registrations(this.sealed);
    if (pending.length === 0) return 0;
    const items: RegistryBlockItem[] = [];
    const nonces: string[] = [];
    const chainEnd = this.ledger.state.lastIntervalEndMs;
    for (const text of pending) {
      const item = effectOn(this.registry, this.updates, text, chainEnd);
      items.push(item);
      nonces.push(`${item.document.public_key}:${item.document.nonce}`);
    }
    const sealed = sealRegistryBlock(this.ledger.state, this.admin, items, this.signer);
    this.ledger.append(sealed, nonces);
    this.sealed += items.length;
    await this.ledger.flush();
    return items.length;
  }
}

/**
 * Applies one recorded document to `registry` (a registration) or `updates` (a community update,
 * in a chain whose last cleared interval ends at `chainEndMs`); returns it with its effect.
 */
function effectOn(
  registry: Registry,
  updates: UpdateSchedule,
  text: string,
  chainEndMs: number,
): RegistryBlockItem {
  const doc = signedDocumentSchema.parse(JSON.parse(text));
  if (doc.document.action === UPDATE_ACTION) {
    const update = ledgerUpdateSchema.parse(doc.document);
    const effect = updates.effectOf(update, chainEndMs);
    if ("problem" in effect)
      throw new Error(`a recorded community update cannot apply to the ledger: ${effect.problem}`);
    updates.apply(update);
    return { document: doc, update: effect };
  }
  const effect = registry.effectOf(registryActionSchema.parse(doc.document), doc.public_key);
  if ("problem" in effect)
    throw new Error(`a recorded registration cannot apply to the registry: ${effect.problem}`);
  registry.apply(effect);
  return { document: doc, effect };
}
