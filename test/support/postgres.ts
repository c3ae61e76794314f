/**
 * A fresh PostgreSQL database for one test file, on the server that
 * `GRIDSHARE_TEST_POSTGRES_URL` names (default postgres://postgres@127.0.0.1:5432/test), dropped at the
 * end. Without a reachable server the PostgreSQL half of a suite does not run, and says so in
 * one line; under CI=true that is a failure instead.
 */
import { randomBytes } from "node:crypto";
import { after } from "node:test";
import pg from "pg";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { openPostgres } from "../../src/store/sql/postgres.js";

export const POSTGRES_BASE_URL =
  process.env.GRIDSHARE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface FreshPostgres {
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates `gs_<random>`; undefined (after one line on stderr) when no server answers. */
export async function freshPostgres(): Promise<FreshPostgres | undefined> {
  const admin = new pg.Client({
    connectionString: POSTGRES_BASE_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await admin.connect();
  } catch (error) {
    const why = `PostgreSQL at ${POSTGRES_BASE_URL} is not reachable (${(error as Error).message})`;
    if (process.env.CI === "true")
      throw new Error(`${why}; under CI=true the PostgreSQL suites must run`);
    process.stderr.write(`${why}: the PostgreSQL half of this suite did not run\n`);
    return undefined;
  }
  const name = `gs_${randomBytes(6).toString("hex")}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(POSTGRES_BASE_URL, name),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_BASE_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * For a suite run on PostgreSQL: a function that opens a fresh database per call, every one of
 * them dropped after the file's tests; undefined when no server answers (see freshPostgres).
 */
export async function postgresDatabases(): Promise<(() => Promise<SqlDatabase>) | undefined> {
  const probe = await freshPostgres();
  if (probe === undefined) return undefined;
  const created: FreshPostgres[] = [probe];
  after(async () => {
    for (const c of created) await c.drop();
  });
  return async () => {
    const fresh = await freshPostgres();
    if (fresh === undefined) throw new Error("PostgreSQL went away during the suite");
    created.push(fresh);
    return openPostgres({ url: fresh.url, poolSize: 4 });
  };
}
