/**
 * Gate closure of one interval: its open orders, in the order they were received, cleared by the
 * same pipeline as `gridshare clear` and the simulation's ledger (ledger/clearInterval.ts), the
 * block made durable (fsync) before anything says so, then the interval and its orders marked.
 *
 * The ledger log is the truth for blocks and the database an index of it: when a crash fell
 * between the two, the block is in the log and the interval not yet marked. `reconcile` finds
 * such intervals at start and marks them from the same orders (clearing is deterministic, so the
 * statuses are the block's).
 */
import type { Interval } from "../core/time.js";
import { clearInterval } from "../ledger/clearInterval.js";
import type { Identity } from "../ledger/keys.js";
import { cancelDocumentOf } from "../ledger/registry.js";
import { summaryRecord } from "../market/records.js";
import type { SettledInterval } from "../market/settle.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import type {
  ClearedInterval,
  CommunityStore,
  OrderStatus,
  StoredOrder,
} from "../store/communityStore.js";
import type { DurableLedger } from "./durableLedger.js";
import type { RegistrySealer } from "./registrySealer.js";

export type { DurableBlock, DurableLedger } from "./durableLedger.js";

export interface GateContext {
  readonly store: CommunityStore;
  readonly ledger: DurableLedger;
  readonly blockSigner: Identity;
  readonly intervalMinutes: number;
  /** The market rules the interval starting at `intervalStartMs` clears under (communityRules.ts). */
  readonly rulesAt: (intervalStartMs: number) => MarketRulesAt;
  readonly wall: () => number;
  /**
   * Format 2's registry blocks, sealed before each clearing block; undefined for a ledger that
   * goes on in format 1 (one that began before the platform wrote format 2).
   */
  readonly registry: RegistrySealer | undefined;
}

/** What an interval clears with: the mechanism, its k (undefined: the mechanism's own), the grid's prices. */
export interface MarketRulesAt {
  readonly mechanism: Mechanism;
  readonly kPpm: number | undefined;
  readonly tariffAt: (intervalStartMs: number) => GridTariff;
}

export interface ClosedInterval {
  readonly intervalStartMs: number;
  readonly blockHeight: number | null;
  readonly orders: number;
  readonly rejected: number;
  /** Each order's status after clearing. */
  readonly statuses: ClearedInterval["statuses"];
  readonly result: SettledInterval | undefined;
  /** The block as the log holds it (canonical JSON), when one was written. */
  readonly payload: string | undefined;
}

/** Each order's status after clearing: filled, partly, not at all, or rejected at the gate. */
function statusesOf(
  orders: readonly StoredOrder[],
  decisions: readonly { status: "accepted" | "rejected" }[],
  result: SettledInterval | undefined,
): ClearedInterval["statuses"] {
  const filledWh = new Map<string, number>();
  for (const t of result?.trades ?? []) {
    filledWh.set(`b:${t.buyOrderId}`, (filledWh.get(`b:${t.buyOrderId}`) ?? 0) + t.energyWh);
    filledWh.set(`s:${t.sellOrderId}`, (filledWh.get(`s:${t.sellOrderId}`) ?? 0) + t.energyWh);
  }
  return orders.map((o, i) => {
    const filled = filledWh.get(`${o.side === "buy" ? "b" : "s"}:${o.orderId}`) ?? 0;
    const status: OrderStatus =
      decisions[i]?.status === "rejected"
        ? "rejected"
        : filled === 0
          ? "unfilled"
          : filled >= o.energyWh
            ? "filled"
            : "partially_filled";
    return { participant: o.participant, orderId: o.orderId, status };
  });
}

async function clearOrders(
  ctx: GateContext,
  startMs: number,
  orders: readonly StoredOrder[],
  append: boolean,
) {
  const interval: Interval = { startMs, minutes: ctx.intervalMinutes };
  const cancels =
    ctx.registry === undefined
      ? undefined
      : (await ctx.store.cancelsOf(startMs)).map((text) => cancelDocumentOf(text));
  const rules = ctx.rulesAt(startMs);
  return clearInterval({
    interval,
    tariff: rules.tariffAt(startMs),
    mechanism: rules.mechanism,
    ...(rules.kPpm === undefined ? {} : { kPpm: rules.kPpm }),
    items: orders.map((o) => ({
      kind: "signed" as const,
      envelope: o.envelope,
      receivedSeq: o.receivedSeq,
    })),
    ...(cancels === undefined ? {} : { format2: { cancels } }),
    // Format 2: each order signed by the key the ledger's registry binds for the interval.
    ...(ctx.registry === undefined
      ? {}
      : { boundKey: (p: string) => ctx.registry?.keyFor(p, startMs) }),
    requireSignatures: true,
    // Every signature was checked when the order was taken.
    signaturesChecked: true,
    ...(append ? { ledger: { store: ctx.ledger, operator: ctx.blockSigner } } : {}),
  });
}

