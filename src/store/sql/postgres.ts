/**
 * A PostgreSQL server (15 or later) through `pg`: a pool of connections, each transaction on one
 * of them. The store for a real community: its commits are on disk when acknowledged.
 */
import pg from "pg";
import { InputError } from "../../core/errors.js";
import {
  INT8_OID,
  parseInt8,
  type SqlDatabase,
  type SqlRow,
  type SqlSession,
  storeError,
} from "./database.js";

export interface PostgresOptions {
  /** A `postgres://` URL. */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number | undefined;
}

const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

function sessionOf(client: pg.Pool | pg.PoolClient): SqlSession {
  return {
    async query<R extends SqlRow>(text: string, params: readonly unknown[] = []) {
      try {
        return (await client.query<R>(text, params as unknown[])).rows;
      } catch (error) {
        throw storeError(error, text);
      }
    },
  };
}

/** Connects to the server at `url` and checks it answers. */
export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: typeParsers,
  });
  // An idle connection that the server drops must not take the process down.
  pool.on("error", () => undefined);
  const direct = sessionOf(pool);
  try {
    await direct.query("select 1");
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    kind: "postgres",
    query: (text, params) => direct.query(text, params),
    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw storeError(error, "connect");
      }
      const tx = sessionOf(client);
      let broken = false;
      try {
        await tx.query("begin");
        const result = await work(tx);
        await tx.query("commit");
        return result;
      } catch (error) {
        // A connection that cannot even roll back is closed rather than returned to the pool.
        await client.query("rollback").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    holdWriter: (community) => holdWriter(pool, community),
    close: () => pool.end(),
  };
}

/** Any constant: the first key of the writers' advisory locks (the second is the community's). */
const WRITER_LOCK = 7_150_202;

async function holdWriter(pool: pg.Pool, community: string): Promise<() => Promise<void>> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storeError(error, "connect");
  }
  const session = sessionOf(client);
  const [row] = await session.query<{ locked: boolean }>(
    "select pg_try_advisory_lock($1, hashtext($2)) as locked",
    [WRITER_LOCK, community],
  );
  if (row?.locked !== true) {
    client.release();
    throw new InputError(
      "E_STORE_LOCKED",
      `another server is the writer of community ${community} in this database; one server writes a community (others may read its replicas)`,
      { details: { community } },
    );
  }
  return async () => {
    await session.query("select pg_advisory_unlock($1, hashtext($2))", [WRITER_LOCK, community]);
    client.release();
  };
}
