/**
 * Admitting an interval's orders: each order is accepted or rejected on its own, as a value.
 * Authenticity comes first (signed when signatures are required, the signature verifies, the
 * participant is its key's (format 2: the key bound to it for the interval), not expired, the
 * nonce not used before), then the market's rules on the orders that remain (unique ids, one
 * side per participant where the mechanism prices net positions). So a forged order can never push a participant's real order out. Pure: what the
 * ledger already holds comes in as `nonceUsed`.
 */
import type { ErrorCode } from "../core/errors.js";
import { formatInstant, type Interval } from "../core/time.js";
import { checkOrders } from "../market/clearMarket.js";
import {
  namesOtherInterval,
  type OrderDocument,
  orderFromDocument,
} from "../market/orderDocument.js";
import type { Mechanism, Order } from "../market/types.js";
import { type OrderItem, orderOfItem } from "./block.js";
import {
  bindingProblem,
  envelopeProblem,
  expiryProblem,
  nonceKey,
  orderSigningBytes,
} from "./envelope.js";
import { verifyMessage } from "./keys.js";
import type { SignatureTask } from "./verify.js";

/** Why an order was refused. */
export type RejectionCode = Extract<
  ErrorCode,
  | "E_LEDGER_ORDER_UNSIGNED"
  | "E_SIGNATURE_INVALID"
  | "E_LEDGER_KEY_MISMATCH"
  | "E_LEDGER_ORDER_EXPIRED"
  | "E_LEDGER_NONCE_REPLAYED"
  | "E_LEDGER_INTERVAL_MISMATCH"
  | "E_MARKET_DUPLICATE_ID"
  | "E_MARKET_SIDE_CONFLICT"
  | "E_MARKET_INTERVAL_FULL"
>;

/** An order refused, with the field and the values that decided it. */
export interface Rejected {
  readonly status: "rejected";
  readonly code: RejectionCode;
  /** Position of the order in the interval's input. */
  readonly index: number;
  readonly orderId: string;
  /** The field that decided it, e.g. `signature`, `nonce`, `order.side`. */
  readonly field: string;
  readonly expected: string;
  readonly received: string;
  /** The reason in one sentence, in the domain's words (no edge's flags or routes). */
  readonly message: string;
}

export interface Accepted {
  readonly status: "accepted";
  readonly index: number;
  readonly orderId: string;
}

export type OrderDecision = Accepted | Rejected;

export interface AdmitOptions {
  readonly interval: Interval;
  readonly mechanism: Mechanism;
  readonly items: readonly OrderItem[];
  /** Refuse unsigned (operator-attested) orders. */
  readonly requireSignatures: boolean;
  /** True when the ledger already holds this (public key, nonce); never, without a ledger. */
  readonly nonceUsed?: (key: string) => boolean;
  /** Per-order signatures already checked by the caller (e.g. in parallel). */
  readonly signaturesChecked?: boolean;
  /**
   * Format 2: the key bound to a participant for the interval (the registry's); a signed order
   * must be signed by it. Without it, format 1's rule: the participant is its key's id.
   */
  readonly boundKey?: (participant: string) => string | undefined;
}

export interface Admission {
  /** One decision per input order, in input order. */
  readonly decisions: readonly OrderDecision[];
  readonly rejected: readonly Rejected[];
  /** The accepted orders, in input order. */
  readonly items: readonly OrderItem[];
  /** The accepted orders in the market's units, parallel to `items`. */
  readonly orders: readonly Order[];
  /** The (public key, nonce) keys of the accepted signed orders. */
  readonly nonces: readonly string[];
}

function rejection(
  index: number,
  order: OrderDocument,
  code: RejectionCode,
  field: string,
  expected: string,
  received: string,
  message: string,
): Rejected {
  return { status: "rejected", code, index, orderId: order.id, field, expected, received, message };
}

/** An order that names its delivery interval must name this one. */
function intervalMismatch(
  order: OrderDocument,
  index: number,
  interval: Interval,
): Rejected | undefined {
  if (!namesOtherInterval(order, interval.startMs)) return undefined;
  const start = formatInstant(interval.startMs);
  return rejection(
    index,
    order,
    "E_LEDGER_INTERVAL_MISMATCH",
    "order.interval_start",
    `${start} (this interval's start)`,
    String(order.interval_start),
    `the order is for the interval starting ${order.interval_start}, not ${start}`,
  );
}

