/**
 * Worker thread: checks batches of Ed25519 signatures. Receives one packed buffer per batch
 * (see signaturePool.ts) and answers with one byte per signature (1 valid, 0 not).
 */
import { parentPort } from "node:worker_threads";
import { verifyMessage } from "../ledger/keys.js";

interface Batch {
  id: number;
  keys: string[];
  signatures: string[];
  messages: Uint8Array;
  offsets: Uint32Array;
}

parentPort?.on("message", (batch: Batch) => {
  const n = batch.keys.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const msg = batch.messages.subarray(batch.offsets[i] as number, batch.offsets[i + 1] as number);
    out[i] = verifyMessage(batch.keys[i] as string, msg, batch.signatures[i] as string) ? 1 : 0;
  }
  parentPort?.postMessage({ id: batch.id, out }, [out.buffer]);
});
