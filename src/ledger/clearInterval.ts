/**
 * One market interval, end to end: admit the orders (each accepted or rejected as a value),
 * clear and settle the accepted ones once, then (with a ledger) seal the interval as the next
 * block and append it. The same loop for `gridshare clear`, the live platform's gate closure and
 * the simulation's ledger; verification re-runs only the clearing (see verify.ts).
 *
 * Pure apart from the ledger port, whose `append` sequences the block; making it durable
 * (`flush`) is the caller's, so that a simulation can group-commit.
 */
import { InputError } from "../core/errors.js";
import { formatInstant, type Interval } from "../core/time.js";
import { clearMarket } from "../market/clearMarket.js";
import type { SettledInterval } from "../market/settle.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import { type Admission, admitOrders, type OrderDecision, type Rejected } from "./admission.js";
import {
  type ChainState,
  type ClearingV2,
  type MarketRules,
  marketRules,
  type OrderItem,
  type SealedBlock,
  sealBlock,
} from "./block.js";
import type { Identity } from "./keys.js";

/** The few calls the pipeline needs of a ledger: its chain state, its nonces, and appending. */
export interface LedgerPort {
  /** Chain state after every block appended so far. */
  readonly state: ChainState;
  /** True when a signed order with this (public key, nonce) is already in the ledger. */
  hasNonce(key: string): boolean;
  /** Sequences a sealed block (durable only when the store says so). */
  append(sealed: SealedBlock, nonces: readonly string[]): void;
}

export interface ClearIntervalOptions {
  readonly interval: Interval;
  readonly tariff: GridTariff;
  readonly mechanism: Mechanism;
  /** k of k-pricing in ppm; the mechanism's default when absent; ignored without k-pricing. */
  readonly kPpm?: number;
  /** The orders as given: signed by their participants, or attested by the operator. */
  readonly items: readonly OrderItem[];
  /** Refuse unsigned orders. */
  readonly requireSignatures?: boolean;
  /** Per-order signatures already checked by the caller (e.g. in parallel). */
  readonly signaturesChecked?: boolean;
  /**
   * What a rejected order does: `skip-order` (the default, a live market) clears the others;
   * `refuse-interval` clears nothing and appends nothing when any order is rejected.
   */
  readonly onRejection?: "skip-order" | "refuse-interval";
  /**
   * Seal a format-2 clearing block (as the live platform does): every item carries its
   * `receivedSeq`, the items come in that order (the market sequences them so, never by the
   * client's timestamp), and the interval's cancels are recorded after the orders. Without it,
   * a format-1 block (`clear`, `simulate`).
   */
  readonly format2?: ClearingV2;
  /**
   * Format 2: the key bound to a participant for this interval (the registry's); each signed
   * order must be signed by it. Without it, each order's participant must be its key's id.
   */
  readonly boundKey?: (participant: string) => string | undefined;
  /** Append the interval as the next block of this ledger, signed by `operator`. */
  readonly ledger?: { readonly store: LedgerPort; readonly operator: Identity };
}

interface Decided {
  /** One decision per input order, in input order. */
  readonly decisions: readonly OrderDecision[];
  readonly rejected: readonly Rejected[];
}

/** The interval cleared (and, with a ledger, appended as `block`). */
export interface ClearedOutcome extends Decided {
  readonly status: "cleared";
  readonly rules: MarketRules;
  readonly result: SettledInterval;
  /** The accepted orders as recorded, parallel to the clearing input's orders. */
  readonly items: readonly OrderItem[];
  readonly block: SealedBlock | undefined;
}

/** Nothing cleared: an order was rejected and `onRejection` is `refuse-interval`. */
export interface RefusedOutcome extends Decided {
  readonly status: "refused";
}

export type IntervalOutcome = ClearedOutcome | RefusedOutcome;

/**
 * Checks that `interval` can be the ledger's next block under `operator`. Throws `InputError`
 * (`E_LEDGER_OPERATOR_MISMATCH`, `E_LEDGER_INTERVAL_OVERLAP`): these concern the whole interval.
 */