/** Why an order is not authentic for this interval, or undefined when it is. */
function authenticity(
  item: OrderItem,
  index: number,
  options: AdmitOptions,
  seen: ReadonlySet<string>,
): Rejected | undefined {
  const order = orderOfItem(item);
  const wrongInterval = intervalMismatch(order, index, options.interval);
  if (item.kind !== "signed") {
    if (!options.requireSignatures) return wrongInterval;
    return rejection(
      index,
      order,
      "E_LEDGER_ORDER_UNSIGNED",
      "signature",
      "an order signed by its participant (signatures are required)",
      "an unsigned order",
      "unsigned, and signatures are required",
    );
  }
  const env = item.envelope;
  if (
    !options.signaturesChecked &&
    !verifyMessage(env.public_key, orderSigningBytes(env), env.signature)
  ) {
    return rejection(
      index,
      order,
      "E_SIGNATURE_INVALID",
      "signature",
      `a signature by ${env.public_key} over the order as given`,
      env.signature,
      "the signature does not verify (the order was changed after signing, or signed with another key)",
    );
  }
  if (wrongInterval) return wrongInterval;
  const start = options.interval.startMs;
  const problem =
    options.boundKey === undefined
      ? envelopeProblem(env, start)
      : (bindingProblem(env, options.boundKey(order.participant), start) ??
        expiryProblem(env, start));
  if (problem) {
    return rejection(
      index,
      order,
      problem.code,
      problem.field,
      problem.expected,
      problem.received,
      problem.message,
    );
  }
  const key = nonceKey(env);
  if (seen.has(key) || options.nonceUsed?.(key) === true) {
    return rejection(
      index,
      order,
      "E_LEDGER_NONCE_REPLAYED",
      "nonce",
      "a nonce this key has not used before",
      env.nonce,
      `nonce ${env.nonce} was already used by this key (a replayed order)`,
    );
  }
  return undefined;
}

/** Decides every order of an interval; see the module comment for the order of the checks. */
export function admitOrders(options: AdmitOptions): Admission {
  const decisions: OrderDecision[] = new Array(options.items.length);
  const seen = new Set<string>();
  const authentic: { item: OrderItem; index: number; order: Order }[] = [];
  options.items.forEach((item, index) => {
    const refused = authenticity(item, index, options, seen);
    if (refused) {
      decisions[index] = refused;
      return;
    }
    if (item.kind === "signed") seen.add(nonceKey(item.envelope));
    authentic.push({ item, index, order: orderFromDocument(orderOfItem(item)) });
  });

  // The market's rules, on the authentic orders only.
  const issues = checkOrders(
    { interval: options.interval, grid: NO_TARIFF, orders: authentic.map((a) => a.order) },
    options.mechanism,
  );
  const broken = new Map<number, (typeof issues)[number]>();
  for (const issue of issues) {
    const at = issue.path[1] as number;
    if (!broken.has(at)) broken.set(at, issue);
  }
  const items: OrderItem[] = [];
  const orders: Order[] = [];
  const nonces: string[] = [];
  authentic.forEach((a, k) => {
    const issue = broken.get(k);
    const doc = orderOfItem(a.item);
    if (issue !== undefined) {
      const rule = MARKET_RULES[issue.path[2] as keyof typeof MARKET_RULES] ?? MARKET_RULES.id;
      // checkOrders numbers the authentic orders; name them by their place in the input.
      const expected = issue.expected.replace(
        /orders\[(\d+)\]/g,
        (_, i: string) => `orders[${authentic[Number(i)]?.index}]`,
      );
      const received = String(issue.received);
      decisions[a.index] = rejection(
        a.index,
        doc,
        rule.code,
        rule.field,
        expected,
        received,
        `expected ${expected}, received ${JSON.stringify(received)}`,
      );
      return;
    }
    decisions[a.index] = { status: "accepted", index: a.index, orderId: doc.id };
    items.push(a.item);
    orders.push(a.order);
    if (a.item.kind === "signed") nonces.push(nonceKey(a.item.envelope));
  });
  const rejected = decisions.filter((d): d is Rejected => d.status === "rejected");
  return { decisions, rejected, items, orders, nonces };
}

/** The market rule behind each field checkOrders names. */
const MARKET_RULES = {
  id: { code: "E_MARKET_DUPLICATE_ID", field: "order.id" },
  side: { code: "E_MARKET_SIDE_CONFLICT", field: "order.side" },
  energy_kwh: { code: "E_MARKET_INTERVAL_FULL", field: "order.energy_kwh" },
} as const;

/** checkOrders reads only the orders; the tariff does not enter the order rules. */
const NO_TARIFF = { importPriceMicro: 0, exportPriceMicro: 0, networkFeeMicro: 0 } as const;

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
