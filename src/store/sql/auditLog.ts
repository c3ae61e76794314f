/**
 * The audit log of the operator's actions, as SQL: each accepted operator document is one row,
 * written in the transaction that applies it (communityStore.ts), and read back oldest first by
 * cursor.
 */
import type { AuditEntry } from "../communityStore.js";
import type { SqlSession } from "./database.js";

type AuditRow = {
  readonly seq: number;
  readonly at_ms: number;
  readonly action: string;
  readonly target: string;
  readonly actor: string;
  readonly document_hash: string;
};

export async function readAuditLog(
  db: SqlSession,
  communityId: string,
  afterSeq: number,
  limit: number,
): Promise<AuditEntry[]> {
  const rows = await db.query<AuditRow>(
    `select seq, at_ms, action, target, actor, document_hash from audit_log
     where community_id = $1 and seq > $2 order by seq limit $3`,
    [communityId, afterSeq, limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    atMs: r.at_ms,
    action: r.action,
    target: r.target,
    actor: r.actor,
    documentHash: r.document_hash,
  }));
}
