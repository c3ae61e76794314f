/**
 * The ledger on disk: one append-only log file and one published head pointer.
 *
 *   <dir>/ledger.log   "GSLEDGER", format version (u32 LE), 4 zero bytes; then one record per
 *                      block: payload length (u32 LE), CRC-32 of the payload (u32 LE), payload
 *                      (the block's canonical JSON, UTF-8).
 *   <dir>/HEAD         canonical JSON + "\n": { format, head_hash, height, log_bytes, tree_size },
 *                      replaced atomically (write, fsync, rename, fsync the directory).
 *
 * Lifecycle of a block: sequenced (its record is written to the log), durable (the log is
 * fsynced), published (HEAD names it: acknowledged). Appends are group-committed: any number of
 * blocks are written, then one fsync, then one HEAD update. Only what HEAD covers is
 * acknowledged. On opening for append, bytes after the acknowledged end are an interrupted
 * append: complete records that link to the chain are kept and published, a torn record and
 * anything after it is dropped (and reported). Damage inside the acknowledged part is never
 * repaired: it is a verification failure.
 */
import { closeSync, constants, fsyncSync, openSync, writeSync } from "node:fs";
import { mkdir, open, readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { InputError, VerificationError } from "../core/errors.js";
import {
  type BlockHead,
  blockPayload,
  type ChainState,
  GENESIS_PREV_HASH,
  headHash,
  LEDGER_FORMAT,
  type SealedBlock,
} from "../ledger/block.js";
import { parsePayload, replayChain } from "../ledger/replay.js";

export const LOG_FILE = "ledger.log";
export const HEAD_FILE = "HEAD";
/** Where a ledger created without --operator-key keeps its operator key. */
export const OPERATOR_KEY_FILE = "operator.key";
const MAGIC = Buffer.from("GSLEDGER", "ascii");
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 16;
const FRAME_BYTES = 8;
const WRITE_CHUNK = 1 << 16;

export interface HeadPointer {
  readonly format: string;
  readonly head_hash: string;
  /** Height of the last acknowledged block (-1: none). */
  readonly height: number;
  /** Length of the acknowledged part of ledger.log, bytes. */
  readonly log_bytes: number;
  readonly tree_size: number;
}

const pointerSchema = z.strictObject({
  format: z.literal(LEDGER_FORMAT),
  head_hash: z.string().regex(/^[0-9a-f]{64}$/),
  height: z.number().int().min(-1),
  log_bytes: z.number().int().min(HEADER_BYTES),
  tree_size: z.number().int().nonnegative(),
});

export interface StoredRecord {
  /** Byte offset of the record's frame in ledger.log. */
  readonly offset: number;
  readonly payload: string;
}

/** What a read-only scan finds. */
export interface LedgerScan {
  readonly dir: string;
  /** Records HEAD covers, height 0 first. */
  readonly acknowledged: readonly StoredRecord[];
  /** Complete records after the acknowledged end (an append that was not yet published). */
  readonly pending: readonly StoredRecord[];
  readonly pointer: HeadPointer;
  /** Bytes after the last complete record: a torn, unacknowledged append. */
  readonly tornTail: { readonly offset: number; readonly bytes: number } | undefined;
  readonly logBytes: number;
}

function header(): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32LE(FORMAT_VERSION, 8);
  return h;
}

