/**
 * Pages of the trades tape, as `GET /v1/trades` serves it: trades in ledger order (block by
 * block, each block's in its order), at most `limit` a page, with an opaque cursor
 * (`<height>.<index>`: where the next page starts) while more follow. Without a cursor or an
 * interval, the tape starts 96 blocks before the head (`cursor=0.0` for the whole tape).
 */
import { InputError } from "../core/errors.js";
import { type AnyHead, intervalStartOf } from "../ledger/block.js";
import { type TradeExport, tradeRecords } from "../ledger/queries.js";
import type { BlockSource } from "../store/blockLog.js";

export interface TradeQuery {
  /** Only this interval's block. */
  readonly intervalStart?: string | undefined;
  readonly participant?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

export interface TradePage {
  readonly trades: TradeExport[];
  readonly next_cursor: string | null;
}

/** The tape starts this many blocks before the head when no cursor is given. */
export const RECENT_BLOCKS = 96;

function readCursor(text: string, blocks: number): { height: number; index: number } {
  const m = /^(\d+)\.(\d+)$/.exec(text);
  const height = Number(m?.[1]);
  if (m === null || height > blocks)
    throw new InputError(
      "E_INPUT",
      `cursor: expected a cursor from an earlier page's next_cursor, received ${JSON.stringify(text)}`,
      { details: { field: "cursor", expected: "<height>.<index>", received: text } },
    );
  return { height, index: Number(m[2]) };
}

export function tradePage(
  blocks: BlockSource,
  heads: readonly AnyHead[],
  q: TradeQuery,
): TradePage {
  const from =
    q.cursor !== undefined
      ? readCursor(q.cursor, blocks.length)
      : {
          height: q.intervalStart === undefined ? Math.max(0, blocks.length - RECENT_BLOCKS) : 0,
          index: 0,
        };
  const heights =
    q.intervalStart === undefined
      ? heads.map((h) => h.height)
      : heads.filter((h) => intervalStartOf(h) === q.intervalStart).map((h) => h.height);
  const trades: TradeExport[] = [];
  for (const height of heights) {
    if (height < from.height) continue;
    const all = tradeRecords([blocks.at(height) as string]);
    const first = height === from.height ? from.index : 0;
    for (let i = first; i < all.length; i++) {
      const t = all[i] as TradeExport;
      if (q.participant !== undefined && t.buyer !== q.participant && t.seller !== q.participant)
        continue;
      if (trades.length === q.limit) return { trades, next_cursor: `${height}.${i}` };
      trades.push(t);
    }
  }
  return { trades, next_cursor: null };
}
