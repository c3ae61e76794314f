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
 * append: complete records that link to the chain are kept and published, a torn tail (bytes
 * that are not a complete record) is dropped (and reported). A complete record that does not
 * link, damage inside the acknowledged part, and a log with blocks but no HEAD are never
 * repaired on open: they are verification failures, and only `truncateLedgerAfter` (the repair
 * command) drops blocks.
 */
import { closeSync, constants, fsyncSync, openSync, writeSync } from "node:fs";
import { mkdir, open, readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { GridshareError, InputError, VerificationError } from "../core/errors.js";
import {
  type AnyHead,
  blockPayload,
  type ChainState,
  GENESIS_PREV_HASH,
  headHash,
  LEDGER_FORMAT,
  type SealedBlock,
} from "../ledger/block.js";
import { parsePayload, replayChain } from "../ledger/replay.js";
import { pathExists } from "./atomicFile.js";

export const LOG_FILE = "ledger.log";
export const HEAD_FILE = "HEAD";
/** Where a ledger created without --operator-key keeps its operator key. */
export const OPERATOR_KEY_FILE = "operator.key";
const MAGIC = Buffer.from("GSLEDGER", "ascii");
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 16;
export const FRAME_BYTES = 8;
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

/** HEAD's exact text: the pointer's RFC 8785 canonical JSON and a newline. */
export function pointerText(p: HeadPointer): string {
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
  const [hasLog, hasHead] = await Promise.all([pathExists(logPath), pathExists(headPath)]);
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

function checkHeader(dir: string, log: Buffer): void {
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
}

interface Records {
  readonly acknowledged: StoredRecord[];
  readonly pending: StoredRecord[];
  readonly tornTail: LedgerScan["tornTail"];
}

/**
 * The log's records after its header: those inside the acknowledged end `ackBytes` (where any
 * fault is damage), then the complete ones after it, up to the first bytes that are not a
 * complete record (a torn tail: cut short, a length of zero, or a checksum that fails).
 */
function readRecords(dir: string, log: Buffer, ackBytes: number): Records {
  const acknowledged: StoredRecord[] = [];
  const pending: StoredRecord[] = [];
  let offset = HEADER_BYTES;
  let tornTail: LedgerScan["tornTail"];
  while (offset < log.length) {
    const inAck = offset < ackBytes;
    const height = acknowledged.length + pending.length;
    const torn = (what: string): boolean => {
      if (inAck) throw damage(dir, what, height);
      tornTail = { offset, bytes: log.length - offset };
      return true;
    };
    if (log.length - offset < FRAME_BYTES) {
      torn("record frame cut short inside the acknowledged part");
      break;
    }
    const len = log.readUInt32LE(offset);
    const crc = log.readUInt32LE(offset + 4);
    const end = offset + FRAME_BYTES + len;
    // A block is never empty: zero bytes with a zero checksum are not a record.
    if (len === 0 && torn("a record of length 0 (damaged length)")) break;
    if (end > log.length && torn("record length runs past the end of the file (damaged length)"))
      break;
    if (inAck && end > ackBytes)
      throw damage(dir, "record straddles the acknowledged end (damaged length or HEAD)", height);
    const payloadBytes = log.subarray(offset + FRAME_BYTES, end);
    if (crc32(payloadBytes) !== crc && torn("checksum mismatch (bytes were changed)")) break;
    const record = { offset, payload: payloadBytes.toString("utf8") };
    if (inAck) acknowledged.push(record);
    else pending.push(record);
    offset = end;
  }
  return { acknowledged, pending, tornTail };
}

/** A log that holds bytes after its header but no HEAD: nothing says what was acknowledged. */
function headMissing(dir: string, log: Buffer): VerificationError {
  const { pending, tornTail } = readRecords(dir, log, HEADER_BYTES);
  const tail = tornTail === undefined ? "" : `, then ${tornTail.bytes} bytes that are not a block`;
  return new VerificationError(
    "E_LEDGER_HEAD_MISSING",
    `${dir}: ${HEAD_FILE} is missing, but ${LOG_FILE} holds ${pending.length} complete block(s)${tail}; with no published head nothing says which blocks were acknowledged, so none is verified, extended or dropped`,
    { details: { dir, completeBlocks: pending.length, tailBytes: tornTail?.bytes ?? 0 } },
  );
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
  checkHeader(dir, log);
  // Creation publishes an empty HEAD before any block is written: bytes after the header with
  // no HEAD mean that HEAD was lost, not that an append was interrupted.
  if (pointer === undefined && log.length > HEADER_BYTES) throw headMissing(dir, log);
  const p = pointer ?? emptyPointer();
  if (p.log_bytes > log.length) {
    throw damage(
      dir,
      `HEAD covers ${p.log_bytes} bytes but ${LOG_FILE} has only ${log.length} (acknowledged blocks are missing)`,
    );
  }
  const { acknowledged, pending, tornTail } = readRecords(dir, log, p.log_bytes);
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
}

/** What opening for append will do, decided from a read-only scan. */
interface OpenPlan {
  readonly scan: LedgerScan;
  readonly replay: ReturnType<typeof replayChain>;
  /** The log's length after recovery, bytes. */
  readonly logBytes: number;
  readonly recovery: Recovery;
}

/**
 * Decides recovery without changing anything. Complete blocks after the published head that
 * extend the chain are kept (an append interrupted before publishing); a torn tail is dropped
 * (nothing in it was acknowledged). A complete block that does not extend the chain is never
 * dropped here: that is damage, and only an explicit repair may remove it.
 */
async function planOpen(dir: string): Promise<OpenPlan> {
  const scan = await scanLedger(dir);
  const all = [...scan.acknowledged, ...scan.pending];
  const replay = replayChain(all.map((r) => r.payload));
  if (replay.accepted < scan.acknowledged.length) {
    throw damage(
      dir,
      "the acknowledged blocks do not form a chain (verifying the ledger names the first bad block)",
      replay.accepted,
    );
  }
  if (replay.accepted < all.length) {
    throw new VerificationError(
      "E_LEDGER_TAMPERED",
      `${dir}: block ${replay.accepted}: a complete block after the published head does not extend the chain; it was not written by an interrupted append, so nothing was changed`,
      { details: { dir, height: replay.accepted, repairable: true } },
    );
  }
  const last = all[all.length - 1];
  const keptEnd =
    last === undefined
      ? HEADER_BYTES
      : last.offset + FRAME_BYTES + Buffer.byteLength(last.payload, "utf8");
  const logBytes =
    scan.logBytes < HEADER_BYTES ? HEADER_BYTES : Math.max(keptEnd, scan.pointer.log_bytes);
  return {
    scan,
    replay,
    logBytes,
    recovery: {
      publishedBlocks: scan.pending.length,
      droppedBytes: Math.max(0, scan.logBytes - logBytes),
    },
  };
}

/** What appending to the ledger in `dir` would start from, read without changing anything. */
export interface LedgerView {
  readonly state: ChainState;
  /** The (public key, nonce) keys of the signed orders in the ledger. */
  readonly nonces: ReadonlySet<string>;
  /** What opening it for append will repair. */
  readonly recovery: Recovery;
  /** The scan behind it, which opening the writer with this view reuses. */
  readonly plan: OpenPlan;
}

/** The chain state an append to `dir` starts from, recovery included; writes nothing. */
export async function viewLedger(dir: string): Promise<LedgerView> {
  const plan = await planOpen(dir);
  return {
    state: plan.replay.state,
    nonces: plan.replay.nonces,
    recovery: plan.recovery,
    plan,
  };
}

/**
 * The view's plan, when the ledger's files are still as it read them (same log length, same
 * HEAD); `E_LEDGER_CHANGED` otherwise (another writer appended in between).
 */
async function stillPlanned(dir: string, view: LedgerView): Promise<OpenPlan> {
  const { scan } = view.plan;
  const logBytes = (await stat(join(dir, LOG_FILE))).size;
  const head = (await pathExists(join(dir, HEAD_FILE)))
    ? await readFile(join(dir, HEAD_FILE), "utf8")
    : undefined;
  if (logBytes !== scan.logBytes || head !== pointerText(scan.pointer))
    throw new InputError(
      "E_LEDGER_CHANGED",
      `${dir}: the ledger changed while the interval was being cleared (another writer?); nothing was appended`,
      { details: { dir } },
    );
  return view.plan;
}

/** Makes a rename or a new file in `dir` durable. */
export function fsyncDir(dir: string): void {
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
/**
 * How the writer writes the log: node:fs by default. A test passes its own to see what a full
 * disk or a failing fsync does.
 */
export interface LedgerIo {
  write(fd: number, data: Buffer, offset: number, length: number, position: number): number;
  fsync(fd: number): void;
}

const NODE_IO: LedgerIo = {
  write: (fd, data, offset, length, position) => writeSync(fd, data, offset, length, position),
  fsync: (fd) => fsyncSync(fd),
};

export class LedgerWriter {
  private fd: number;
  private io: LedgerIo = NODE_IO;
  /** Set when a write or fsync failed: what was sequenced since is lost, and nothing more is taken. */
  private failed: Error | undefined;
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
    readonly heads: AnyHead[],
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
  /**
   * With `view` (from {@link viewLedger}), its scan is reused instead of reading the ledger
   * again, provided the files have not changed since.
   */
  static async open(
    dir: string,
    options: { create: boolean; view?: LedgerView; io?: LedgerIo },
  ): Promise<LedgerWriter> {
    const logPath = join(dir, LOG_FILE);
    if (!(await pathExists(logPath)) && !(await pathExists(join(dir, HEAD_FILE)))) {
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
    const { scan, replay, logBytes, recovery } = options.view
      ? await stillPlanned(dir, options.view)
      : await planOpen(dir);
    if (scan.logBytes < HEADER_BYTES) {
      // torn creation: rewrite the header
      await writeFile(logPath, header());
    } else if (scan.logBytes > logBytes) {
      await truncate(logPath, logBytes);
    }
    const fd = openSync(logPath, "r+");
    if (recovery.droppedBytes > 0) fsyncSync(fd);
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
    const writer = new LedgerWriter(
      dir,
      fd,
      logBytes,
      pointer,
      replay.state,
      replay.nonces,
      replay.heads,
      recovery,
    );
    if (options.io !== undefined) writer.io = options.io;
    return writer;
  }

  /**
   * The write or fsync that failed, once one has: the writer then takes nothing more (its
   * sequenced blocks are lost, HEAD still names the last acknowledged one), and only reopening
   * it, once the disk is sound again, recovers.
   */
  get failure(): Error | undefined {
    return this.failed;
  }

  private refuseWhenFailed(): void {
    if (this.failed !== undefined)
      throw new GridshareError(
        "E_UNAVAILABLE",
        `the ledger log ${join(this.dir, LOG_FILE)} failed to write (${this.failed.message}): it takes no more blocks until the server is restarted`,
        { cause: this.failed },
      );
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

  /** Sequences a sealed block: buffered until the next `flush`. Returns its payload (canonical JSON). */
  append(sealed: SealedBlock, nonces: readonly string[] = []): string {
    this.refuseWhenFailed();
    const text = blockPayload(sealed.block);
    const payload = Buffer.from(text, "utf8");
    const frame = Buffer.allocUnsafe(FRAME_BYTES);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    this.pendingFrames.push(frame, payload);
    this.pendingBytes += FRAME_BYTES + payload.length;
    this.pendingBlocks++;
    this.chain = sealed.next;
    this.heads.push(sealed.block.head);
    for (const n of nonces) this.usedNonces.add(n);
    return text;
  }

  /** Bytes sequenced but not yet durable. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Writes what is buffered, fsyncs, then publishes HEAD: the blocks are acknowledged. */
  async flush(): Promise<void> {
    this.refuseWhenFailed();
    if (this.pendingBlocks === 0) return;
    const data = Buffer.concat(this.pendingFrames, this.pendingBytes);
    this.pendingFrames = [];
    // Large batches go out in chunks; a crash between chunks leaves a torn tail that the next
    // open drops (nothing in it was acknowledged).
    try {
      let written = 0;
      while (written < data.length) {
        const n = Math.min(WRITE_CHUNK, data.length - written);
        written += this.io.write(this.fd, data, written, n, this.logBytes + written);
      }
      this.io.fsync(this.fd);
    } catch (error) {
      // Writes through a descriptor name no file: say which one failed (a full disk, say).
      const e = error as NodeJS.ErrnoException;
      if (typeof e.code === "string" && e.path === undefined) e.path = join(this.dir, LOG_FILE);
      // After a failed fsync the kernel may have dropped the pages: nothing sequenced since the
      // last HEAD can be trusted, and HEAD must never be published past it.
      this.failed = error as Error;
      throw error;
    }
    this.logBytes += data.length;
    this.pendingBytes = 0;
    this.pendingBlocks = 0;
    const last = this.heads[this.heads.length - 1] as AnyHead;
    const pointer: HeadPointer = {
      format: LEDGER_FORMAT,
      head_hash: this.chain.headHash,
      height: last.height,
      log_bytes: this.logBytes,
      tree_size: last.tree_size,
    };
    try {
      await publish(this.dir, pointer);
    } catch (error) {
      // The blocks are in the log but not acknowledged; the next open publishes them.
      this.failed = error as Error;
      throw error;
    }
    this.published = pointer;
  }

  /** Flushes and closes; closing again does nothing. */
  async close(): Promise<void> {
    if (this.fd < 0) return;
    if (this.failed === undefined) await this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** True when `dir` holds a ledger (or the remains of one). */
export async function ledgerExists(dir: string): Promise<boolean> {
  return (await pathExists(join(dir, LOG_FILE))) || (await pathExists(join(dir, HEAD_FILE)));
}

/** What opening a writer repaired, in words ("" when nothing). */
export function describeRecovery(dir: string, r: Recovery): string {
  const parts: string[] = [];
  if (r.publishedBlocks > 0)
    parts.push(
      `published ${r.publishedBlocks} complete block(s) an interrupted append had written`,
    );
  if (r.droppedBytes > 0)
    parts.push(`dropped ${r.droppedBytes} bytes of a torn, unacknowledged append`);
  return parts.length === 0 ? "" : `recovered ${dir}: ${parts.join("; ")}\n`;
}

/** What a ledger holds, read for a repair: whatever HEAD says, or without one. */
export interface LedgerDiagnosis {
  readonly dir: string;
  /** HEAD's acknowledged height; "missing" or "damaged" when it cannot be read. */
  readonly head: number | "missing" | "damaged";
  /** Complete records in the log, in order. */
  readonly records: number;
  /** How many records, from the first, form a chain: heights 0 to chain - 1. */
  readonly chain: number;
  /** Heads of the blocks that form the chain. */
  readonly heads: readonly AnyHead[];
  /** Bytes after the last complete record that are not a record. */
  readonly tailBytes: number;
  readonly logBytes: number;
}

async function readDiagnosis(dir: string): Promise<LedgerDiagnosis & { ends: readonly number[] }> {
  const logPath = join(dir, LOG_FILE);
  if (!(await pathExists(logPath))) await scanLedger(dir); // names what is missing
  const log = await readFile(logPath);
  if (log.length < HEADER_BYTES) throw damage(dir, `${LOG_FILE} is truncated inside its header`);
  checkHeader(dir, log);
  let head: LedgerDiagnosis["head"] = "missing";
  if (await pathExists(join(dir, HEAD_FILE))) {
    try {
      head = parsePointer(dir, await readFile(join(dir, HEAD_FILE), "utf8")).height;
    } catch {
      head = "damaged";
    }
  }
  const { pending, tornTail } = readRecords(dir, log, HEADER_BYTES);
  const replay = replayChain(pending.map((r) => r.payload));
  const ends = pending.map((r) => r.offset + FRAME_BYTES + Buffer.byteLength(r.payload, "utf8"));
  return {
    dir,
    head,
    records: pending.length,
    chain: replay.accepted,
    heads: replay.heads,
    tailBytes: tornTail?.bytes ?? 0,
    logBytes: log.length,
    ends,
  };
}

/** Reads what a ledger holds for a repair, changing nothing. */
export async function diagnoseLedger(dir: string): Promise<LedgerDiagnosis> {
  const { ends: _ends, ...diagnosis } = await readDiagnosis(dir);
  return diagnosis;
}

/** What a repair dropped. */
export interface RepairResult {
  readonly before: LedgerDiagnosis;
  /** Blocks kept: heights 0 to `keptHeight`. */
  readonly keptHeight: number;
  /** Complete records dropped, and how many of them the old HEAD acknowledged. */
  readonly droppedBlocks: number;
  readonly droppedAcknowledged: number;
  readonly droppedBytes: number;
}

/**
 * Keeps blocks 0 to `height` (they must form a chain), drops everything after them in the log,
 * and publishes HEAD for block `height`. The explicit repair: the only operation that may drop
 * a complete block, or one that a HEAD acknowledged.
 */
export async function truncateLedgerAfter(dir: string, height: number): Promise<RepairResult> {
  const d = await readDiagnosis(dir);
  if (!Number.isSafeInteger(height) || height < 0 || height >= d.chain) {
    throw new InputError(
      "E_LEDGER_HEIGHT_OUT_OF_RANGE",
      d.chain === 0
        ? "truncate_after: no block forms a chain from the start; nothing can be kept (start a new ledger)"
        : `truncate_after: expected a height from 0 to ${d.chain - 1} (the blocks that form a chain), received ${height}`,
      { details: { field: "truncate_after", expected: `0 to ${d.chain - 1}`, received: height } },
    );
  }
  const { ends, ...before } = d;
  const end = ends[height] as number;
  const logPath = join(dir, LOG_FILE);
  await truncate(logPath, end);
  const fd = openSync(logPath, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const head = d.heads[height] as AnyHead;
  await publish(dir, {
    format: LEDGER_FORMAT,
    head_hash: headHash(head),
    height,
    log_bytes: end,
    tree_size: head.tree_size,
  });
  const acknowledged = typeof d.head === "number" ? d.head : -1;
  return {
    before,
    keptHeight: height,
    droppedBlocks: d.records - (height + 1),
    droppedAcknowledged: Math.max(0, acknowledged - height),
    droppedBytes: d.logBytes - end,
  };
}
