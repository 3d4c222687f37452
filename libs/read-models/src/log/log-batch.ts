import { caseEventMetadata, decodeCaseEvent, isCaseStream, type CaseEvent, type CaseEventMetadata } from '@cases/domain';
import type { RecordedEvent } from '@cases/event-store';

/** Where an event sits in the log, without its body: what a projection may know of any stream's event. */
export type LogEntry = Pick<RecordedEvent, 'id' | 'streamId' | 'revision' | 'position' | 'type'>;

/** Turns a stored case event into today's shape: the domain's `decodeCaseEvent`, unless a runner is given another. */
export type CaseEventDecoder = (recorded: RecordedEvent) => CaseEvent;

/**
 * A case event this release cannot read (an unknown type or schema version, an upcaster that
 * refuses it): kept out of `caseEvents` so one bad event fails no batch; each projection parks it
 * (docs/architecture.md, "Parked events"). `error` is the decoder's message, never the body.
 */
export interface UndecodableEvent extends LogEntry {
  error: string;
}

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
    /** The case events of the batch that could not be decoded, in log order. */
    readonly undecodable: readonly UndecodableEvent[] = [],
  ) {}

  static readonly EMPTY = new LogBatch([], []);

  /**
   * Decodes (upcasts) the case events of `events` once. Other streams of the log (case-number
   * sequences, the directory) are left out of `caseEvents`, by the domain's one rule for what a
   * case stream is. A case event `decode` throws on goes to `undecodable` instead.
   */
  static decode(events: readonly RecordedEvent[], decode: CaseEventDecoder = decodeCaseEvent): LogBatch {
    const caseEvents: RecordedCaseEvent[] = [];
    const undecodable: UndecodableEvent[] = [];
    for (const recorded of events) {
      if (!isCaseStream(recorded.streamId)) continue;
      const metadata = caseEventMetadata(recorded);
      // Decoded with its personal part, because an upcaster may move fields between data and
      // personal; only the decoded result is stripped.
      let decoded: CaseEvent;
      try {
        decoded = decode(recorded);
      } catch (error) {
        const { id, streamId, revision, position, type } = recorded;
        undecodable.push({ id, streamId, revision, position, type, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      caseEvents.push({
        caseId: metadata.caseId,
        revision: recorded.revision,
        position: recorded.position,
        metadata,
        event: withoutPersonal(decoded),
      });
    }
    return new LogBatch(events, caseEvents, undecodable);
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
    return this.select((at) => at > position);
  }

  /** The events of the batch whose position `keep` accepts, without decoding anything again (parking splits batches with it). */
  select(keep: (position: bigint) => boolean): LogBatch {
    return new LogBatch(
      this.entries.filter((entry) => keep(entry.position)),
      this.caseEvents.filter((recorded) => keep(recorded.position)),
      this.undecodable.filter((entry) => keep(entry.position)),
    );
  }
}

function withoutPersonal(event: CaseEvent): CaseEvent {
  if (event.personal === undefined) return event;
  const { personal: _personal, ...rest } = event;
  return rest as CaseEvent;
}
