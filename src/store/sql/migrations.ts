/**
 * The schema, as numbered forward-only migrations applied at start and recorded in
 * `schema_migrations`. A database whose schema is newer than this program knows is refused (an
 * older binary must not write into a newer layout). On PostgreSQL, a transaction-scoped advisory
 * lock keeps two starting servers from migrating at once.
 *
 * Every table carries `community_id` first in its key, so one deployment serves many communities
 * and the tables can later be partitioned or distributed by it. Energy (Wh), money and prices
 * (micro-units) are bigint; instants are epoch milliseconds (bigint), as in the domain.
 */
import { InputError } from "../../core/errors.js";
import type { SqlDatabase, SqlSession } from "./database.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "communities, participants, keys, documents, orders, intervals, clock, streams",
    statements: [
      `create table communities (
        community_id text primary key,
        document text not null,
        created_ms bigint not null
      )`,
      `create table participants (
        community_id text not null references communities,
        participant_id text not null,
        name text not null,
        role text not null,
        status text not null,
        meter_id text,
        registered_ms bigint not null,
        primary key (community_id, participant_id)
      )`,
      `create table participant_keys (
        community_id text not null,
        participant_id text not null,
        public_key text not null,
        valid_from_ms bigint not null,
        document text not null,
        primary key (community_id, public_key),
        foreign key (community_id, participant_id) references participants
      )`,
      `create table signed_documents (
        community_id text not null references communities,
        nonce text not null,
        digest text not null,
        kind text not null,
        received_ms bigint not null,
        answer text not null,
        primary key (community_id, nonce)
      )`,
      `create table orders (
        community_id text not null,
        interval_start_ms bigint not null,
        participant_id text not null,
        order_id text not null,
        received_seq bigint not null,
        received_ms bigint not null,
        side text not null,
        energy_wh bigint not null,
        price_micro bigint not null,
        status text not null,
        envelope text not null,
        primary key (community_id, interval_start_ms, participant_id, order_id),
        foreign key (community_id, participant_id) references participants
      )`,
      "create sequence received_seq",
      "create index orders_by_receipt on orders (community_id, interval_start_ms, received_seq)",
      `create table intervals (
        community_id text not null references communities,
        interval_start_ms bigint not null,
        status text not null,
        block_height bigint,
        cleared_ms bigint,
        summary text,
        primary key (community_id, interval_start_ms)
      )`,
      `create table clocks (
        community_id text primary key references communities,
        virtual_ms bigint not null,
        speed double precision not null,
        started_ms bigint not null
      )`,
      `create table stream_sequences (
        community_id text not null references communities,
        channel text not null,
        seq bigint not null,
        primary key (community_id, channel)
      )`,
      `create table counters (
        community_id text not null references communities,
        name text not null,
        value bigint not null,
        primary key (community_id, name)
      )`,
    ],
  },
  {
    version: 2,
    name: "audit log of the operator's actions",
    statements: [
      "create sequence audit_seq",
      `create table audit_log (
        community_id text not null references communities,
        seq bigint not null,
        at_ms bigint not null,
        action text not null,
        target text not null,
        actor text not null,
        document_hash text not null,
        primary key (community_id, seq)
      )`,
    ],
  },
  {
    version: 3,
    name: "orders found by id, and each participant's open orders, within an interval",
    statements: [
      // Unique: an id is used once per interval, and a full match of a unique index is the one
      // plan the planner picks even before the table has statistics.
      "create unique index orders_by_id on orders (community_id, interval_start_ms, order_id)",
      `create index open_orders_by_participant on orders (community_id, interval_start_ms, participant_id)
         where status = 'open'`,
    ],
  },
  {
    version: 4,
    name: "the signed documents a format-2 ledger records: registrations and cancels",
    statements: [
      // `seq` comes from the orders' sequence: cancels and orders share one receive order.
      `create table ledger_documents (
        community_id text not null references communities,
        seq bigint not null,
        kind text not null,
        interval_start_ms bigint,
        document text not null,
        primary key (community_id, seq)
      )`,
      "create index ledger_documents_by_kind on ledger_documents (community_id, kind, interval_start_ms, seq)",
    ],
  },
  {
    version: 5,
    name: "community updates: the market rules each changes, by the interval it is in force from",
    statements: [
      // One row per interval: a later document for the same interval replaces the row (the
      // signed documents themselves stay in ledger_documents, in the order received).
      `create table community_updates (
        community_id text not null references communities,
        from_interval_ms bigint not null,
        changes text not null,
        document_hash text not null,
        primary key (community_id, from_interval_ms)
      )`,
    ],
  },
  {
    version: 6,
    name: "a participant's keys, each bound until a later one takes over",
    statements: [
      // Null: still bound. A rotation or re-binding ends the earlier keys at its start.
      "alter table participant_keys add column valid_until_ms bigint",
      "create index participant_keys_by_participant on participant_keys (community_id, participant_id)",
    ],
  },
];

/** The schema version this program writes. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Any constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_150_201;

export interface MigrationOutcome {
  /** Versions applied now, in order (empty when the schema was current). */
  readonly applied: readonly number[];
  readonly version: number;
}

async function currentVersion(tx: SqlSession): Promise<number> {
  const rows = await tx.query<{ version: number | null }>(
    "select max(version)::bigint as version from schema_migrations",
  );
  return rows[0]?.version ?? 0;
}

/** Brings the schema up to `SCHEMA_VERSION` in one transaction; refuses a newer one. */
export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationOutcome> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  return db.transaction(async (tx) => {
    if (db.kind === "postgres")
      await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(`create table if not exists schema_migrations (
      version bigint primary key,
      name text not null,
      applied_ms bigint not null
    )`);
    const version = await currentVersion(tx);
    if (version > latest)
      throw new InputError(
        "E_STORE_SCHEMA_NEWER",
        `the database's schema is version ${version}, newer than this gridshare knows (${latest}): run a gridshare at least as new as the one that wrote it`,
        { details: { version, known: latest } },
      );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= version) continue;
      for (const statement of m.statements) await tx.query(statement);
      await tx.query(
        "insert into schema_migrations (version, name, applied_ms) values ($1, $2, $3)",
        [m.version, m.name, Date.now()],
      );
      applied.push(m.version);
    }
    return { applied, version: Math.max(version, latest) };
  });
}
