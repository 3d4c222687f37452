/** The client's If-Match named a revision the case has moved past (HTTP 412). */
export class StaleRevisionError extends Error {
  constructor(
    readonly expected: bigint,
    readonly actual: bigint | null,
  ) {
    super(`If-Match revision ${expected} is stale: the case is at revision ${actual ?? 'none'}`);
    this.name = 'StaleRevisionError';
  }
}

/** The same Idempotency-Key was sent earlier with a different request (HTTP 422). */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key '${key}' was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Kept retrying against fresh state and still lost every race (HTTP 409, safe to retry). */
export class ConcurrencyRetriesExhaustedError extends Error {
  constructor(readonly caseId: string, attempts: number) {
    super(`Case ${caseId} changed concurrently ${attempts} times in a row; retry the command`);
    this.name = 'ConcurrencyRetriesExhaustedError';
  }
}
