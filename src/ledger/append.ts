/**
 * Preparing the next block: the checks a new interval must pass before anything is written
 * (it follows the last interval, its signed orders verify, belong to their keys, have not
 * expired and do not replay a nonce), then the sealed block. Pure: the caller supplies the chain
 * state and what the ledger already holds.
 */
import { InputError } from "../core/errors.js";
import { formatInstant, type Interval } from "../core/time.js";
import {
  type ChainState,
  clearBlockMarket,
  type MarketRules,
  type OrderItem,
  orderOfItem,
  type SealedBlock,
  sealBlock,
} from "./block.js";
import { envelopeProblem, nonceKey, orderSigningBytes } from "./envelope.js";
import { type Identity, verifyMessage } from "./keys.js";
import type { SignatureTask } from "./verify.js";

export interface PrepareOptions {
  /** Refuse unsigned orders. */
  readonly requireSignatures: boolean;
  /** True when the ledger already holds this (public key, nonce). */
  readonly nonceUsed: (key: string) => boolean;
  /** Per-order signatures already checked by the caller (e.g. in parallel). */
  readonly signaturesChecked?: boolean;
}

function orderError(index: number, item: OrderItem, what: string): InputError {
  return new InputError(
    "E_SIGNATURE_INVALID",
    `orders[${index}] (id ${JSON.stringify(orderOfItem(item).id)}): ${what}`,
    {
      details: { index },
    },
  );
}

/** Checks the signed orders of an interval; throws `InputError` naming the first bad order. */
export function checkOrderItems(
  interval: Interval,
  items: readonly OrderItem[],
  options: PrepareOptions,
): string[] {
  const nonces: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (item.kind !== "signed") {
      if (options.requireSignatures)
        throw orderError(
          index,
          item,
          "unsigned, and --require-signatures is set (sign it with gridshare order sign)",
        );
      return;
    }
    const env = item.envelope;
    if (
      !options.signaturesChecked &&
      !verifyMessage(env.public_key, orderSigningBytes(env), env.signature)
    ) {
      throw orderError(
        index,
        item,
        "the signature does not verify (the order was changed after signing, or signed with another key)",
      );
    }
    const problem = envelopeProblem(env, interval.startMs);
    if (problem) throw orderError(index, item, problem);
    const key = nonceKey(env);
    if (seen.has(key) || options.nonceUsed(key))
      throw orderError(
        index,
        item,
        `nonce ${env.nonce} was already used by this key (a replayed order)`,
      );
    seen.add(key);
    nonces.push(key);
  });
  return nonces;
}

/** Checks and seals the next block. Throws `InputError` when the interval or an order is not acceptable. */
export function prepareBlock(
  state: ChainState,
  interval: Interval,
  rules: MarketRules,
  items: readonly OrderItem[],
  operator: Identity,
  options: PrepareOptions,
): { sealed: SealedBlock; nonces: string[] } {
  if (state.operator !== undefined && state.operator !== operator.publicKey) {
    throw new InputError(
      "E_KEY_INVALID",
      `this ledger's operator key is ${state.operator}, but the operator key given is ${operator.publicKey}`,
    );
  }
  if (interval.startMs < state.lastIntervalEndMs) {
    throw new InputError(
      "E_INPUT",
      `interval.start: expected ${formatInstant(state.lastIntervalEndMs)} or later (the ledger's last interval ends then), received ${formatInstant(interval.startMs)}`,
    );
  }
  const nonces = checkOrderItems(interval, items, options);
  const cleared = clearBlockMarket(interval, rules, items);
  if ("problem" in cleared) throw new InputError("E_ORDER_INVALID", cleared.problem);
  return { sealed: sealBlock(state, interval, rules, items, cleared, operator), nonces };
}

/** The signature checks of an interval's signed orders, for checking in a batch. */
export function orderSignatureTasks(items: readonly OrderItem[]): SignatureTask[] {
  const tasks: SignatureTask[] = [];
  for (const item of items) {
    if (item.kind !== "signed") continue;
    const e = item.envelope;
    tasks.push({ publicKey: e.public_key, message: orderSigningBytes(e), signature: e.signature });
  }
  return tasks;
}
