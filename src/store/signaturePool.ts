/**
 * Signature checking spread over worker threads: a batch is split into one chunk per worker
 * (by default one worker per core), each chunk packed into one transferable buffer.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  checkSignaturesInline,
  type SignatureChecker,
  type SignatureTask,
} from "../ledger/verify.js";

/** Below this many signatures starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 512;

function workerUrl(): URL {
  // Under tsx (tests) this module is .ts, in the build it is .js; the worker is its sibling.
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./signatureWorker${ext}`, import.meta.url);
}

function pack(tasks: readonly SignatureTask[]) {
  const offsets = new Uint32Array(tasks.length + 1);
  let total = 0;
  tasks.forEach((t, i) => {
    offsets[i] = total;
    total += t.message.length;
  });
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

/** A checker that uses `threads` workers for large batches (the cores by default). */
export function parallelSignatureChecker(threads = availableParallelism()): SignatureChecker {
  return async (tasks) => {
    if (tasks.length < PARALLEL_THRESHOLD || threads <= 1) return checkSignaturesInline(tasks);
    const n = Math.min(threads, Math.ceil(tasks.length / PARALLEL_THRESHOLD));
    const size = Math.ceil(tasks.length / n);
    const out = new Uint8Array(tasks.length);
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: n }, (_, w) => {
          const chunk = tasks.slice(w * size, (w + 1) * size);
          const packed = pack(chunk);
          const worker = new Worker(workerUrl());
          workers.push(worker);
          return new Promise<void>((resolve, reject) => {
            worker.once("message", (msg: { out: Uint8Array }) => {
              out.set(msg.out, w * size);
              resolve();
            });
            worker.once("error", reject);
            worker.postMessage({ id: w, ...packed }, [
              packed.messages.buffer,
              packed.offsets.buffer,
            ]);
          });
        }),
      );
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    return out;
  };
}
