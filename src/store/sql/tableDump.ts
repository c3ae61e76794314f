/**
 * Every community table's rows, read in one snapshot and written back in one transaction: the
 * database half of a backup. Tables are found in the catalogue (each that has a `community_id`
 * column), so a table a later migration adds is backed up without a change here; they are
 * written parents first, by their foreign keys.
 */
import type { SqlDatabase, SqlSession } from "./database.js";

export interface TableDump {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** The community tables, parents before the tables whose foreign keys name them. */
async function communityTables(db: SqlSession): Promise<string[]> {
  const tables = (
    await db.query<{ table_name: string }>(
      `select table_name from information_schema.columns
       where table_schema = current_schema() and column_name = 'community_id'
       order by table_name`,
    )
  ).map((r) => r.table_name);
  const edges = await db.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent
     from pg_constraint k
     join pg_class c on c.oid = k.conrelid
     join pg_class p on p.oid = k.confrelid
     join pg_namespace n on n.oid = c.relnamespace
     where k.contype = 'f' and n.nspname = current_schema()`,
  );
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find(
      (t) =>
        !placed.has(t) &&
        [...(parents.get(t) ?? [])].every((p) => placed.has(p) || !parents.has(p)),
    );
    if (next === undefined) throw new Error("the community tables' foreign keys form a cycle");
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

/** Every community table's rows, in one consistent snapshot. */
export async function dumpTables(db: SqlDatabase): Promise<Record<string, TableDump>> {
  return db.transaction(async (tx) => {
    if (db.kind === "postgres")
      await tx.query("set transaction isolation level repeatable read read only");
    const out: Record<string, TableDump> = {};
    for (const table of await communityTables(tx)) {
      const columns = (
        await tx.query<{ column_name: string }>(
          `select column_name from information_schema.columns
           where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
          [table],
        )
      ).map((r) => r.column_name);
      const rows = await tx.query<Record<string, unknown>>(
        `select * from ${table} order by ${columns.map((_, i) => i + 1).join(", ")}`,
      );
      out[table] = { columns, rows: rows.map((r) => columns.map((c) => r[c])) };
    }
    return out;
  });
}

/** Each sequence of the schema with the columns it numbers: restored past their largest value. */
const SEQUENCES: Readonly<Record<string, readonly { table: string; column: string }[]>> = {
  received_seq: [
    { table: "orders", column: "received_seq" },
    { table: "ledger_documents", column: "seq" },
  ],
  audit_seq: [{ table: "audit_log", column: "seq" }],
};

async function restartSequences(tx: SqlSession): Promise<void> {
  const names = await tx.query<{ sequence_name: string }>(
    "select sequence_name from information_schema.sequences where sequence_schema = current_schema()",
  );
  for (const { sequence_name: name } of names) {
    const numbers = SEQUENCES[name];
    if (numbers === undefined)
      throw new Error(
        `sequence ${name} is not in tableDump.ts's SEQUENCES: a restore would reuse its numbers`,
      );
    const largest = numbers.map(
      (n) => `(select coalesce(max(${n.column}), 0) from ${n.table}) + 1`,
    );
    await tx.query(
      `select setval('${name}', greatest(${largest.join(", ")},
         (select last_value from ${name})), false)`,
    );
  }
}

/**
 * Replaces the rows of the communities in `dump` with the dump's, in one transaction, and moves
 * every sequence past the numbers the restored rows hold.
 */
export async function loadTables(
  db: SqlDatabase,
  dump: Readonly<Record<string, TableDump>>,
  communities: readonly string[],
): Promise<void> {
  await db.transaction(async (tx) => {
    const tables = await communityTables(tx);
    const marks = communities.map((_, i) => `$${i + 1}`).join(", ");
    for (const table of [...tables].reverse())
      await tx.query(`delete from ${table} where community_id in (${marks})`, [...communities]);
    for (const table of tables) {
      const t = dump[table];
      if (t === undefined) continue;
      const names = t.columns.join(", ");
      for (const row of t.rows) {
        const marks = row.map((_, i) => `$${i + 1}`).join(", ");
        await tx.query(`insert into ${table} (${names}) values (${marks})`, [...row]);
      }
    }
    await restartSequences(tx);
  });
}
