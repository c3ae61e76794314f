/**
 * The ledger of a simulation: every interval of the scenario's own market variant becomes a
 * block, group-committed every few megabytes. Orders are attested by the simulation's operator,
 * or (with `signOrders`) signed by each home's key. Keys are derived from the scenario's seed, so
 * a run is reproducible byte for byte; they are simulation keys, not keys to trust with money.
 */
import { createHash } from "node:crypto";
import { formatInstant } from "../core/time.js";
import { type MarketRules, marketRules, type OrderItem } from "../ledger/block.js";
import { appendCleared } from "../ledger/clearInterval.js";
import { nonceKey, signOrder } from "../ledger/envelope.js";
import { type Identity, identityFromSeed } from "../ledger/keys.js";
import { orderDocument } from "../market/orderDocument.js";
import type { ClearedInterval } from "../sim/run.js";
import type { SimulationInput } from "../sim/types.js";
import { LedgerWriter } from "./ledgerStore.js";

const FLUSH_BYTES = 4 << 20;

/** A deterministic simulation key for `label` under `seed`. */
export function simulationIdentity(seed: number, label: string): Identity {
  return identityFromSeed(
    createHash("sha256").update(`gridshare simulation key\n${seed}\n${label}`).digest(),
  );
}

export class SimulationLedger {
  readonly operator: Identity;
  private readonly homes: Identity[];
  private blocks = 0;
  private trades = 0;
  signatures = 0;
  signMs = 0;

  private constructor(
    private readonly writer: LedgerWriter,
    private readonly input: SimulationInput,
  ) {
    this.operator = simulationIdentity(input.seed, "operator");
    this.homes = input.signOrders
      ? input.members.map((m) => simulationIdentity(input.seed, `home ${m.id}`))
      : [];
  }

  static async create(dir: string, input: SimulationInput): Promise<SimulationLedger> {
    return new SimulationLedger(await LedgerWriter.open(dir, { create: true }), input);
  }

  /** The market participant name of member `i`: its key's id when orders are signed, else its id. */
  participantOf(i: number): string {
    return this.input.signOrders
      ? (this.homes[i] as Identity).participant
      : (this.input.members[i] as { id: string }).id;
  }

  /** The participant ids of the homes, when orders are signed (for participants.json). */
  participantMap(): Record<string, string> | undefined {
    if (!this.input.signOrders) return undefined;
    return Object.fromEntries(
      this.input.members.map((m, i) => [m.id, (this.homes[i] as Identity).participant]),
    );
  }

  async record(c: ClearedInterval): Promise<void> {
    const rules: MarketRules = marketRules(c.mechanism, c.result.kPpm, c.input.grid);
    const end = c.input.interval.startMs + c.input.interval.minutes * 60_000;
    const t0 = this.input.signOrders ? performance.now() : 0;
    const items: OrderItem[] = c.input.orders.map((o, j) => {
      const doc = orderDocument(o);
      if (!this.input.signOrders) return { kind: "attested", order: doc };
      const who = this.homes[c.orderMember[j] as number] as Identity;
      const nonce = createHash("sha256")
        .update(`${this.input.seed}|${o.id}|${formatInstant(c.input.interval.startMs)}`)
        .digest("hex")
        .slice(0, 32);
      return { kind: "signed", envelope: signOrder(doc, who, nonce, end) };
    });
    if (this.input.signOrders) {
      this.signMs += performance.now() - t0;
      this.signatures += items.length;
    }
    // The run has cleared the interval already (every variant, this one among them).
    const sealed = appendCleared({
      store: this.writer,
      operator: this.operator,
      interval: c.input.interval,
      rules,
      items,
      cleared: { result: c.result, mechanism: c.mechanism },
      nonces: items.flatMap((i) => (i.kind === "signed" ? [nonceKey(i.envelope)] : [])),
    });
    this.blocks++;
    this.trades += sealed.tradeCount;
    if (this.writer.bufferedBytes >= FLUSH_BYTES) await this.writer.flush();
  }

  async close(): Promise<{ blocks: number; trades: number; headHash: string; treeSize: number }> {
    await this.writer.close();
    return {
      blocks: this.blocks,
      trades: this.trades,
      headHash: this.writer.state.headHash,
      treeSize: this.writer.state.frontier.size,
    };
  }
}
