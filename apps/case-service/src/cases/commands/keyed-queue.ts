/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently. Commands on
 * one case inside one instance wait their turn here instead of racing to the store and retrying.
 * Entries are dropped as soon as their key's queue drains, so the map holds only busy keys.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return current;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
