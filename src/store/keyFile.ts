/** Key files on disk: JSON, mode 0600, never overwritten unless asked. */

import { randomBytes } from "node:crypto";
import { chmod, open, readFile, rename, stat } from "node:fs/promises";
import { InputError } from "../core/errors.js";
import { fileReason } from "../formats/inputFile.js";
import {
  type Identity,
  identityFromSeed,
  isPublicKeyHex,
  keyFileDocument,
  parseKeyDocument,
} from "../ledger/keys.js";

async function readKeyDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError("E_KEY_INVALID", `cannot read key file ${path}: ${fileReason(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError("E_KEY_INVALID", `${path}: not a gridshare key file (not valid JSON)`);
  }
}

/** Reads a private key file (from `keys new`); `onWarning` hears of a file others may read. */
export async function readIdentity(
  path: string,
  options: { onWarning?: (message: string) => void } = {},
): Promise<Identity> {
  const mode = await stat(path).then(
    (s) => s.mode,
    () => undefined,
  );
  if (mode !== undefined && (mode & 0o077) !== 0)
    options.onWarning?.(
      `${path} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}); restrict it to its owner: chmod 600 ${path}`,
    );
  const parsed = parseKeyDocument(await readKeyDocument(path), path);
  if (parsed.identity === undefined) {
    throw new InputError(
      "E_KEY_INVALID",
      `${path} holds only a public key; a private key file (from gridshare keys new) is needed here`,
    );
  }
  return parsed.identity;
}

/** A public key given as 64 hex digits or as a key file (private or public). */
export async function resolvePublicKey(hexOrPath: string): Promise<string> {
  const t = hexOrPath.trim().toLowerCase();
  if (isPublicKeyHex(t)) return t;
  return parseKeyDocument(await readKeyDocument(hexOrPath), hexOrPath).publicKey;
}

/** A new identity from fresh randomness (not yet written anywhere). */
export function newIdentity(): Identity {
  return identityFromSeed(randomBytes(32));
}

/** Creates a new identity from fresh randomness and writes it with mode 0600. */
export async function writeNewIdentity(
  path: string,
  options: { force: boolean },
): Promise<Identity> {
  const identity = newIdentity();
  await writeIdentity(path, identity, options);
  return identity;
}

/**
 * Writes `identity` as a key file with mode 0600. Without `force`, an existing file is never
 * replaced (`E_KEY_FILE_EXISTS`); with it, the file is replaced atomically.
 */
export async function writeIdentity(
  path: string,
  identity: Identity,
  options: { force: boolean },
): Promise<void> {
  const text = `${JSON.stringify(keyFileDocument(identity), null, 2)}\n`;
  const target = options.force ? `${path}.tmp-${process.pid}` : path;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(target, "wx", 0o600);
  } catch (error) {
    const exists = (error as { code?: string }).code === "EEXIST";
    throw new InputError(
      exists ? "E_KEY_FILE_EXISTS" : "E_FILE",
      `cannot write key file ${path}: ${fileReason(error)}`,
      { details: { path } },
    );
  }
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(target, 0o600);
  if (options.force) await rename(target, path);
}
