/**
 * Continuous matching for a `cda` community: each accepted order, once committed, is matched at
 * once against its interval's book in receive order (liveBooks.ts), and its owner and the
 * owners of the orders it met learn of their fills on their private channels. What a fill
 * makes final is guarded here: an order with a fill is never cancelled, replaced, or withdrawn
 * by a suspension, so the interval's block replays to exactly the trades the book made.
 */
import { formatInstant } from "../core/time.js";
import { whToKwh } from "../core/units.js";
import type { NewOrder, RecordOutcome } from "../store/communityStore.js";
import type { LiveBooks } from "./liveBooks.js";
import type { MarketFeed } from "./marketFeed.js";
import { refuse } from "./refusals.js";

/** What recording an order answers: the store's outcome, or a replacement of a filled order. */
export type IntakeOutcome = RecordOutcome | { readonly kind: "replace_filled"; filledWh: number };

/** The refusal of a cancel or a replacement of an order that has traded. */
export function fillsAreFinal(field: string, orderId: string, filledWh: number, what: string) {
  return refuse(
    "E_CONFLICT",
    field,
    "an order without fills: in a cda interval fills are final",
    orderId,
    `order ${JSON.stringify(orderId)} has traded ${whToKwh(filledWh)} kWh and cannot be ${what}: in a continuous double auction fills are final (its remainder rests until the gate closes, then expires)`,
  );
}

/**
 * Records `batch` (one transaction per run of orders) and matches each recorded order in
 * receive order. A replacement is recorded on its own, after the orders before it matched, and
 * refused when the order it replaces has traded. Runs in the books' lane.
 */
export async function recordAndMatch(
  books: LiveBooks,
  record: (batch: readonly NewOrder[]) => Promise<RecordOutcome[]>,
  feed: MarketFeed | undefined,
  batch: readonly NewOrder[],
): Promise<IntakeOutcome[]> {
  const outcomes: IntakeOutcome[] = [];
  let run: NewOrder[] = [];
  const commit = async () => {
    if (run.length === 0) return;
    // Built before the commit: a book loaded after it would replay the run's orders too.
    for (const o of run) await books.bookOf(o.intervalStartMs);
    const got = await record(run);
    for (const [i, o] of run.entries()) match(books, feed, o, got[i] as RecordOutcome);
    outcomes.push(...got);
    run = [];
  };
  for (const o of batch) {
    if (o.replaces === undefined) {
      run.push(o);
      continue;
    }
    await commit();
    const filledWh = (await books.bookOf(o.intervalStartMs)).filledWh(o.participant, o.replaces);
    if (filledWh > 0) {
      outcomes.push({ kind: "replace_filled", filledWh });
      continue;
    }
    run.push(o);
    await commit();
  }
  await commit();
  return outcomes;
}

function match(books: LiveBooks, feed: MarketFeed | undefined, o: NewOrder, got: RecordOutcome) {
  if (got.kind !== "recorded") return;
  const start = o.intervalStartMs;
  const book = books.built(start);
  if (book === undefined) throw new Error("unreachable: the book is built before the commit");
  const replaced = got.receipt.replaced;
  if (replaced !== undefined) {
    book.withdraw(replaced);
    feed?.cancelled(start, [{ participant: o.participant, orderId: replaced }]);
  }
  const placed = book.place(o);
  feed?.accepted(
    {
      intervalStartMs: start,
      participant: o.participant,
      orderId: o.orderId,
      receivedSeq: got.receipt.received_seq,
      side: o.side,
      energyWh: o.energyWh,
      priceMicro: o.priceMicro,
    },
    placed.restingWh,
  );
  feed?.filled(start, o.orderId, placed.fills, placed.withdrawn);
}

/**
 * Refuses what would withdraw `participant`'s orders from `fromMs` on (a suspension: all; a key
 * binding: from its start; `what`, e.g. "suspend it") while one of its orders there, in an
 * interval not yet cleared, has traded: fills are final, so the interval's block must hold it.
 */
export function guardFills(
  books: LiveBooks,
  participant: string,
  what: string,
  fromMs = Number.NEGATIVE_INFINITY,
): void {
  for (const [start, book] of books.all) {
    if (start < fromMs) continue;
    const [orderId] = book.filledOrders(participant);
    if (orderId === undefined) continue;
    throw refuse(
      "E_CONFLICT",
      "document.participant",
      "a participant without fills in an interval not yet cleared",
      participant,
      `participant ${participant}'s order ${JSON.stringify(orderId)} has traded in the interval starting ${formatInstant(start)}: fills are final, so the interval's block must hold the order, and a clearing block holds only orders of participants active with that key; ${what} once that interval has cleared`,
    );
  }
}
