/** Delays that double with each failure in a row, from `initialMs` up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(backoff: Backoff, failuresInARow: number): number {
  return Math.min(backoff.initialMs * 2 ** (failuresInARow - 1), backoff.maxMs);
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
