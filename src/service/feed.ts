/**
 * Channels of numbered frames, for the live feed. Every frame of a channel carries a sequence
 * number one above the last, with no gaps, across restarts: the numbers are issued in memory,
 * recorded in the database in batches (group commit), and a frame is delivered only once its
 * number is recorded, so a restarted server never issues a number a client has seen. A frame's
 * data is made when it is delivered, after its change is applied, so that a snapshot taken
 * between two deliveries carries the number of the last frame it includes. Nothing here speaks
 * a wire protocol: a subscriber is anything that takes a frame.
 */

/** One frame as delivered. */
export interface Frame {
  readonly channel: string;
  readonly seq: number;
  readonly type: string;
  readonly data: unknown;
}

export interface Subscriber {
  deliver(frame: Frame): void;
}

/** Where the last numbers are kept (the community store). */
export interface SequenceStore {
  streamSequences(): Promise<Map<string, number>>;
  saveStreamSequences(last: ReadonlyMap<string, number>): Promise<void>;
}

interface Pending {
  readonly channel: string;
  readonly seq: number;
  readonly type: string;
  /** Applies the frame's change to what snapshots read; runs at delivery, in order. */
  readonly apply: (() => void) | undefined;
  readonly data: () => unknown;
}

export class Feed {
  /** The last number issued per channel (recorded or about to be). */
  private readonly issued: Map<string, number>;
  /** The last number delivered per channel. */
  private readonly delivered: Map<string, number>;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly store: SequenceStore,
    last: Map<string, number>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.issued = new Map(last);
    this.delivered = new Map(last);
  }

  static async open(store: SequenceStore, onError: (error: unknown) => void): Promise<Feed> {
    return new Feed(store, await store.streamSequences(), onError);
  }

  /** The number of the last frame delivered on `channel` (0 before any). */
  lastSeq(channel: string): number {
    return this.delivered.get(channel) ?? 0;
  }

  /**
   * Issues the next frame of `channel`. `apply` changes what snapshots read, `data` makes the
   * frame's payload; both run when the frame is delivered, after its number is recorded.
   */
  publish(channel: string, type: string, data: () => unknown, apply?: () => void): void {
    const seq = (this.issued.get(channel) ?? 0) + 1;
    if (this.closed) return;
    this.issued.set(channel, seq);
    this.pending.push({ channel, seq, type, data, apply });
    this.flushing ??= this.drain();
  }

  /** Adds a subscriber; returns the number of the last frame before its first. */
  subscribe(channel: string, subscriber: Subscriber): number {
    const set = this.subscribers.get(channel) ?? new Set();
    this.subscribers.set(channel, set);
    set.add(subscriber);
    return this.lastSeq(channel);
  }

  unsubscribe(channel: string, subscriber: Subscriber): void {
    const set = this.subscribers.get(channel);
    set?.delete(subscriber);
    if (set?.size === 0) this.subscribers.delete(channel);
  }

  /** Resolves when every frame issued so far is delivered. */
  async settled(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  /** Stops: frames not yet recorded are dropped (their numbers were never seen). */
  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    await this.settled();
    this.subscribers.clear();
  }

  private async drain(): Promise<void> {
    // One turn of the event loop first, so that the frames issued in this turn are recorded
    // together (see groupCommit.ts).
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        if (!(await this.record(batch))) return;
        for (const frame of batch) this.deliver(frame);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Records the batch's last numbers, retrying until the database takes them or the feed closes. */
  private async record(batch: readonly Pending[]): Promise<boolean> {
    const last = new Map<string, number>();
    for (const f of batch) last.set(f.channel, f.seq);
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return false;
      try {
        await this.store.saveStreamSequences(last);
        return true;
      } catch (error) {
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  private deliver(pending: Pending): void {
    pending.apply?.();
    this.delivered.set(pending.channel, pending.seq);
    const set = this.subscribers.get(pending.channel);
    if (set === undefined || set.size === 0) return;
    const frame: Frame = {
      channel: pending.channel,
      seq: pending.seq,
      type: pending.type,
      data: pending.data(),
    };
    for (const s of set) s.deliver(frame);
  }
}
