import { decodeCaseEvent, type CaseEvent, type CaseEventMetadata, type StoredCaseEvent } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';

/**
 * A recorded event of a case stream: its envelope typed, its body decoded to today's shape, and
 * its personal part removed. Read models hold no personal data (SPEC §7), so none ever reaches a
 * projection.
 */
export interface RecordedCaseEvent {
  caseId: string;
  revision: bigint;
  position: bigint;
  metadata: CaseEventMetadata;
  event: CaseEvent;
}

/**
 * The case events of a batch, decoded (upcast) once. Other streams of the global log, such as the
 * `case-numbers-…` counters, carry no `caseId` in their metadata and are left out: the stream name
 * alone cannot tell them apart, since they share the `case-` prefix.
 */
export function caseEventsOf(events: readonly RecordedEvent[]): RecordedCaseEvent[] {
  // The runner hands the same batch to every projection: decode it once.
  const decoded = decodedBatches.get(events);
  if (decoded) return decoded;
  const caseEvents = decodeCaseEvents(events);
  decodedBatches.set(events, caseEvents);
  return caseEvents;
}

const decodedBatches = new WeakMap<readonly RecordedEvent[], RecordedCaseEvent[]>();

function decodeCaseEvents(events: readonly RecordedEvent[]): RecordedCaseEvent[] {
  const caseEvents: RecordedCaseEvent[] = [];
  for (const recorded of events) {
    if (typeof recorded.metadata.caseId !== 'string') continue;
    const stored = recorded as unknown as StoredCaseEvent;
    // Decoded with its personal part, because an upcaster may move fields between data and
    // personal; only the decoded result is stripped.
    const decoded = decodeCaseEvent(stored);
    caseEvents.push({
      caseId: stored.metadata.caseId,
      revision: recorded.revision,
      position: recorded.position,
      metadata: stored.metadata,
      event: { ...decoded, personal: undefined } as CaseEvent,
    });
  }
  return caseEvents;
}
