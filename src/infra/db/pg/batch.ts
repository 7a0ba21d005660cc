/**
 * Reads that arrive in the same turn of the event loop go to PostgreSQL as one statement: a
 * group read, as the refresh-token INSERT is a group commit. Each read is still a plain read of
 * what is committed when the statement runs; under load N requests cost one round trip (one
 * write and one read on the socket, one statement for the server) instead of N, which on this
 * machine's costly system calls is most of what a round trip costs. A lone read waits for
 * nothing but the current turn.
 */
export class ReadBatcher<K, R> {
  private queue: Array<{ key: K; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];

  /** `run` answers every key, in order (one statement); `max` bounds one statement's keys. */
  constructor(
    private readonly run: (keys: K[]) => Promise<R[]>,
    private readonly max = 200,
  ) {}

  read(key: K): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ key, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const all = this.queue;
    this.queue = [];
    for (let i = 0; i < all.length; i += this.max) {
      const batch = all.slice(i, i + this.max);
      this.run(batch.map((b) => b.key)).then(
        (rows) => {
          for (const [j, b] of batch.entries()) b.resolve(rows[j]!);
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err);
        },
      );
    }
  };
}
