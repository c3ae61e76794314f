/**
 * Backup and restore of a live platform's data directory (docs/platform.md, "Backup and
 * restore"): each community's ledger log up to its published head, the head, and every row of
 * the database, community documents included, at one consistent point (the data directory's
 * lock is held, so no server writes meanwhile). A restore never moves a ledger behind a head it
 * already published, nor onto other blocks at the same heights: either would be a fork, and is
 * refused before anything is written.
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { formatInstant } from "../core/time.js";
import { pathExists, writeFileAtomic } from "../store/atomicFile.js";
import { type DataDirLock, lockDataDir } from "../store/dataDirLock.js";
import { writeLedgerCopy } from "../store/ledgerCopy.js";
import {
  HEAD_FILE,
  type HeadPointer,
  LOG_FILE,
  ledgerExists,
  parseLedgerFiles,
  scanLedger,
} from "../store/ledgerStore.js";
import type { SqlDatabase } from "../store/sql/database.js";
import { SCHEMA_VERSION } from "../store/sql/migrations.js";
import { openDatabase } from "../store/sql/open.js";
import { dumpTables, loadTables, type TableDump } from "../store/sql/tableDump.js";

export const BACKUP_FORMAT = "gridshare-backup/1";

export interface StoreLocation {
  readonly dataDir: string;
  /** PostgreSQL (DATABASE_URL), or the embedded database in the data directory. */
  readonly databaseUrl?: string | undefined;
}

export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  readonly communities: readonly { readonly id: string; readonly height: number }[];
  readonly rows: number;
}

const backupSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  created_at: z.string(),
  schema_version: z.number().int().positive(),
  ledgers: z.record(z.string(), z.strictObject({ head: z.string(), log: z.string() })),
  tables: z.record(
    z.string(),
    z.strictObject({ columns: z.array(z.string()), rows: z.array(z.array(z.unknown())) }),
  ),
});

type BackupDocument = z.infer<typeof backupSchema>;

/** Opens the database with the data directory locked, runs `work`, and closes both. */
async function withStore<T>(at: StoreLocation, work: (db: SqlDatabase) => Promise<T>): Promise<T> {
  // The embedded database takes the lock itself; with PostgreSQL the log is still the directory's.
  const lock: DataDirLock | undefined =
    at.databaseUrl === undefined ? undefined : await lockDataDir(at.dataDir);
  try {
    const { db } = await openDatabase({ databaseUrl: at.databaseUrl, dataDir: at.dataDir });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  } finally {
    await lock?.release();
  }
}

async function ledgerIds(dataDir: string): Promise<string[]> {
  const root = join(dataDir, "ledger");
  if (!(await pathExists(root))) return [];
  return (await readdir(root)).filter((name) => !name.startsWith(".")).sort();
}

/** Writes a backup of the data directory (and its database) to `out`. */
export async function backup(
  at: StoreLocation,
  out: string,
  force: boolean,
): Promise<BackupSummary> {
  if (!force && (await pathExists(out)))
    throw new InputError("E_FILE_EXISTS", `${out} exists; choose another --out or pass --force`, {
      details: { path: out },
    });
  if (!(await pathExists(at.dataDir)))
    throw new InputError("E_FILE", `${at.dataDir}: no such data directory`, {
      details: { path: at.dataDir },
    });
  const document = await withStore(at, async (db) => {
    const ledgers: BackupDocument["ledgers"] = {};
    for (const id of await ledgerIds(at.dataDir)) {
      const dir = join(at.dataDir, "ledger", id);
      if (!(await ledgerExists(dir))) continue;
      const scan = await scanLedger(dir);
      const log = (await readFile(join(dir, LOG_FILE))).subarray(0, scan.pointer.log_bytes);
      ledgers[id] = {
        head: await readFile(join(dir, HEAD_FILE), "utf8"),
        log: Buffer.from(log).toString("base64"),
      };
    }
    const tables = await dumpTables(db);
    return {
      format: BACKUP_FORMAT,
      created_at: formatInstant(Date.now()),
      schema_version: SCHEMA_VERSION,
      ledgers,
      tables: tables as BackupDocument["tables"],
    } satisfies BackupDocument;
  });
  const bytes = gzipSync(JSON.stringify(document));
  await writeFileAtomic(out, bytes);
  return {
    file: out,
    bytes: bytes.length,
    communities: Object.entries(document.ledgers).map(([id, l]) => ({
      id,
      height: (JSON.parse(l.head) as HeadPointer).height,
    })),
    rows: Object.values(document.tables).reduce((n, t) => n + t.rows.length, 0),
  };
}

function invalid(file: string, why: string): InputError {
  return new InputError("E_BACKUP_INVALID", `${file}: ${why}`, { details: { path: file } });
}

