/**
 * `community init` as a use case: the operator's public keys resolved (hex or key files), the
 * starting community file built with every field at its default, and written whole, never over
 * an existing file unless asked.
 */
import { InputError } from "../core/errors.js";
import { type CommunityDocument, communityTemplate } from "../formats/communityFile.js";
import { pathExists, writeFileAtomic } from "../store/atomicFile.js";
import { resolvePublicKey } from "../store/keyFile.js";

export interface InitCommunityOptions {
  /** The admin key: 64 hex digits or a key file (private or public). */
  readonly adminKey: string;
  /** The block-signing key, likewise; absent when the admin key serves both roles. */
  readonly blockKey?: string;
  readonly out: string;
  readonly force: boolean;
  readonly id?: string;
  readonly name?: string;
  readonly timeZone?: string;
  readonly currency?: string;
}

export interface InitCommunityResult {
  readonly document: CommunityDocument;
  /** True when one key is both the admin and the block-signing key. */
  readonly oneKey: boolean;
}

/** Writes the starting community file to `options.out`; throws `E_FILE_EXISTS` if one is there. */
export async function initCommunity(options: InitCommunityOptions): Promise<InitCommunityResult> {
  const adminPublicKey = await resolvePublicKey(options.adminKey);
  const blockSigningPublicKey =
    options.blockKey === undefined ? adminPublicKey : await resolvePublicKey(options.blockKey);
  const document = communityTemplate(
    {
      adminPublicKey,
      blockSigningPublicKey,
      ...(options.id === undefined ? {} : { id: options.id }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      ...(options.currency === undefined ? {} : { currency: options.currency }),
    },
    options.out,
  );
  if (!options.force && (await pathExists(options.out)))
    throw new InputError(
      "E_FILE_EXISTS",
      `cannot write community file ${options.out}: it already exists`,
      { details: { path: options.out } },
    );
  await writeFileAtomic(options.out, `${JSON.stringify(document, null, 2)}\n`);
  return { document, oneKey: adminPublicKey === blockSigningPublicKey };
}
