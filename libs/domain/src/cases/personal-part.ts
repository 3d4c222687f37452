import type { CaseEvent, CaseEventType } from './case.events';
import { isIntakeEvent } from './case.events';

/**
 * The event types that can state a case's people: the intakes, and the ticket amendment that may
 * replace the caller. A reader after the people need decode no other event of the stream.
 */
export const PEOPLE_STATING_EVENT_TYPES: readonly CaseEventType[] = [
  'PetitionRegistered',
  'HotlineTicketReceived',
  'DisputeRegistered',
  'HotlineTicketAmended',
];

/**
 * The personal part that states the case's people as they stand (SPEC §7): the intake's, unless a
 * later ticket amendment replaced or removed the caller (`HotlineTicketAmended` naming `caller`),
 * in which case that amendment's (undefined when it removed the caller). Events in stream order;
 * events of other types are passed over.
 */
export function currentPersonalPart(events: readonly CaseEvent[]): unknown {
  let current: unknown;
  for (const event of events) {
    if (isIntakeEvent(event)) current = event.personal;
    else if (event.type === 'HotlineTicketAmended' && event.data.changed.includes('caller')) current = event.personal;
  }
  return current;
}