/**
 * Clears the interval starting at `startMs`; an interval with no orders gets no block (its
 * cancels, of orders no block holds, are then recorded nowhere but the database). The caller
 * keeps registrations from committing meanwhile (liveCommunity.ts), so the registry sealed
 * first is the one the orders were taken under.
 */
export async function closeGate(ctx: GateContext, startMs: number): Promise<ClosedInterval> {
  await ctx.registry?.sealPending();
  const orders = await ctx.store.openOrders(startMs);
  if (orders.length === 0) {
    await ctx.store.markCleared({
      intervalStartMs: startMs,
      blockHeight: null,
      clearedMs: ctx.wall(),
      statuses: [],
      summary: null,
    });
    return {
      intervalStartMs: startMs,
      blockHeight: null,
      orders: 0,
      rejected: 0,
      statuses: [],
      result: undefined,
      payload: undefined,
    };
  }
  const outcome = await clearOrders(ctx, startMs, orders, true);
  if (outcome.status !== "cleared") throw new Error("unreachable: skip-order never refuses");
  await ctx.ledger.flush();
  const blockHeight = ctx.ledger.state.height;
  const statuses = statusesOf(orders, outcome.decisions, outcome.result);
  const marks: ClearedInterval = {
    intervalStartMs: startMs,
    blockHeight,
    clearedMs: ctx.wall(),
    statuses,
    summary: JSON.stringify(summaryRecord(outcome.result)),
  };
  const closed: ClosedInterval = {
    intervalStartMs: startMs,
    blockHeight,
    orders: orders.length,
    rejected: outcome.rejected.length,
    statuses,
    result: outcome.result,
    payload: outcome.block === undefined ? undefined : ctx.ledger.lastPayload,
  };
  try {
    await ctx.store.markCleared(marks);
  } catch (error) {
    throw new UnmarkedClosure(closed, marks, error);
  }
  return closed;
}

/**
 * A closure whose block is durable in the log but whose marks the database did not take. The
 * interval must not be cleared again (its block is the ledger's last: clearing it anew would
 * refuse, or seal a second block); `markClosed` retries the marks alone.
 */
export class UnmarkedClosure extends Error {
  constructor(
    readonly closed: ClosedInterval,
    readonly marks: ClearedInterval,
    cause: unknown,
  ) {
    super("the interval's block is durable but the database did not mark it", { cause });
  }
}

/** Marks an unmarked closure's interval and orders (unless a commit that seemed lost took). */
export async function markClosed(
  ctx: GateContext,
  unmarked: UnmarkedClosure,
): Promise<ClosedInterval> {
  if ((await ctx.store.intervalRecord(unmarked.marks.intervalStartMs)) === undefined)
    await ctx.store.markCleared(unmarked.marks);
  return unmarked.closed;
}

/**
 * Marks every interval the ledger holds a block for but the database does not know as cleared
 * (a crash between the log's fsync and the database's commit). Returns their starts.
 */
export async function reconcile(ctx: GateContext): Promise<number[]> {
  const marked: number[] = [];
  const starts = ctx.ledger.blockIntervals;
  for (let height = starts.length - 1; height >= 0; height--) {
    const startMs = starts[height];
    if (startMs === null || startMs === undefined) continue;
    if ((await ctx.store.intervalRecord(startMs)) !== undefined) break;
    const orders = await ctx.store.openOrders(startMs);
    const outcome = await clearOrders(ctx, startMs, orders, false);
    if (outcome.status !== "cleared") throw new Error("unreachable: skip-order never refuses");
    await ctx.store.markCleared({
      intervalStartMs: startMs,
      blockHeight: height,
      clearedMs: ctx.wall(),
      statuses: statusesOf(orders, outcome.decisions, outcome.result),
      summary: JSON.stringify(summaryRecord(outcome.result)),
    });
    marked.push(startMs);
  }
  return marked.reverse();
}
