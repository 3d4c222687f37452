import { randomUUID } from 'node:crypto';
import { caseNumberStreamId, encodeCaseEvent, type CaseEvent, type EnvelopeMetadata } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';
import { ORG_ID } from './case-events';

/**
 * A global log built by hand for unit specs: each recorded event gets the next global position
 * and the next revision of its stream, with the envelope the command pipeline would write.
 */
export class RecordedLog {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();

  /** Records a case event; `recordedAt` defaults to its business time. */
  record(caseId: string, event: CaseEvent, envelope: Partial<EnvelopeMetadata> = {}): RecordedEvent {
    const stored = encodeCaseEvent(event, {
      orgId: ORG_ID,
      caseId,
      command: COMMAND_OF[event.type],
      recordedAt: event.occurredAt,
      correlationId: `correlation-${caseId}-${this.events.length + 1}`,
      causationId: null,
      ...envelope,
    });
    return this.append(`case-${caseId}`, {
      type: stored.type,
      data: stored.data,
      personal: stored.personal,
      metadata: { ...stored.metadata },
    });
  }

  /** Records several events of one case, in order. */
  recordAll(caseId: string, events: readonly CaseEvent[]): RecordedEvent[] {
    return events.map((event) => this.record(caseId, event));
  }

  /** Records an event of a stream that is not a case: a case-number counter. */
  recordCaseNumberAllocation(caseId: string): RecordedEvent {
    return this.append(caseNumberStreamId(ORG_ID, 'petition', 2026), {
      type: 'CaseNumberAllocated',
      data: { sequence: this.events.length + 1, caseId },
      personal: null,
      metadata: { orgId: ORG_ID, kind: 'petition', year: 2026 },
    });
  }

  /** Appends a stored event exactly as given, e.g. one written by an older schema version. */
  append(streamId: string, event: Pick<RecordedEvent, 'type' | 'data' | 'personal' | 'metadata'>): RecordedEvent {
    const revision = this.revisions.get(streamId) ?? 0n;
    this.revisions.set(streamId, revision + 1n);
    const recorded: RecordedEvent = {
      id: randomUUID(),
      ...event,
      streamId,
      revision,
      position: BigInt(this.events.length + 1),
      created: new Date(String(event.metadata.recordedAt ?? '2026-01-01T00:00:00Z')),
    };
    this.events.push(recorded);
    return recorded;
  }
}

/** The action (docs/domain/overview.md) that writes each event (a DeadlineSet rides along with the step that starts it). */
const COMMAND_OF: Record<CaseEvent['type'], string> = {
  PetitionRegistered: 'intake',
  HotlineTicketReceived: 'intake',
  DisputeRegistered: 'intake',
  CaseAccepted: 'accept',
  CaseRejected: 'reject',
  CaseDispatched: 'dispatch',
  CaseSigned: 'sign',
  CaseReturned: 'return',
  ProgressRecorded: 'progress',
  NoteAdded: 'note',
  ExtensionRequested: 'request-extension',
  ExtensionDecided: 'decide-extension',
  CaseResolved: 'resolve',
  CaseReviewed: 'review',
  CaseReopened: 'reopen',
  CaseClosed: 'close',
  SupervisionIssued: 'supervise',
  SupervisionAnswered: 'answer-supervision',
  ReexaminationRequested: 'request-reexamination',
  ReexaminationDecided: 'decide-reexamination',
  CaseLinked: 'link',
  CaseUrged: 'urge',
  CaseWithdrawn: 'withdraw',
  HotlineTicketAmended: 'amend-ticket',
  DeadlineSet: 'scheduler',
  DeadlineWarningIssued: 'scheduler',
  DeadlineMissed: 'scheduler',
  PersonalDataRevealed: 'reveal-personal-data',
  PersonalDataDestroyed: 'destroy-personal-data',
};
