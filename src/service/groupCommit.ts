/**
 * Group commit: items that arrive while a batch is being committed wait and go together in the
 * next one, so under load one transaction (one fsync, a handful of round trips) records many
 * orders, and with one order at a time nothing waits for a timer. One batch runs at a time, in
 * arrival order, so later batches see earlier ones committed.
 *
 * A batch starts after one turn of the event loop (`setImmediate`), so that every request read
 * in the same turn joins it: with the embedded database, whose statements answer at once,
 * batches would otherwise run to completion between two requests' callbacks and hold one order
 * each.
 *
 * A batch that fails is run again one item at a time: one item's conflict or a fault that
 * passes does not refuse the others; each item then gets its own answer or error.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /**
   * @param commit records a batch, answering one result per item in order.
   * @param maxBatch the most items in one batch.
   */
  constructor(
    private readonly commit: (batch: readonly T[]) => Promise<readonly R[]>,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once `item` is committed, with its result. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.run(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(batch: GroupCommit<T, R>["queue"]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.commit(batch.map((b) => b.item));
    } catch (error) {
      if (batch.length === 1) (batch[0] as (typeof batch)[number]).reject(error);
      else for (const b of batch) await this.run([b]);
      return;
    }
    for (const [i, b] of batch.entries()) b.resolve(results[i] as R);
  }
}
