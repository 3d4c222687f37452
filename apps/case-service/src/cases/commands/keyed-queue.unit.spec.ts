import { KeyedQueue } from './keyed-queue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time, in arrival order, even when one fails', async () => {
    const queue = new KeyedQueue();
    const order: string[] = [];
    const gate = deferred();
    const first = queue.run('case-1', async () => {
      order.push('first:start');
      await gate.promise;
      order.push('first:end');
      throw new Error('refused');
    });
    const second = queue.run('case-1', async () => {
      order.push('second');
      return 2;
    });
    await Promise.resolve();
    expect(order).toEqual(['first:start']);
    gate.resolve();
    await expect(first).rejects.toThrow('refused');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
  });

  it('runs different keys concurrently and forgets a key once its queue drains', async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const slow = queue.run('a', () => gate.promise.then(() => 'a'));
    const fast = await queue.run('b', async () => 'b');
    expect(fast).toBe('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(1);
    gate.resolve();
    await expect(slow).resolves.toBe('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(0);
  });
});
