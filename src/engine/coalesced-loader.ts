/**
 * Look-ups by key made in one turn of the event loop share one query. Concurrent webhook
 * deliveries each read their automation's row (pause state, latest version) before firing; with
 * dozens in flight that was one round trip per request, now it is one per turn for all of them.
 * Every caller still gets a row read after its request arrived (no cache, no staleness).
 */
interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

export class CoalescedLoader<K, V> {
  #pending = new Map<K, Waiter<V>[]>();

  constructor(private readonly load: (keys: K[]) => Promise<Map<K, V>>) {}

  get(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      if (this.#pending.size === 0) setImmediate(() => void this.#flush());
      const waiters = this.#pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#pending.set(key, [{ resolve, reject }]);
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      const rows = await this.load([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(rows.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}
