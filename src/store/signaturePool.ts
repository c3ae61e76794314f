/**
 * Signature checking spread over worker threads. The workers start on first use and stay
 * (unreferenced, so they never keep a process alive); a batch is split into one chunk per
 * worker, each chunk packed into one transferable buffer.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import {
  checkSignaturesInline,
  type SignatureChecker,
  type SignatureTask,
} from "../ledger/verify.js";
import { startWorker } from "../runtime/startWorker.js";

/** Below this many signatures the workers cost more than they save. */
const PARALLEL_THRESHOLD = 256;

function pack(tasks: readonly SignatureTask[]) {
  const offsets = new Uint32Array(tasks.length + 1);
  let total = 0;
  for (let i = 0; i < tasks.length; i++) {
    offsets[i] = total;
    total += (tasks[i] as SignatureTask).message.length;
  }
  offsets[tasks.length] = total;
  const messages = new Uint8Array(total);
  for (let i = 0; i < tasks.length; i++)
    messages.set((tasks[i] as SignatureTask).message, offsets[i] as number);
  return {
    keys: tasks.map((t) => t.publicKey),
    signatures: tasks.map((t) => t.signature),
    messages,
    offsets,
  };
}

interface Pending {
  resolve: (out: Uint8Array) => void;
  reject: (error: unknown) => void;
}

class PooledWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor() {
    this.worker = startWorker(new URL("./signatureWorker.js", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: { id: number; out: Uint8Array }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.resolve(msg.out);
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  check(tasks: readonly SignatureTask[]): Promise<Uint8Array> {
    const id = this.next++;
    const packed = pack(tasks);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive while an answer is due
      this.worker.postMessage({ id, ...packed }, [packed.messages.buffer, packed.offsets.buffer]);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

const pools = new Map<number, PooledWorker[]>();

function workers(threads: number): PooledWorker[] {
  let pool = pools.get(threads);
  if (pool === undefined) {
    pool = Array.from({ length: threads }, () => new PooledWorker());
    pools.set(threads, pool);
  }
  return pool;
}

/** A checker that spreads large batches over `threads` workers (one per core by default). */
export function parallelSignatureChecker(threads = availableParallelism()): SignatureChecker {
  return async (tasks) => {
    if (tasks.length < PARALLEL_THRESHOLD || threads <= 1) return checkSignaturesInline(tasks);
    const pool = workers(threads);
    const n = Math.min(threads, Math.ceil(tasks.length / PARALLEL_THRESHOLD));
    const size = Math.ceil(tasks.length / n);
    const parts = await Promise.all(
      Array.from({ length: n }, (_, w) =>
        (pool[w] as PooledWorker).check(tasks.slice(w * size, (w + 1) * size)),
      ),
    );
    const out = new Uint8Array(tasks.length);
    parts.forEach((part, w) => {
      out.set(part, w * size);
    });
    return out;
  };
}

/** Stops every pooled worker (tests; processes exit without it). */
export async function closeSignatureWorkers(): Promise<void> {
  const all = [...pools.values()].flat();
  pools.clear();
  await Promise.all(all.map((w) => w.terminate()));
}
