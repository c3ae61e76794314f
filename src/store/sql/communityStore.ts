/**
 * The live community's records in SQL, the same statements on PGlite and PostgreSQL. An order and
 * its nonce are recorded in one transaction, so the same signed bytes posted twice are one order
 * (the second post gets the first answer), and a nonce reused with other content is refused.
 */
import type { SignedOrder } from "../../ledger/envelope.js";
import type { Side } from "../../market/types.js";
import type {
  AuditEntry,
  ClearedInterval,
  ClockState,
  CommunityStore,
  DocumentEffect,
  DocumentOutcome,
  DocumentRecord,
  NewOrder,
  NewParticipant,
  OrderStatus,
  Participant,
  ParticipantKey,
  ParticipantStatus,
  RecordOutcome,
  ScheduledUpdate,
  StoredOrder,
} from "../communityStore.js";
import { keyBoundAt } from "../communityStore.js";
import { type BatchDecision, decideOrders } from "../orderBatch.js";
import { readAuditLog } from "./auditLog.js";
import type { SqlDatabase, SqlSession } from "./database.js";

interface OrderRow {
  readonly interval_start_ms: number;
  readonly participant_id: string;
  readonly order_id: string;
  readonly received_seq: number;
  readonly received_ms: number;
  readonly side: string;
  readonly energy_wh: number;
  readonly price_micro: number;
  readonly status: string;
  readonly envelope: string;
  readonly [column: string]: unknown;
}

interface KnownOrderRow {
  readonly interval_start_ms: number;
  readonly participant_id: string;
  readonly order_id: string;
  readonly side: string;
  readonly status: string;
  readonly [column: string]: unknown;
}

/** The batch's reads, each a JSON array. */
interface BatchRead {
  readonly nonces: readonly { nonce: string; digest: string; answer: string }[];
  readonly known: readonly KnownOrderRow[];
  readonly seqs: readonly number[];
  readonly [column: string]: unknown;
}

/** A key as the participants' statements aggregate them (JSON). */
interface KeyJson {
  readonly public_key: string;
  readonly valid_from_ms: number;
  readonly valid_until_ms: number | null;
}

interface ParticipantRow {
  readonly participant_id: string;
  readonly name: string;
  readonly role: string;
  readonly status: string;
  readonly meter_id: string | null;
  readonly registered_ms: number;
  /** Earliest first: the first is the registration's. */
  readonly keys: readonly KeyJson[];
  readonly [column: string]: unknown;
}

/** A participant's keys from their rows, earliest first (the first one since registration). */
function keysOf(rows: readonly KeyJson[]): ParticipantKey[] {
  return rows.map((k, i) => ({
    publicKey: k.public_key,
    validFromMs: i === 0 ? null : k.valid_from_ms,
    validUntilMs: k.valid_until_ms,
  }));
}

const ORDER_COLUMNS =
  "interval_start_ms, participant_id, order_id, received_seq, received_ms, side, energy_wh, price_micro, status, envelope";

function orderOf(r: OrderRow): StoredOrder {
  return {
    intervalStartMs: r.interval_start_ms,
    participant: r.participant_id,
    orderId: r.order_id,
    receivedSeq: r.received_seq,
    receivedMs: r.received_ms,
    side: r.side as Side,
    energyWh: r.energy_wh,
    priceMicro: r.price_micro,
    status: r.status as OrderStatus,
    envelope: JSON.parse(r.envelope) as SignedOrder,
  };
}

function participantOf(r: ParticipantRow): Participant {
  const keys = keysOf(r.keys);
  const current = keys.find((k) => k.validUntilMs === null) ?? keys.at(-1);
  return {
    id: r.participant_id,
    name: r.name,
    role: "member",
    status: r.status as ParticipantStatus,
    meterId: r.meter_id,
    publicKey: current?.publicKey ?? "",
    registeredMs: r.registered_ms,
    keys,
  };
}

/** A participant's keys as one JSON array, earliest first. */
const KEYS_JSON = `(select json_agg(json_build_object('public_key', k.public_key,
    'valid_from_ms', k.valid_from_ms, 'valid_until_ms', k.valid_until_ms)
    order by k.valid_from_ms, k.public_key)
  from participant_keys k
  where k.community_id = p.community_id and k.participant_id = p.participant_id)`;

const PARTICIPANT_SELECT = `select p.participant_id, p.name, p.role, p.status, p.meter_id, p.registered_ms,
    ${KEYS_JSON} as keys
  from participants p`;

