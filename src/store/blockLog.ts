/**
 * The acknowledged blocks of a ledger, read from its log by height: only each block's offset is
 * kept in memory (and the last few blocks read), so a server that runs for years does not hold
 * its whole ledger. The log is append-only and a block is only told here once it is durable, so
 * the bytes read never change under the reader.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { FRAME_BYTES, HEADER_BYTES, LOG_FILE, type StoredRecord } from "./ledgerStore.js";

/** Blocks kept after they are read: the recent ones, which the API asks for most. */
const CACHED_BLOCKS = 64;

/** Blocks by height, as a read-only list. */
export interface BlockSource {
  readonly length: number;
  /** The block at `height` as the log holds it (canonical JSON), undefined past the end. */
  at(height: number): string | undefined;
}

export class BlockLog implements BlockSource {
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly recent = new Map<number, string>();
  private fd: number | undefined;

  /** The log in `dir`, whose acknowledged records are `records` (from a scan). */
  constructor(
    private readonly dir: string,
    records: readonly StoredRecord[],
  ) {
    for (const r of records) {
      this.offsets.push(r.offset);
      this.lengths.push(Buffer.byteLength(r.payload, "utf8"));
    }
  }

  get length(): number {
    return this.offsets.length;
  }

  /** Tells of the next block, durable in the log right after the last one. */
  appended(payload: string): void {
    const n = this.offsets.length;
    const offset =
      n === 0
        ? HEADER_BYTES
        : (this.offsets[n - 1] as number) + FRAME_BYTES + (this.lengths[n - 1] as number);
    this.offsets.push(offset);
    this.lengths.push(Buffer.byteLength(payload, "utf8"));
    this.remember(n, payload);
  }

  at(height: number): string | undefined {
    if (!Number.isInteger(height) || height < 0 || height >= this.offsets.length) return undefined;
    const cached = this.recent.get(height);
    if (cached !== undefined) return cached;
    this.fd ??= openSync(join(this.dir, LOG_FILE), "r");
    const length = this.lengths[height] as number;
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length)
      read += readSync(
        this.fd,
        buffer,
        read,
        length - read,
        (this.offsets[height] as number) + FRAME_BYTES + read,
      );
    const payload = buffer.toString("utf8");
    this.remember(height, payload);
    return payload;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private remember(height: number, payload: string): void {
    this.recent.delete(height);
    this.recent.set(height, payload);
    if (this.recent.size > CACHED_BLOCKS) {
      const oldest = this.recent.keys().next().value as number;
      this.recent.delete(oldest);
    }
  }
}
