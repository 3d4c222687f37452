import type { RetryBackoff } from './messaging.port';

/** The delay before attempt `failures + 1`: `initialMs`, doubled after each failure in a row, capped at `maxMs`. */
export function backoffDelay(failures: number, backoff: RetryBackoff): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(backoff.initialMs * 2 ** Math.min(exponent, 30), backoff.maxMs);
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