function checkNextBlock(state: ChainState, interval: Interval, operator: Identity): void {
  if (state.operator !== undefined && state.operator !== operator.publicKey) {
    throw new InputError(
      "E_LEDGER_OPERATOR_MISMATCH",
      `this ledger's operator key is ${state.operator}, but the operator key given is ${operator.publicKey}`,
      { details: { expected: state.operator, received: operator.publicKey } },
    );
  }
  if (interval.startMs < state.lastIntervalEndMs) {
    const expected = formatInstant(state.lastIntervalEndMs);
    const received = formatInstant(interval.startMs);
    throw new InputError(
      "E_LEDGER_INTERVAL_OVERLAP",
      `interval.start: expected ${expected} or later (the ledger's last interval ends then), received ${received}`,
      { details: { field: "interval.start", expected, received } },
    );
  }
}

/** Format 2 records the receive order: each item has its stamp, and they come in that order. */
function checkReceiveOrder(items: readonly OrderItem[]): void {
  let last = -1;
  for (const item of items) {
    if (item.receivedSeq === undefined || item.receivedSeq <= last)
      throw new Error(
        "a format-2 interval needs its orders in receive order, each with receivedSeq",
      );
    last = item.receivedSeq;
  }
}

/** Admits, clears once, and (with a ledger) seals and appends one interval. */
export function clearInterval(options: ClearIntervalOptions): IntervalOutcome {
  const { interval, mechanism, ledger } = options;
  if (ledger) checkNextBlock(ledger.store.state, interval, ledger.operator);
  if (options.format2) checkReceiveOrder(options.items);
  const admission: Admission = admitOrders({
    interval,
    mechanism,
    items: options.items,
    requireSignatures: options.requireSignatures === true,
    signaturesChecked: options.signaturesChecked === true,
    ...(options.boundKey === undefined ? {} : { boundKey: options.boundKey }),
    ...(ledger ? { nonceUsed: (key: string) => ledger.store.hasNonce(key) } : {}),
  });
  const decided = { decisions: admission.decisions, rejected: admission.rejected };
  if (admission.rejected.length > 0 && options.onRejection === "refuse-interval")
    return { status: "refused", ...decided };

  const kPpm = mechanism.defaultKPpm === null ? null : (options.kPpm ?? mechanism.defaultKPpm);
  const result = clearMarket(
    {
      interval,
      grid: options.tariff,
      orders: admission.orders,
      sequence: options.format2 ? "given" : "timestamp",
    },
    kPpm === null ? { mechanism } : { mechanism, kPpm },
  );
  const rules = marketRules(mechanism, kPpm, options.tariff);
  const block = ledger
    ? appendCleared({
        store: ledger.store,
        operator: ledger.operator,
        interval,
        rules,
        items: admission.items,
        cleared: { result, mechanism },
        nonces: admission.nonces,
        ...(options.format2 ? { format2: options.format2 } : {}),
      })
    : undefined;
  return { status: "cleared", ...decided, rules, result, items: admission.items, block };
}

export interface AppendClearedOptions {
  readonly store: LedgerPort;
  readonly operator: Identity;
  readonly interval: Interval;
  readonly rules: MarketRules;
  /** The orders the market cleared, in its input order. */
  readonly items: readonly OrderItem[];
  readonly cleared: { readonly result: SettledInterval; readonly mechanism: Mechanism };
  /** The (public key, nonce) keys of the signed orders. */
  readonly nonces: readonly string[];
  /** Seal a format-2 clearing block (see {@link ClearIntervalOptions.format2}). */
  readonly format2?: ClearingV2;
}

/**
 * Seals an interval that was already admitted and cleared, and appends it: the last stage of
 * {@link clearInterval}, on its own for the simulation, whose run clears every market variant
 * and records its own one.
 */
export function appendCleared(options: AppendClearedOptions): SealedBlock {
  const sealed = sealBlock(
    options.store.state,
    options.interval,
    options.rules,
    options.items,
    options.cleared,
    options.operator,
    options.format2,
  );
  const cancelNonces = (options.format2?.cancels ?? []).map((c) => `${c.public_key}:${c.nonce}`);
  options.store.append(sealed, [...options.nonces, ...cancelNonces]);
  return sealed;
}
