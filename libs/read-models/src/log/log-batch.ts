import { caseEventMetadata, decodeCaseEvent, isCaseStream, type CaseEvent, type CaseEventMetadata } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';

/** Where an event sits in the log, without its body: what a projection may know of any stream's event. */
export type LogEntry = Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type'>;

/**
 * A recorded event of a case stream: its envelope typed, its body decoded to today's shape, and
 * its personal part removed. Read models hold no personal data
 * (docs/decisions/0005-read-models-without-personal-data.md), so none reaches a projection
 * through a batch.
 */
export interface RecordedCaseEvent {
  caseId: string;
  revision: bigint;
  position: bigint;
  metadata: CaseEventMetadata;
  event: CaseEvent;
}

/**
 * Consecutive events of the global log, decoded once by whoever read them and handed to every
 * projection as they are. `after` narrows a batch for a projection that already applied its start
 * without decoding anything again.
 */
export class LogBatch {
  private constructor(
    /** Every event of the batch, of any stream, typed so a projection cannot read the bodies. */
    readonly entries: readonly LogEntry[],
    /** The case events of the batch, in log order, decoded. */
    readonly caseEvents: readonly RecordedCaseEvent[],
  ) {}

  static readonly EMPTY = new LogBatch([], []);

  /**
   * Decodes (upcasts) the case events of `events` once. Other streams of the log (case-number
   * sequences, the directory) are left out of `caseEvents`, by the domain's one rule for what a
   * case stream is.
   */
  static decode(events: readonly RecordedEvent[]): LogBatch {
    const caseEvents: RecordedCaseEvent[] = [];
    for (const recorded of events) {
      if (!isCaseStream(recorded.streamId)) continue;
      const metadata = caseEventMetadata(recorded);
      // Decoded with its personal part, because an upcaster may move fields between data and
      // personal; only the decoded result is stripped.
      const decoded = decodeCaseEvent(recorded);
      caseEvents.push({
        caseId: metadata.caseId,
        revision: recorded.revision,
        position: recorded.position,
        metadata,
        event: withoutPersonal(decoded),
      });
    }
    return new LogBatch(events, caseEvents);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Position of the batch's last event (0n for an empty batch). */
  get lastPosition(): bigint {
    return this.entries.length === 0 ? 0n : this.entries[this.entries.length - 1].position;
  }

  /** The part of the batch strictly after `position`. */
  after(position: bigint): LogBatch {
    if (this.entries.length === 0 || this.entries[0].position > position) return this;
    if (this.lastPosition <= position) return LogBatch.EMPTY;
    return new LogBatch(
      this.entries.filter((entry) => entry.position > position),
      this.caseEvents.filter((recorded) => recorded.position > position),
    );
  }
}

function withoutPersonal(event: CaseEvent): CaseEvent {
  if (event.personal === undefined) return event;
  const { personal: _personal, ...rest } = event;
  return rest as CaseEvent;
}
