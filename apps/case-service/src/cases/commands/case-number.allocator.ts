import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { caseNumberStreamId, formatCaseNumber, type CaseKind } from '@cases/domain';
import { EVENT_STORE, type EventStore, type StreamAppend, type WrongExpectedVersionError } from '@cases/event-store';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The year in Asia/Shanghai (no daylight saving, so a fixed offset is exact). */
export function chinaYear(instant: Date): number {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/** A case number held for one intake: it is taken only if `append` lands with the case's first events. */
export interface NumberReservation {
  number: string;
  append: StreamAppend;
}

/**
 * Hands out case numbers (XF2026-0001…), unique per organisation, kind and year, across any
 * number of service instances, without gaps. Each sequence is a stream of `CaseNumberAllocated`
 * events whose revision is the sequence number minus one. A reservation is appended with the
 * exact expected revision in the same atomic multi-stream append as the case's first events, so
 * a number is taken exactly when its case is written, and two instances can never take the same.
 *
 * Within one instance the next number is cached and reservations are issued in order, so
 * concurrent intakes share one group commit instead of queueing on a read. When a reservation
 * loses (another instance took the number, or an earlier intake of this one did not land), the
 * caller reports the conflict and reserves again from the revision the store named.
 */
@Injectable()
export class CaseNumberAllocator {
  private readonly nextSequence = new Map<string, bigint>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async reserve(orgId: string, kind: CaseKind, occurredAt: Date, caseId: string): Promise<NumberReservation> {
    const year = chinaYear(occurredAt);
    const streamId = caseNumberStreamId(orgId, kind, year);
    if (!this.nextSequence.has(streamId)) {
      const fromStore = await this.sequenceAfterLast(streamId);
      // Another reservation may have filled the cache while this one read the store.
      if (!this.nextSequence.has(streamId)) this.nextSequence.set(streamId, fromStore);
    }
    const sequence = this.nextSequence.get(streamId) as bigint;
    this.nextSequence.set(streamId, sequence + 1n);
    return {
      number: formatCaseNumber(kind, year, Number(sequence)),
      append: {
        streamId,
        events: [
          {
            id: randomUUID(),
            type: 'CaseNumberAllocated',
            data: { sequence: Number(sequence), caseId },
            personal: null,
            metadata: { orgId, kind, year },
          },
        ],
        expectedRevision: sequence === 1n ? 'no_stream' : sequence - 2n,
      },
    };
  }

  /** Whether a failed append failed on this reservation's sequence stream. */
  isConflictOf(reservation: NumberReservation, error: WrongExpectedVersionError): boolean {
    return error.streamId === reservation.append.streamId;
  }

  /** After a reservation lost: continue the sequence from the revision the store reported. */
  conflicted(error: WrongExpectedVersionError): void {
    const actual = error.actual === 'no_stream' ? -1n : error.actual;
    this.nextSequence.set(error.streamId, actual + 2n);
  }

  private async sequenceAfterLast(streamId: string): Promise<bigint> {
    const events = await this.store.readStream(streamId);
    return BigInt(events.length) + 1n;
  }
}
