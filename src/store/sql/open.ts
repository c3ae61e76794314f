/**
 * Opens the platform's database: PostgreSQL when a URL is given (`DATABASE_URL`), else the
 * embedded PGlite in the data directory; then brings its schema up to date.
 */
import type { SqlDatabase } from "./database.js";
import { type MigrationOutcome, migrate } from "./migrations.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";

export interface OpenOptions {
  /** A `postgres://` URL; the embedded database when undefined. */
  readonly databaseUrl?: string | undefined;
  /** Where the embedded database lives (in memory when both this and the URL are undefined). */
  readonly dataDir?: string | undefined;
}

export interface OpenedDatabase {
  readonly db: SqlDatabase;
  readonly migrations: MigrationOutcome;
}

export async function openDatabase(options: OpenOptions): Promise<OpenedDatabase> {
  const db =
    options.databaseUrl !== undefined
      ? await openPostgres({ url: options.databaseUrl })
      : await openPglite({ dataDir: options.dataDir });
  try {
    return { db, migrations: await migrate(db) };
  } catch (error) {
    await db.close();
    throw error;
  }
}
