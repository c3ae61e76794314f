/**
 * A verifiable copy of a live platform's ledger: the community's block-signing key, the
 * published head pointer and the log's bytes up to it, written as a ledger directory and then
 * verified like any other (`verifyLedger`), against the key the community names (the first
 * block's, or, after a handover of block signing, the key the chain hands over to). Where the
 * bytes come from is a port, so the use case knows nothing of HTTP.
 */
import type { SignatureChecker } from "../ledger/verify.js";
import { prepareCopyDir, writeLedgerCopy } from "../store/ledgerCopy.js";
import type { LedgerVerification } from "../store/ledgerRead.js";
import type { HeadPointer } from "../store/ledgerStore.js";
import { verifyLedger } from "./ledgerQueries.js";

/** Where a ledger is fetched from (a server's API). */
export interface LedgerSource {
  /** The community's block-signing public key (hex). */
  operatorKey(): Promise<string>;
  /** The ledger's published head pointer. */
  headPointer(): Promise<HeadPointer>;
  /** The log's first `bytes` bytes. */
  log(bytes: number): Promise<Uint8Array>;
}

export interface FetchLedgerOptions {
  readonly source: LedgerSource;
  /** The directory to write the copy into: absent or empty, unless `force`. */
  readonly dir: string;
  /** Replace the ledger files of a directory that is not empty. */
  readonly force: boolean;
  /** How signatures are checked (default: in parallel, on worker threads). */
  readonly checkSignatures?: SignatureChecker;
}

export interface FetchedLedger {
  /** The block-signing key the copy was verified against. */
  readonly operator: string;
  readonly pointer: HeadPointer;
  /** The verifier's report on the copy. */
  readonly verification: LedgerVerification;
}

/**
 * Fetches, writes and verifies the copy; throws `VerificationError` (the copy stays, for a look)
 * when it fails verification.
 */
export async function fetchLedger(options: FetchLedgerOptions): Promise<FetchedLedger> {
  const { source, dir } = options;
  await prepareCopyDir(dir, options.force);
  const operator = await source.operatorKey();
  const pointer = await source.headPointer();
  await writeLedgerCopy(dir, await source.log(pointer.log_bytes), pointer);
  const verification = await verifyLedger({
    dir,
    operator,
    ...(options.checkSignatures === undefined ? {} : { checkSignatures: options.checkSignatures }),
  });
  return { operator, pointer, verification };
}
