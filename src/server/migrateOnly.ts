/**
 * `gridshare serve --migrate-only`: opens the database the server would (PostgreSQL when a URL is
 * given, else the embedded one in the data directory, under its lock), brings its schema up to
 * date, says what it applied, and closes it. A schema newer than this program knows is refused,
 * as at every start, and nothing changes.
 */
import { MIGRATIONS, type MigrationOutcome } from "../store/sql/migrations.js";
import { openDatabase } from "../store/sql/open.js";

export interface MigrateOnlyOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
}

/** Applies the migrations due; the outcome names each one applied. */
export async function migrateOnly(options: MigrateOnlyOptions): Promise<MigrationOutcome> {
  const { db, migrations } = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.databaseUrl === undefined ? options.dataDir : undefined,
  });
  await db.close();
  return migrations;
}

/** What `--migrate-only` prints: each migration applied, then the version. */
export function describeMigrations(outcome: MigrationOutcome, where: string): string {
  const name = (v: number) => MIGRATIONS.find((m) => m.version === v)?.name ?? "";
  const lines = outcome.applied.map((v) => `applied migration ${v}: ${name(v)}`);
  if (lines.length === 0) lines.push("nothing to apply");
  lines.push(`the schema of ${where} is at version ${outcome.version}`);
  return `${lines.join("\n")}\n`;
}
