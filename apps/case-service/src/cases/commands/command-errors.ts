import { ServiceError } from '@cases/domain';

/** The client's If-Match named a revision the case has moved past. */
export class StaleRevisionError extends ServiceError {
  constructor(
    readonly expected: bigint,
    readonly actual: bigint | null,
  ) {
    super(
      'CASE.STALE_REVISION',
      412,
      'Precondition failed',
      `If-Match revision ${expected} is stale: the case is at revision ${actual ?? 'none'}`,
      {
        expectedRevision: expected.toString(),
        currentRevision: actual === null ? null : actual.toString(),
      },
    );
  }
}

/** The same Idempotency-Key was sent earlier with a different request. */
export class IdempotencyKeyReusedError extends ServiceError {
  constructor(readonly key: string) {
    super(
      'REQUEST.IDEMPOTENCY_KEY_REUSED',
      422,
      'Idempotency-Key reused',
      `Idempotency-Key '${key}' was already used for a different request`,
    );
  }
}

/** Kept retrying against fresh state and still lost every race (safe to retry). */
export class ConcurrencyRetriesExhaustedError extends ServiceError {
  constructor(
    readonly caseId: string,
    attempts: number,
  ) {
    super(
      'CASE.CONCURRENT_UPDATE',
      409,
      'Concurrent update',
      `Case ${caseId} changed concurrently ${attempts} times in a row; retry the command`,
    );
  }
}

/**
 * A 12345 ticket number already on file, sent again with other content: the intake changes no case
 * (a correction is the `amend-ticket` command, which the platform's Kafka intake runs on this
 * refusal) and the caller learns which fields differ, by name only, never by value.
 */
export class TicketConflictError extends ServiceError {
  constructor(
    readonly caseId: string,
    readonly number: string,
    readonly fields: string[],
  ) {
    super(
      'CASE.TICKET_CONFLICT',
      409,
      'Ticket already on file with other content',
      `This ticket number is already on file as case ${number} with different ${fields.join(', ')}; nothing was written`,
      { caseId, number, fields },
    );
  }
}