function damage(dir: string, what: string, height?: number): VerificationError {
  const where = height === undefined ? "" : `block ${height}: `;
  return new VerificationError("E_LEDGER_TAMPERED", `${dir}: ${where}${what}`, {
    details: height === undefined ? { dir } : { dir, height },
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function pointerText(p: HeadPointer): string {
  return `${canonicalize(p)}\n`;
}

function emptyPointer(): HeadPointer {
  return {
    format: LEDGER_FORMAT,
    head_hash: GENESIS_PREV_HASH,
    height: -1,
    log_bytes: HEADER_BYTES,
    tree_size: 0,
  };
}

/** Reads HEAD exactly: any change of a byte, even whitespace, is damage. */
function parsePointer(dir: string, text: string): HeadPointer {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damage(dir, "HEAD is not valid JSON (damaged)");
  }
  const parsed = pointerSchema.safeParse(raw);
  if (!parsed.success || pointerText(parsed.data) !== text)
    throw damage(dir, "HEAD is damaged (not the exact published form)");
  return parsed.data;
}

/**
 * Reads a ledger without changing it. Throws `InputError` (E_LEDGER_NOT_FOUND) when `dir` holds
 * no ledger, and `VerificationError` for damage in the acknowledged part.
 */
export async function scanLedger(dir: string): Promise<LedgerScan> {
  const logPath = join(dir, LOG_FILE);
  const headPath = join(dir, HEAD_FILE);
  const [hasLog, hasHead] = await Promise.all([exists(logPath), exists(headPath)]);
  if (!hasLog && !hasHead) {
    throw new InputError(
      "E_LEDGER_NOT_FOUND",
      `${dir}: no ledger here (expected ${LOG_FILE} and ${HEAD_FILE})`,
      { details: { dir } },
    );
  }
  if (!hasLog) throw damage(dir, `${LOG_FILE} is missing but ${HEAD_FILE} exists`);
  const log = await readFile(logPath);
  const head = hasHead ? await readFile(headPath, "utf8") : undefined;
  return parseLedgerFiles(dir, log, head);
}

/** The scan of a ledger's two files, given their contents (`head` undefined when HEAD is absent). */
export function parseLedgerFiles(
  dir: string,
  log: Buffer,
  headText: string | undefined,
): LedgerScan {
  const pointer = headText === undefined ? undefined : parsePointer(dir, headText);
  if (log.length < HEADER_BYTES) {
    if (pointer) throw damage(dir, `${LOG_FILE} is truncated inside its header`);
    // An interrupted creation: nothing was ever acknowledged.
    return {
      dir,
      acknowledged: [],
      pending: [],
      pointer: emptyPointer(),
      tornTail: log.length > 0 ? { offset: 0, bytes: log.length } : undefined,
      logBytes: log.length,
    };
  }
  if (!log.subarray(0, 8).equals(MAGIC)) {
    throw damage(dir, `${LOG_FILE} does not start with the ledger signature (damaged header)`);
  }
  const version = log.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw damage(
      dir,
      `${LOG_FILE} has format version ${version}; this gridshare reads version ${FORMAT_VERSION} (damaged header, or a newer gridshare wrote it)`,
    );
  }
  if (log.readUInt32LE(12) !== 0) {
    throw damage(dir, `${LOG_FILE} header has non-zero reserved bytes (damaged header)`);
  }
  const p = pointer ?? emptyPointer();
  if (p.log_bytes > log.length) {
    throw damage(
      dir,
      `HEAD covers ${p.log_bytes} bytes but ${LOG_FILE} has only ${log.length} (acknowledged blocks are missing)`,
    );
  }

  const acknowledged: StoredRecord[] = [];
  const pending: StoredRecord[] = [];
  let offset = HEADER_BYTES;
  let tornTail: LedgerScan["tornTail"];
  while (offset < log.length) {
    const inAck = offset < p.log_bytes;
    const height = acknowledged.length + pending.length;
    if (log.length - offset < FRAME_BYTES) {
      if (inAck) throw damage(dir, "record frame cut short inside the acknowledged part", height);
      tornTail = { offset, bytes: log.length - offset };
      break;
    }
    const len = log.readUInt32LE(offset);
    const crc = log.readUInt32LE(offset + 4);
    const end = offset + FRAME_BYTES + len;
    if (end > log.length) {
      if (inAck)
        throw damage(dir, "record length runs past the end of the file (damaged length)", height);
      tornTail = { offset, bytes: log.length - offset };
      break;
    }
    if (inAck && end > p.log_bytes)
      throw damage(dir, "record straddles the acknowledged end (damaged length or HEAD)", height);
    const payloadBytes = log.subarray(offset + FRAME_BYTES, end);
    if (crc32(payloadBytes) !== crc) {
      if (inAck) throw damage(dir, "checksum mismatch (bytes were changed)", height);
      tornTail = { offset, bytes: log.length - offset };
      break;
    }
    const record = { offset, payload: payloadBytes.toString("utf8") };
    if (inAck) acknowledged.push(record);
    else pending.push(record);
    offset = end;
  }
  if (acknowledged.length !== p.height + 1) {
    throw damage(
      dir,
      `HEAD says ${p.height + 1} blocks are acknowledged but the log holds ${acknowledged.length} there`,
    );
  }
  const last = acknowledged[acknowledged.length - 1];
  if (last !== undefined) {
    const parsed = parsePayload(last.payload);
    if (parsed === undefined) throw damage(dir, "the stored block is not valid JSON", p.height);
    if (headHash(parsed.head) !== p.head_hash || parsed.head.tree_size !== p.tree_size) {
      throw damage(
        dir,
        "HEAD does not name this block's head (HEAD or the block was changed)",
        p.height,
      );
    }
  } else if (p.head_hash !== GENESIS_PREV_HASH || p.tree_size !== 0) {
    throw damage(dir, "HEAD names a head but the log holds no block");
  }
  return { dir, acknowledged, pending, pointer: p, tornTail, logBytes: log.length };
}

/** What opening for append found and repaired. */
export interface Recovery {
  /** Complete blocks that were written but not published, now published. */
  readonly publishedBlocks: number;
  /** Bytes of a torn append that were dropped. */
  readonly droppedBytes: number;
  /** Complete but unlinkable records dropped with the torn tail. */
  readonly droppedBlocks: number;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function publish(dir: string, pointer: HeadPointer): Promise<void> {
  const tmp = join(dir, `${HEAD_FILE}.tmp`);
  const fh = await open(tmp, "w", 0o644);
  try {
    await fh.writeFile(pointerText(pointer));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, HEAD_FILE));
  fsyncDir(dir);
}

/**
 * An open ledger that blocks are appended to. Not safe for two writers at once.
 */
export class LedgerWriter {
  private fd: number;
  private pendingFrames: Buffer[] = [];
  private pendingBytes = 0;
  private pendingBlocks = 0;
  private logBytes: number;
  private published: HeadPointer;

  private constructor(
    readonly dir: string,
    fd: number,
    logBytes: number,
    published: HeadPointer,
    private chain: ChainState,
    private readonly usedNonces: Set<string>,
    readonly heads: BlockHead[],
    readonly recovery: Recovery,
  ) {
    this.fd = fd;
    this.logBytes = logBytes;
    this.published = published;
  }

  /**
   * Opens `dir` for appending, creating an empty ledger when `dir` holds none (and `create` is
   * set). Recovers an interrupted append first.
   */
  static async open(dir: string, options: { create: boolean }): Promise<LedgerWriter> {
    const logPath = join(dir, LOG_FILE);
    if (!(await exists(logPath)) && !(await exists(join(dir, HEAD_FILE)))) {
      if (!options.create) await scanLedger(dir); // throws the not-found error
      await mkdir(dir, { recursive: true });
      const fh = await open(logPath, "w", 0o644);
      try {
        await fh.writeFile(header());
        await fh.sync();
      } finally {
        await fh.close();
      }
      fsyncDir(dir);
      await publish(dir, emptyPointer());
    }
    const scan = await scanLedger(dir);
    let logBytes = scan.pointer.log_bytes;
    let publishedBlocks = 0;
    let droppedBlocks = 0;
    const all = [...scan.acknowledged, ...scan.pending];
    const replay = replayChain(all.map((r) => r.payload));
    if (replay.accepted < scan.acknowledged.length) {
      throw damage(
        dir,
        "the acknowledged blocks do not form a chain (verifying the ledger names the first bad block)",
        replay.accepted,
      );
    }
    // Pending records: keep those that extend the chain.
    publishedBlocks = replay.accepted - scan.acknowledged.length;
    droppedBlocks = all.length - replay.accepted;
    const keptEnd =
      replay.accepted === 0
        ? HEADER_BYTES
        : (() => {
            const r = all[replay.accepted - 1] as StoredRecord;
            return r.offset + FRAME_BYTES + Buffer.byteLength(r.payload, "utf8");
          })();
    const physical = scan.logBytes;
    if (physical < HEADER_BYTES) {
      // torn creation: rewrite the header
      await writeFile(logPath, header());
      logBytes = HEADER_BYTES;
    } else {
      logBytes = Math.max(keptEnd, scan.pointer.log_bytes);
      if (physical > logBytes) await truncate(logPath, logBytes);
    }
    const droppedBytes = Math.max(0, physical - logBytes);
    const fd = openSync(logPath, "r+");
    if (droppedBytes > 0) fsyncSync(fd);
    const lastHead = replay.heads[replay.heads.length - 1];
    const pointer: HeadPointer = lastHead
      ? {
          format: LEDGER_FORMAT,
          head_hash: replay.state.headHash,
          height: lastHead.height,
          log_bytes: logBytes,
          tree_size: lastHead.tree_size,
        }
      : emptyPointer();
    if (canonicalize(pointer) !== canonicalize(scan.pointer)) await publish(dir, pointer);
    return new LedgerWriter(dir, fd, logBytes, pointer, replay.state, replay.nonces, replay.heads, {
      publishedBlocks,
      droppedBytes,
      droppedBlocks,
    });
  }

  /** Chain state after every block appended so far (published or not). */
  get state(): ChainState {
    return this.chain;
  }

  /** The last published (acknowledged) pointer. */
  get head(): HeadPointer {
    return this.published;
  }

  /** True when a signed order with this (public key, nonce) is already in the ledger. */
  hasNonce(key: string): boolean {
    return this.usedNonces.has(key);
  }

  /** Sequences a sealed block: buffered until the next `flush`. */
  append(sealed: SealedBlock, nonces: readonly string[] = []): void {
    const payload = Buffer.from(blockPayload(sealed.block), "utf8");
    const frame = Buffer.allocUnsafe(FRAME_BYTES);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    this.pendingFrames.push(frame, payload);
    this.pendingBytes += FRAME_BYTES + payload.length;
    this.pendingBlocks++;
    this.chain = sealed.next;
    this.heads.push(sealed.block.head);
    for (const n of nonces) this.usedNonces.add(n);
  }

  /** Bytes sequenced but not yet durable. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Writes what is buffered, fsyncs, then publishes HEAD: the blocks are acknowledged. */
  async flush(): Promise<void> {
    if (this.pendingBlocks === 0) return;
    const data = Buffer.concat(this.pendingFrames, this.pendingBytes);
    this.pendingFrames = [];
    // Large batches go out in chunks; a crash between chunks leaves a torn tail that the next
    // open drops (nothing in it was acknowledged).
    let written = 0;
    while (written < data.length) {
      const n = Math.min(WRITE_CHUNK, data.length - written);
      written += writeSync(this.fd, data, written, n, this.logBytes + written);
    }
    fsyncSync(this.fd);
    this.logBytes += data.length;
    this.pendingBytes = 0;
    this.pendingBlocks = 0;
    const last = this.heads[this.heads.length - 1] as BlockHead;
    const pointer: HeadPointer = {
      format: LEDGER_FORMAT,
      head_hash: this.chain.headHash,
      height: last.height,
      log_bytes: this.logBytes,
      tree_size: last.tree_size,
    };
    await publish(this.dir, pointer);
    this.published = pointer;
  }

  /** Flushes and closes; closing again does nothing. */
  async close(): Promise<void> {
    if (this.fd < 0) return;
    await this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** True when `dir` holds a ledger (or the remains of one). */
export async function ledgerExists(dir: string): Promise<boolean> {
  return (await exists(join(dir, LOG_FILE))) || (await exists(join(dir, HEAD_FILE)));
}

/** What opening a writer repaired, in words ("" when nothing). */
export function describeRecovery(dir: string, r: Recovery): string {
  const parts: string[] = [];
  if (r.publishedBlocks > 0)
    parts.push(
      `published ${r.publishedBlocks} complete block(s) an interrupted append had written`,
    );
  if (r.droppedBytes > 0) {
    parts.push(
      `dropped ${r.droppedBytes} bytes of a torn, unacknowledged append${r.droppedBlocks > 0 ? ` (${r.droppedBlocks} block(s))` : ""}`,
    );
  }
  return parts.length === 0 ? "" : `recovered ${dir}: ${parts.join("; ")}\n`;
}
