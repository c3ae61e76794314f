/**
 * trades.csv of a study, written while the study runs: rows are buffered and streamed to a
 * partial file, which is renamed to trades.csv whole at the end. A write that fails (a full disk,
 * a read-only folder) is kept and thrown from the run, not left to crash the process as an
 * unhandled stream error.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { csvCell } from "../core/textFormats.js";
import { TRADE_RECORD_COLUMNS, tradeRecord } from "../market/records.js";
import type { ClearedInterval } from "../sim/run.js";

export const PARTIAL_TRADES = ".trades-partial.csv";
const FLUSH_CHARS = 1 << 20;

export class TradesFile {
  private readonly stream: WriteStream;
  private buffer = "";
  private error: Error | undefined;

  constructor(private readonly out: string) {
    this.stream = createWriteStream(join(out, PARTIAL_TRADES));
    this.stream.on("error", (error) => {
      this.error ??= error;
    });
    this.stream.write(`${[...TRADE_RECORD_COLUMNS, "seller_price_per_kwh"].join(",")}\n`);
  }

  /** The interval's trades, one row each (the seller and buyer quoted as RFC 4180 needs). */
  add(c: ClearedInterval): void {
    const split = c.mechanism.splitPrices;
    for (const trade of c.result.trades) {
      const r = tradeRecord(trade, split);
      this.buffer += `${r.transaction_id},${csvCell(r.seller)},${csvCell(r.buyer)},${r.energy_amount_kwh},${r.price_per_kwh},${r.timestamp},${r.status},${r.seller_price_per_kwh ?? ""}\n`;
    }
    if (this.error) throw this.error;
    if (this.buffer.length > FLUSH_CHARS) {
      this.stream.write(this.buffer);
      this.buffer = "";
    }
  }

  /** Writes what is left, closes, and renames the file to trades.csv. */
  async close(): Promise<void> {
    const stream = this.stream;
    stream.write(this.buffer);
    this.buffer = "";
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    if (this.error) throw this.error;
    await rename(join(this.out, PARTIAL_TRADES), join(this.out, "trades.csv"));
  }
}