export class SqlCommunityStore implements CommunityStore {
  /**
   * Participants looked up by key and by id, kept after the first lookup. The platform holds the
   * community's writer lock, so participant rows change only through this object, which forgets
   * them all whenever it changes one (and intake checks each order's participant again inside
   * the transaction that records it).
   */
  private readonly byKey = new Map<string, Participant>();
  private readonly byId = new Map<string, Participant>();

  constructor(
    private readonly db: SqlDatabase,
    readonly communityId: string,
  ) {}

  async ensureCommunity(document: string, nowMs: number): Promise<number> {
    await this.db.query(
      `insert into communities (community_id, document, created_ms) values ($1, $2, $3)
       on conflict (community_id) do nothing`,
      [this.communityId, document, nowMs],
    );
    const rows = await this.db.query<{ created_ms: number }>(
      "select created_ms from communities where community_id = $1",
      [this.communityId],
    );
    return (rows[0] as { created_ms: number }).created_ms;
  }

  addParticipant(p: NewParticipant): Promise<"added" | "exists"> {
    return this.forgetting(this.db.transaction((tx) => this.insertParticipant(tx, p)));
  }

  /** Forgets the known participants once `change` has committed or failed. */
  private async forgetting<T>(change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.byKey.clear();
      this.byId.clear();
    }
  }

  private async insertParticipant(tx: SqlSession, p: NewParticipant): Promise<"added" | "exists"> {
    const taken = await tx.query(
      "select 1 from participant_keys where community_id = $1 and public_key = $2",
      [this.communityId, p.publicKey],
    );
    if (taken.length > 0) return "exists";
    const inserted = await tx.query(
      `insert into participants (community_id, participant_id, name, role, status, meter_id, registered_ms)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning participant_id`,
      [this.communityId, p.id, p.name, p.role, p.status, p.meterId, p.registeredMs],
    );
    if (inserted.length === 0) return "exists";
    await tx.query(
      `insert into participant_keys (community_id, participant_id, public_key, valid_from_ms, document)
         values ($1, $2, $3, $4, $5)`,
      [
        this.communityId,
        p.id,
        p.publicKey,
        p.registeredMs,
        JSON.stringify({ public_key: p.publicKey }),
      ],
    );
    return "added";
  }

  applyDocument(record: DocumentRecord, effect: DocumentEffect): Promise<DocumentOutcome> {
    const applied = this.db
      .transaction(async (tx): Promise<DocumentOutcome> => {
        const earlier = await this.answerUnder(tx, record.nonceKey);
        if (earlier !== undefined)
          return earlier.digest === record.digest
            ? { kind: "replayed", answer: earlier.answer }
            : { kind: "nonce_reused" };
        if (effect.kind === "add_participant") {
          if ((await this.insertParticipant(tx, effect.participant)) === "exists")
            throw new Refused("exists");
        } else if (effect.kind === "set_status") {
          const rows = await tx.query(
            `update participants set status = $3 where community_id = $1 and participant_id = $2
             returning participant_id`,
            [this.communityId, effect.participant, effect.status],
          );
          if (rows.length === 0) throw new Refused("unknown");
          if (effect.status === "suspended")
            await tx.query(
              `update orders set status = 'cancelled'
               where community_id = $1 and participant_id = $2 and status = 'open'`,
              [this.communityId, effect.participant],
            );
        } else if (effect.kind === "cancel_order") {
          const rows = await tx.query(
            `update orders set status = 'cancelled'
             where community_id = $1 and interval_start_ms = $2 and participant_id = $3
               and order_id = $4 and status = 'open'
             returning order_id`,
            [this.communityId, effect.intervalStartMs, effect.participant, effect.orderId],
          );
          if (rows.length === 0) throw new Refused("unknown");
        } else if (effect.kind === "bind_key") {
          await this.bindKey(tx, effect);
        } else if (effect.kind === "advance_clock") {
          await this.upsertClock(tx, effect.clock);
        } else if (effect.kind === "schedule_update") {
          const u = effect.update;
          await tx.query(
            `insert into community_updates (community_id, from_interval_ms, changes, document_hash)
             values ($1, $2, $3, $4)
             on conflict (community_id, from_interval_ms) do update
               set changes = excluded.changes, document_hash = excluded.document_hash`,
            [this.communityId, u.fromMs, u.changes, u.documentHash],
          );
        }
        await tx.query(
          `insert into signed_documents (community_id, nonce, digest, kind, received_ms, answer)
           values ($1, $2, $3, $4, $5, $6)`,
          [
            this.communityId,
            record.nonceKey,
            record.digest,
            record.kind,
            record.receivedMs,
            record.answer,
          ],
        );
        if (record.ledger !== undefined)
          await tx.query(
            `insert into ledger_documents (community_id, seq, kind, interval_start_ms, document)
             values ($1, nextval('received_seq'), $2, $3, $4)`,
            [
              this.communityId,
              record.ledger.kind,
              record.ledger.intervalStartMs,
              record.ledger.document,
            ],
          );
        if (record.audit !== undefined)
          await tx.query(
            `insert into audit_log (community_id, seq, at_ms, action, target, actor, document_hash)
             values ($1, nextval('audit_seq'), $2, $3, $4, $5, $6)`,
            [
              this.communityId,
              record.receivedMs,
              record.audit.action,
              record.audit.target,
              record.audit.actor,
              record.digest,
            ],
          );
        return { kind: "applied" };
      })
      .catch((error: unknown): DocumentOutcome => {
        if (error instanceof Refused) return { kind: "refused", reason: error.reason };
        throw error;
      });
    return effect.kind === "add_participant" ||
      effect.kind === "set_status" ||
      effect.kind === "bind_key"
      ? this.forgetting(applied)
      : applied;
  }

  /**
   * Binds a new key from `validFromMs` on: the participant's row locked (so a batch of orders
   * rechecks its keys after this commits), the key unused by anyone, the earlier keys ended at
   * the new one's start, and the participant's open orders from then on cancelled.
   */
  private async bindKey(
    tx: SqlSession,
    e: Extract<DocumentEffect, { kind: "bind_key" }>,
  ): Promise<void> {
    const locked = await tx.query(
      `select participant_id from participants where community_id = $1 and participant_id = $2
       for update`,
      [this.communityId, e.participant],
    );
    if (locked.length === 0) throw new Refused("unknown");
    if (e.signedBy !== undefined) {
      const current = await tx.query<{ public_key: string }>(
        `select public_key from participant_keys
         where community_id = $1 and participant_id = $2 and valid_until_ms is null`,
        [this.communityId, e.participant],
      );
      if (current[0]?.public_key !== e.signedBy) throw new Refused("stale");
    }
    const inserted = await tx.query(
      `insert into participant_keys (community_id, participant_id, public_key, valid_from_ms, document)
       values ($1, $2, $3, $4, $5) on conflict do nothing returning public_key`,
      [this.communityId, e.participant, e.publicKey, e.validFromMs, e.document],
    );
    if (inserted.length === 0) throw new Refused("exists");
    await tx.query(
      `update participant_keys set valid_until_ms = $4
       where community_id = $1 and participant_id = $2 and public_key <> $3
         and (valid_until_ms is null or valid_until_ms > $4)`,
      [this.communityId, e.participant, e.publicKey, e.validFromMs],
    );
    await tx.query(
      `update orders set status = 'cancelled'
       where community_id = $1 and participant_id = $2 and status = 'open'
         and interval_start_ms >= $3`,
      [this.communityId, e.participant, e.validFromMs],
    );
  }

  earlierAnswer(nonceKey: string): Promise<{ digest: string; answer: string } | undefined> {
    return this.answerUnder(this.db, nonceKey);
  }

  private async answerUnder(
    q: SqlSession,
    nonceKey: string,
  ): Promise<{ digest: string; answer: string } | undefined> {
    const rows = await q.query<{ digest: string; answer: string }>(
      "select digest, answer from signed_documents where community_id = $1 and nonce = $2",
      [this.communityId, nonceKey],
    );
    return rows[0];
  }

  async participantByKey(publicKey: string): Promise<Participant | undefined> {
    const known = this.byKey.get(publicKey);
    if (known !== undefined) return known;
    const rows = await this.db.query<ParticipantRow>(
      `${PARTICIPANT_SELECT} where p.community_id = $1 and p.participant_id =
         (select participant_id from participant_keys where community_id = $1 and public_key = $2)`,
      [this.communityId, publicKey],
    );
    return this.remember(rows[0]);
  }

  async participantById(id: string): Promise<Participant | undefined> {
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    const rows = await this.db.query<ParticipantRow>(
      `${PARTICIPANT_SELECT} where p.community_id = $1 and p.participant_id = $2`,
      [this.communityId, id],
    );
    return this.remember(rows[0]);
  }

  private remember(row: ParticipantRow | undefined): Participant | undefined {
    if (row === undefined) return undefined;
    const p = participantOf(row);
    for (const k of p.keys) this.byKey.set(k.publicKey, p);
    this.byId.set(p.id, p);
    return p;
  }

  async participants(): Promise<Participant[]> {
    const rows = await this.db.query<ParticipantRow>(
      `${PARTICIPANT_SELECT} where p.community_id = $1 order by p.participant_id`,
      [this.communityId],
    );
    return rows.map(participantOf);
  }

  async setParticipantStatus(id: string, status: ParticipantStatus): Promise<boolean> {
    const rows = await this.forgetting(
      this.db.query(
        `update participants set status = $3 where community_id = $1 and participant_id = $2
       returning participant_id`,
        [this.communityId, id, status],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Records a batch of new orders in one transaction (group commit): the participants' rows are
   * locked, so their open orders cannot change meanwhile; the nonces and the orders the checks
   * depend on are read in two statements, the batch is decided in memory (orderBatch.ts), and
   * the replaced orders, the new orders and their nonces are written in one statement.
   */
  recordOrders(batch: readonly NewOrder[]): Promise<RecordOutcome[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.db.transaction(async (tx) => {
      const intervals = batch.map((o) => o.intervalStartMs);
      const participants = batch.map((o) => o.participant);
      const locked = await tx.query<{ participant_id: string; status: string; keys: KeyJson[] }>(
        `select p.participant_id, p.status, ${KEYS_JSON} as keys from participants p
         where p.community_id = $1 and p.participant_id = any($2::text[])
         order by p.participant_id for update`,
        [this.communityId, [...new Set(participants)]],
      );
      // Each participant's keys as they are once its row is locked: a rotation that committed
      // after intake checked an order's key refuses the order here.
      const keys = new Map(locked.map((r) => [r.participant_id, keysOf(r.keys ?? [])]));
      // What the batch depends on, read once its participants are locked, in one statement:
      // the nonces already used, the orders its checks need (two index lookups per key, lateral
      // and fenced with `offset 0` so that each key is its own probe whatever the planner's
      // statistics say: an `or` of the two, or a plain join before the table is analysed,
      // scanned the community's orders), and a receive stamp per order.
      const mine = distinctPairs(intervals, participants);
      const ids = distinctPairs(
        intervals,
        batch.map((o) => o.orderId),
      );
      const [read] = await tx.query<BatchRead>(
        `select
           (select coalesce(json_agg(n), '[]') from (
              select nonce, digest, answer from signed_documents
              where community_id = $1 and nonce = any($2::text[])) n) as nonces,
           (select coalesce(json_agg(k), '[]') from (
              select o.interval_start_ms, o.participant_id, o.order_id, o.side, o.status
              from unnest($3::bigint[], $4::text[]) as k(i, p)
              cross join lateral (select * from orders o where o.community_id = $1
                and o.interval_start_ms = k.i and o.participant_id = k.p and o.status = 'open'
                offset 0) o
              union all
              select o.interval_start_ms, o.participant_id, o.order_id, o.side, o.status
              from unnest($5::bigint[], $6::text[]) as k(i, d)
              cross join lateral (select * from orders o where o.community_id = $1
                and o.interval_start_ms = k.i and o.order_id = k.d offset 0) o) k) as known,
           (select json_agg(nextval('received_seq')) from generate_series(1, $7::int)) as seqs`,
        [
          this.communityId,
          batch.map((o) => o.nonceKey),
          mine[0],
          mine[1],
          ids[0],
          ids[1],
          batch.length,
        ],
      );
      const { nonces: nonceRows, known, seqs } = read as BatchRead;
      let next = 0;
      const decision = decideOrders(
        batch,
        new Map(nonceRows.map((r) => [r.nonce, r])),
        known.map((r) => ({
          intervalStartMs: r.interval_start_ms,
          participant: r.participant_id,
          orderId: r.order_id,
          side: r.side as Side,
          status: r.status as OrderStatus,
        })),
        () => seqs[next++] as number,
        new Set(locked.filter((r) => r.status !== "active").map((r) => r.participant_id)),
        (o) =>
          keyBoundAt(keys.get(o.participant) ?? [], o.intervalStartMs) !== o.envelope.public_key,
      );
      if (decision.inserts.length > 0) await this.writeBatch(tx, decision);
      return [...decision.outcomes];
    });
  }

  /** The batch's writes in one statement: replaced orders cancelled, orders and nonces inserted. */
  private async writeBatch(tx: SqlSession, d: BatchDecision): Promise<void> {
    const rows = d.inserts;
    await tx.query(
      `with replaced as (
         update orders set status = 'cancelled'
         where community_id = $1 and (interval_start_ms, participant_id, order_id) in
           (select * from unnest($2::bigint[], $3::text[], $4::text[]))
       ), placed as (
         insert into orders (community_id, ${ORDER_COLUMNS})
         select $1, i, p, o, q, r, s, e, c, u, v
         from unnest($5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[],
                     $11::bigint[], $12::bigint[], $17::text[], $13::text[])
           as t(i, p, o, q, r, s, e, c, u, v)
       )
       insert into signed_documents (community_id, nonce, digest, kind, received_ms, answer)
       select $1, n, g, 'order', r, a
       from unnest($14::text[], $15::text[], $9::bigint[], $16::text[]) as t(n, g, r, a)`,
      [
        this.communityId,
        d.cancels.map((c) => c.intervalStartMs),
        d.cancels.map((c) => c.participant),
        d.cancels.map((c) => c.orderId),
        rows.map((r) => r.order.intervalStartMs),
        rows.map((r) => r.order.participant),
        rows.map((r) => r.order.orderId),
        rows.map((r) => r.receipt.received_seq),
        rows.map((r) => r.order.receivedMs),
        rows.map((r) => r.order.side),
        rows.map((r) => r.order.energyWh),
        rows.map((r) => r.order.priceMicro),
        rows.map((r) => JSON.stringify(r.order.envelope)),
        rows.map((r) => r.order.nonceKey),
        rows.map((r) => r.order.digest),
        rows.map((r) => JSON.stringify(r.receipt)),
        rows.map((r) => r.status),
      ],
    );
  }

  async registrations(offset: number): Promise<string[]> {
    const rows = await this.db.query<{ document: string }>(
      `select document from ledger_documents where community_id = $1 and kind = 'registry'
       order by seq offset $2`,
      [this.communityId, offset],
    );
    return rows.map((r) => r.document);
  }

  async scheduledUpdates(): Promise<ScheduledUpdate[]> {
    const rows = await this.db.query<{
      from_interval_ms: number;
      changes: string;
      document_hash: string;
    }>(
      `select from_interval_ms, changes, document_hash from community_updates
       where community_id = $1 order by from_interval_ms`,
      [this.communityId],
    );
    return rows.map((r) => ({
      fromMs: r.from_interval_ms,
      changes: r.changes,
      documentHash: r.document_hash,
    }));
  }

  async cancelsOf(intervalStartMs: number): Promise<string[]> {
    const rows = await this.db.query<{ document: string }>(
      `select document from ledger_documents
       where community_id = $1 and kind = 'cancel' and interval_start_ms = $2 order by seq`,
      [this.communityId, intervalStartMs],
    );
    return rows.map((r) => r.document);
  }

  async openOrders(intervalStartMs: number): Promise<StoredOrder[]> {
    const rows = await this.db.query<OrderRow>(
      `select ${ORDER_COLUMNS} from orders
       where community_id = $1 and interval_start_ms = $2 and status = 'open'
       order by received_seq`,
      [this.communityId, intervalStartMs],
    );
    return rows.map(orderOf);
  }

  async ordersOf(
    participant: string,
    filter: {
      readonly intervalStartMs?: number;
      readonly status?: OrderStatus;
      readonly limit: number;
    },
  ): Promise<StoredOrder[]> {
    const rows = await this.db.query<OrderRow>(
      `select ${ORDER_COLUMNS} from orders
       where community_id = $1 and participant_id = $2
         and ($3::bigint is null or interval_start_ms = $3)
         and ($4::text is null or status = $4)
       order by interval_start_ms desc, received_seq desc limit $5`,
      [
        this.communityId,
        participant,
        filter.intervalStartMs ?? null,
        filter.status ?? null,
        filter.limit,
      ],
    );
    return rows.map(orderOf);
  }

  markCleared(c: ClearedInterval): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `insert into intervals (community_id, interval_start_ms, status, block_height, cleared_ms, summary)
         values ($1, $2, 'cleared', $3, $4, $5)
         on conflict (community_id, interval_start_ms) do update
           set status = 'cleared', block_height = excluded.block_height,
               cleared_ms = excluded.cleared_ms, summary = excluded.summary`,
        [this.communityId, c.intervalStartMs, c.blockHeight, c.clearedMs, c.summary],
      );
      for (const [status, list] of groupByStatus(c.statuses))
        await tx.query(
          `update orders set status = $5
           where community_id = $1 and interval_start_ms = $2
             and (participant_id, order_id) in (select * from unnest($3::text[], $4::text[]))`,
          [
            this.communityId,
            c.intervalStartMs,
            list.map((o) => o.participant),
            list.map((o) => o.orderId),
            status,
          ],
        );
    });
  }

  async lastCleared(): Promise<number | undefined> {
    const rows = await this.db.query<{ start: number | null }>(
      "select max(interval_start_ms) as start from intervals where community_id = $1 and status = 'cleared'",
      [this.communityId],
    );
    return rows[0]?.start ?? undefined;
  }

  async intervalRecord(intervalStartMs: number) {
    const rows = await this.db.query<{
      block_height: number | null;
      cleared_ms: number;
      summary: string | null;
    }>(
      `select block_height, cleared_ms, summary from intervals
       where community_id = $1 and interval_start_ms = $2 and status = 'cleared'`,
      [this.communityId, intervalStartMs],
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { blockHeight: r.block_height, clearedMs: r.cleared_ms, summary: r.summary };
  }

  async saveClock(state: ClockState): Promise<void> {
    await this.upsertClock(this.db, state);
  }

  /** The clock never goes back in the database either: the later of the two instants is kept. */
  private async upsertClock(q: SqlSession, state: ClockState): Promise<void> {
    await q.query(
      `insert into clocks (community_id, virtual_ms, speed, started_ms) values ($1, $2, $3, $4)
       on conflict (community_id) do update
         set virtual_ms = greatest(clocks.virtual_ms, excluded.virtual_ms),
             speed = excluded.speed, started_ms = excluded.started_ms`,
      [this.communityId, state.now, state.speed, state.startedAt],
    );
  }

  async loadClock(): Promise<ClockState | undefined> {
    const rows = await this.db.query<{ virtual_ms: number; speed: number; started_ms: number }>(
      "select virtual_ms, speed, started_ms from clocks where community_id = $1",
      [this.communityId],
    );
    const r = rows[0];
    return r === undefined
      ? undefined
      : { now: r.virtual_ms, speed: r.speed, startedAt: r.started_ms };
  }

  auditLog(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return readAuditLog(this.db, this.communityId, afterSeq, limit);
  }

  async streamSequences(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ channel: string; seq: number }>(
      "select channel, seq from stream_sequences where community_id = $1",
      [this.communityId],
    );
    return new Map(rows.map((r) => [r.channel, r.seq]));
  }

  async saveStreamSequences(last: ReadonlyMap<string, number>): Promise<void> {
    if (last.size === 0) return;
    const params: unknown[] = [this.communityId];
    const rows: string[] = [];
    for (const [channel, seq] of last) {
      params.push(channel, seq);
      rows.push(`($1, $${params.length - 1}, $${params.length})`);
    }
    await this.db.query(
      `insert into stream_sequences (community_id, channel, seq) values ${rows.join(", ")}
       on conflict (community_id, channel) do update
         set seq = greatest(stream_sequences.seq, excluded.seq)`,
      params,
    );
  }
}

/** The distinct (a, b) pairs of two parallel arrays, as two parallel arrays. */
function distinctPairs(a: readonly number[], b: readonly string[]): [number[], string[]] {
  const seen = new Set<string>();
  const out: [number[], string[]] = [[], []];
  a.forEach((x, i) => {
    const y = b[i] as string;
    const key = `${x}\u0000${y}`;
    if (seen.has(key)) return;
    seen.add(key);
    out[0].push(x);
    out[1].push(y);
  });
  return out;
}

function groupByStatus(statuses: ClearedInterval["statuses"]) {
  const out = new Map<OrderStatus, { participant: string; orderId: string }[]>();
  for (const o of statuses) {
    const list = out.get(o.status) ?? [];
    list.push(o);
    out.set(o.status, list);
  }
  return out;
}

/** Thrown inside a transaction to roll it back when a document's effect cannot apply. */
class Refused extends Error {
  constructor(readonly reason: "exists" | "unknown" | "stale") {
    super(reason);
  }
}