/** Reads and checks a backup file: its format, its schema, and each ledger whole. */
async function readBackup(file: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(gunzipSync(await readFile(file)).toString("utf8"));
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT")
      throw new InputError("E_FILE", `${file}: no such file`, { details: { path: file } });
    throw invalid(file, "not a gridshare backup (expected gzip-compressed JSON)");
  }
  const parsed = backupSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, `not a ${BACKUP_FORMAT} file`);
  const doc = parsed.data;
  if (doc.schema_version > SCHEMA_VERSION)
    throw new InputError(
      "E_STORE_SCHEMA_NEWER",
      `${file} holds schema version ${doc.schema_version}, newer than this program's ${SCHEMA_VERSION}: restore it with a newer gridshare`,
    );
  const ledgers = Object.entries(doc.ledgers).map(([id, l]) => {
    const log = Buffer.from(l.log, "base64");
    const scan = parseLedgerFiles(`${file} (ledger ${id})`, log, l.head);
    return { id, log, head: scan.pointer, blocks: scan.acknowledged.length };
  });
  return { doc, ledgers };
}

/** Refuses a restore that would move `dir`'s ledger behind, or beside, what it published. */
async function checkNoFork(
  dir: string,
  id: string,
  restored: { log: Buffer; head: HeadPointer },
): Promise<void> {
  if (!(await ledgerExists(dir))) return;
  const current = await scanLedger(dir);
  const fork = (why: string) =>
    new InputError(
      "E_RESTORE_FORK",
      `community ${id}: ${why}; restoring would fork its ledger, so nothing was restored`,
      { details: { community: id, published_height: current.pointer.height } },
    );
  if (current.pointer.height > restored.head.height)
    throw fork(
      `the data directory has published block ${current.pointer.height}, the backup ends at ${restored.head.height}`,
    );
  const mine = (await readFile(join(dir, LOG_FILE))).subarray(0, current.pointer.log_bytes);
  if (!restored.log.subarray(0, mine.length).equals(mine))
    throw fork("the backup's blocks differ from those the data directory published");
}

async function checkDatabase(db: SqlDatabase, id: string, height: number): Promise<void> {
  const rows = await db.query<{ height: number | null }>(
    "select max(block_height) as height from intervals where community_id = $1",
    [id],
  );
  const known = rows[0]?.height;
  if (known !== null && known !== undefined && known > height)
    throw new InputError(
      "E_RESTORE_FORK",
      `community ${id}: the database knows block ${known}, the backup ends at ${height}; restoring would fork its ledger, so nothing was restored`,
    );
}

export interface RestoreSummary {
  readonly communities: readonly { readonly id: string; readonly height: number }[];
  readonly rows: number;
  /** Community files written beside the data directory's ledgers (those not there yet). */
  readonly communityFiles: readonly string[];
}

/** Restores `file` into the data directory (and database), or refuses and changes nothing. */
export async function restore(at: StoreLocation, file: string): Promise<RestoreSummary> {
  const { doc, ledgers } = await readBackup(file);
  await mkdir(at.dataDir, { recursive: true });
  return withStore(at, async (db) => {
    for (const l of ledgers) {
      await checkNoFork(join(at.dataDir, "ledger", l.id), l.id, l);
      await checkDatabase(db, l.id, l.head.height);
    }
    // The log first: a database behind its ledger is reconciled at start, never the reverse.
    for (const l of ledgers) {
      const dir = join(at.dataDir, "ledger", l.id);
      await mkdir(dir, { recursive: true });
      await writeLedgerCopy(dir, l.log, l.head);
    }
    const communities = communityIds(doc.tables);
    await loadTables(db, doc.tables as Record<string, TableDump>, communities);
    return {
      communities: ledgers.map((l) => ({ id: l.id, height: l.head.height })),
      rows: Object.values(doc.tables).reduce((n, t) => n + t.rows.length, 0),
      communityFiles: await writeCommunityFiles(at.dataDir, doc.tables),
    };
  });
}

function communityIds(tables: BackupDocument["tables"]): string[] {
  const t = tables.communities;
  if (t === undefined) return [];
  const at = t.columns.indexOf("community_id");
  return t.rows.map((r) => String(r[at]));
}

/** Each community's document as a community file, `<data-dir>/<id>.community.json`, if absent. */
async function writeCommunityFiles(
  dataDir: string,
  tables: BackupDocument["tables"],
): Promise<string[]> {
  const t = tables.communities;
  if (t === undefined) return [];
  const [idAt, docAt] = [t.columns.indexOf("community_id"), t.columns.indexOf("document")];
  const written: string[] = [];
  for (const row of t.rows) {
    const path = join(dataDir, `${String(row[idAt])}.community.json`);
    if (await pathExists(path)) continue;
    await writeFileAtomic(path, `${JSON.stringify(JSON.parse(String(row[docAt])), null, 2)}\n`);
    written.push(path);
  }
  return written;
}
