import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { formatCaseNumber, type CaseKind } from '@cases/domain';
import { EVENT_STORE, WrongExpectedVersionError, type EventStore } from '@cases/event-store';

const CHINA_OFFSET_MS = 8 * 3_600_000;
const MAX_ATTEMPTS = 20;

/** The year in Asia/Shanghai (no daylight saving, so a fixed offset is exact). */
export function chinaYear(instant: Date): number {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/**
 * Hands out case numbers (XF2026-0001…), unique per organisation, kind and year, across any
 * number of service instances. Each sequence is a stream of `CaseNumberAllocated` events whose
 * revision is the sequence number minus one, appended with the exact expected revision, so two
 * instances can never take the same number. Within one instance the next number is cached and
 * allocations are issued in order, so concurrent intakes share one group commit instead of
 * queueing on a read. A lost race refreshes the cache from the revision the store reports.
 *
 * A number whose case was never written (crash between the two appends) stays a recorded gap:
 * the allocation event names the case id it was meant for.
 */
@Injectable()
export class CaseNumberAllocator {
  private readonly nextSequence = new Map<string, bigint>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async allocate(orgId: string, kind: CaseKind, occurredAt: Date, caseId: string): Promise<string> {
    const year = chinaYear(occurredAt);
    const streamId = `case-numbers-${orgId}-${kind}-${year}`;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const sequence = this.nextSequence.get(streamId) ?? (await this.sequenceAfterLast(streamId));
      this.nextSequence.set(streamId, sequence + 1n);
      try {
        await this.store.append(
          streamId,
          [
            {
              id: randomUUID(),
              type: 'CaseNumberAllocated',
              data: { sequence: Number(sequence), caseId },
              personal: null,
              metadata: { orgId, kind, year },
            },
          ],
          sequence === 1n ? 'no_stream' : sequence - 2n,
        );
        return formatCaseNumber(kind, year, Number(sequence));
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) {
          this.nextSequence.delete(streamId);
          throw error;
        }
        const actual = error.actual === 'no_stream' ? -1n : error.actual;
        const current = this.nextSequence.get(streamId) ?? 0n;
        // Revision r means sequences 1…r+1 are taken; never move the cache backwards, since
        // allocations issued after this one may already hold later numbers.
        if (current <= actual + 2n) this.nextSequence.set(streamId, actual + 2n);
      }
    }
    throw new Error(`Could not allocate a case number in ${streamId} after ${MAX_ATTEMPTS} attempts`);
  }

  private async sequenceAfterLast(streamId: string): Promise<bigint> {
    const events = await this.store.readStream(streamId);
    return BigInt(events.length) + 1n;
  }
}
