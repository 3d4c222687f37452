import type { CaseEvent, HotlineTicketAmended } from './case.events';
import { isIntakeEvent, PERSONAL_DATA_EVENT_TYPES, SCHEDULER_EVENT_TYPES } from './case.events';
import type { Assignment, CaseIn, CaseRecord, CaseState, OpenedCase, Resolution } from './case.state';
import { INITIAL_CASE_STATE } from './case.state';
import { RESOLVING_MILESTONE } from './case.types';
import { dispatchedTo, reach, reopened, returned, setDeadline, updateDeadline, withdrawn } from './deadline-episodes';

/**
 * Folds one event into the case state. Pure and immutable: the state passed in is never changed.
 * Events are facts already recorded, so evolve does not validate business rules; it only refuses
 * a stream that cannot exist (a lifecycle event before the intake, or a second intake).
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') {
    return openCase(event);
  }
  const next = applyToOpenedCase(state, event);
  const eventCount = state.eventCount + 1;
  // Scheduler and personal-data records are not commands: they must not block back-dating a later step (SPEC §2).
  const lastCommandAt = NOT_COMMANDS.has(event.type) ? state.lastCommandAt : event.occurredAt;
  if (next === state) return { ...state, eventCount, lastCommandAt };
  // Any other result is an object applyToOpenedCase has just built for this call and nobody else
  // holds: it is completed in place instead of copied a second time (a rebuild folds every event
  // of the log, and the copy of ~25 fields was a large part of it, bench/rebuild.bench.ts).
  const fresh = next as CaseRecord;
  fresh.eventCount = eventCount;
  fresh.lastCommandAt = lastCommandAt;
  return next;
}

const NOT_COMMANDS: ReadonlySet<CaseEvent['type']> = new Set([...SCHEDULER_EVENT_TYPES, ...PERSONAL_DATA_EVENT_TYPES]);

export function foldCase(events: readonly CaseEvent[]): CaseState {
  return events.reduce(evolve, INITIAL_CASE_STATE);
}

function openCase(event: CaseEvent): OpenedCase {
  if (!isIntakeEvent(event)) {
    throw new Error(`A case stream must start with an intake event, not '${event.type}'`);
  }
  const { data } = event;
  const common = {
    id: data.caseId,
    orgId: data.orgId,
    number: data.number,
    title: data.title,
    description: data.description,
    community: data.community,
    ...(data.category !== undefined && { category: data.category }),
    registeredAt: event.occurredAt,
    lastCommandAt: event.occurredAt,
    deadlines: [],
    extensions: [],
    supervisions: [],
    links: [],
    reviews: [],
    eventCount: 1,
  };
  switch (data.kind) {
    case 'petition':
      return {
        ...common,
        kind: 'petition',
        status: 'registered',
        urgency: 'normal',
        channel: data.channel,
        ...(data.complainedUnits !== undefined && { complainedUnits: data.complainedUnits }),
      };
    case 'dispute':
      return { ...common, kind: 'dispute', status: 'registered', urgency: 'normal', source: data.source };
    case 'hotline':
      return {
        ...common,
        kind: 'hotline',
        // The 12345 platform has already accepted the ticket before it reaches the sub-district.
        status: 'accepted',
        urgency: data.urgency,
        platformTicketNo: data.platformTicketNo,
        ...(data.platformDeadline !== undefined && { platformDeadline: data.platformDeadline }),
      };
  }
}

function applyToOpenedCase(state: OpenedCase, event: CaseEvent): OpenedCase {
  const at = event.occurredAt;
  switch (event.type) {
    case 'PetitionRegistered':
    case 'HotlineTicketReceived':
    case 'DisputeRegistered':
      throw new Error(`Case ${state.id} already has an intake event; cannot apply '${event.type}'`);
    case 'CaseAccepted':
      return changeStatus(state, { status: 'accepted', deadlines: reach(state.deadlines, 'acceptance', at) });
    case 'CaseRejected':
      return changeStatus(state, {
        status: 'rejected',
        rejection: { ...event.data, rejectedAt: at },
        deadlines: reach(state.deadlines, 'acceptance', at),
      });
    case 'CaseDispatched':
      return changeStatus(state, {
        status: 'dispatched',
        unit: event.data.unit,
        dispatchedAt: at,
        deadlines: dispatchedTo(state.deadlines, event.data.unit, at),
      });
    case 'CaseSigned':
      return changeStatus(state, {
        ...assignmentOf(state, event),
        status: 'in_progress',
        deadlines: reach(state.deadlines, 'sign', at),
      });
    case 'CaseReturned':
      return changeStatus(state, { status: 'accepted', deadlines: returned(state.deadlines, at) });
    case 'ProgressRecorded':
    case 'NoteAdded':
      return state;
    case 'ExtensionRequested':
      return {
        ...state,
        extensions: [...state.extensions, { ...event.data, requestedAt: at, requestedBy: event.actor }],
      };
    case 'ExtensionDecided': {
      const { requestId, approved, reason } = event.data;
      const decision = { approved, ...(reason !== undefined && { reason }), decidedAt: at, decidedBy: event.actor };
      return {
        ...state,
        extensions: state.extensions.map((extension) => (extension.requestId === requestId ? { ...extension, decision } : extension)),
      };
    }
    case 'CaseResolved':
      return changeStatus(state, {
        ...assignmentOf(state, event),
        status: 'resolved',
        resolution: { ...event.data, resolvedAt: at },
        deadlines: reach(state.deadlines, RESOLVING_MILESTONE[event.data.kind], at),
      });
    case 'CaseReviewed':
      return {
        ...state,
        reviews: [...state.reviews, { ...event.data, reviewedAt: at }],
        deadlines: state.kind === 'hotline' ? reach(state.deadlines, 'callback', at) : state.deadlines,
      };
    case 'CaseReopened':
      // The earlier resolution stays in the history; the state describes the current one only.
      return changeStatus(state, {
        ...assignmentOf(state, event),
        status: 'in_progress',
        deadlines: reopened(state.deadlines, at),
      });
    case 'CaseClosed':
      return changeStatus(state, {
        ...assignmentOf(state, event),
        status: 'closed',
        resolution: resolutionOf(state, event),
        ...(state.reexamination !== undefined && { reexamination: state.reexamination }),
        closedAt: at,
        firstClosedAt: state.firstClosedAt ?? at,
        // Closing a hotline ticket without a review (citizen unreachable) also ends the call-back.
        deadlines: state.kind === 'hotline' ? reach(state.deadlines, 'callback', at) : state.deadlines,
      });
    case 'SupervisionIssued':
      return {
        ...state,
        supervisions: [...state.supervisions, { ...event.data, issuedAt: at, issuedBy: event.actor }],
      };
    case 'SupervisionAnswered': {
      const { supervisionId, answer } = event.data;
      return {
        ...state,
        supervisions: state.supervisions.map((supervision) =>
          supervision.supervisionId === supervisionId ? { ...supervision, answer, answeredAt: at, answeredBy: event.actor } : supervision,
        ),
      };
    }
    case 'ReexaminationRequested':
      return changeStatus(state, {
        ...assignmentOf(state, event),
        status: 'reexamination',
        resolution: resolutionOf(state, event),
        reexamination: { reason: event.data.reason, requestedAt: at },
      });
    case 'ReexaminationDecided': {
      if (state.status !== 'reexamination') throw impossible(state, event);
      return {
        ...state,
        reexamination: { ...state.reexamination, decision: { ...event.data, decidedAt: at } },
        deadlines: reach(state.deadlines, 'reexamination', at),
      };
    }
    case 'CaseLinked':
      return { ...state, links: [...state.links, { ...event.data }] };
    case 'CaseUrged':
      return { ...state, urges: [...(state.urges ?? []), { ...event.data, urgedAt: at }] };
    case 'CaseWithdrawn': {
      // The unit and the resolution it had stay: the history and the report still name who held it.
      const { unit, dispatchedAt, resolution } = state;
      return changeStatus(state, {
        ...(unit !== undefined && dispatchedAt !== undefined && { unit, dispatchedAt }),
        ...(resolution !== undefined && { resolution }),
        status: 'withdrawn',
        withdrawal: { reason: event.data.reason, withdrawnAt: at },
        deadlines: withdrawn(state.deadlines, at),
      });
    }
    case 'HotlineTicketAmended':
      return amended(state, event);
    case 'DeadlineSet':
      return { ...state, deadlines: setDeadline(state.deadlines, event.data, at, state.unit) };
    case 'DeadlineWarningIssued':
      return {
        ...state,
        deadlines: updateDeadline(state.deadlines, event.data.milestone, (deadline) => ({
          ...deadline,
          warnedVersion: Math.max(deadline.warnedVersion ?? 0, event.data.version),
        })),
      };
    case 'DeadlineMissed':
      return {
        ...state,
        deadlines: updateDeadline(state.deadlines, event.data.milestone, (deadline) => ({
          ...deadline,
          missedVersion: Math.max(deadline.missedVersion ?? 0, event.data.version),
        })),
      };
    case 'PersonalDataRevealed':
    case 'PersonalDataDestroyed':
      return state;
  }
}

/** The ticket's details as corrected: a changed field with no new value is removed (the caller is never part of state). */
function amended(state: OpenedCase, event: HotlineTicketAmended): OpenedCase {
  const next = { ...state };
  const { changed, ...values } = event.data;
  for (const field of changed) {
    if (field === 'caller') continue;
    const value = values[field];
    if (value !== undefined) (next as Record<string, unknown>)[field] = value;
    else delete (next as Record<string, unknown>)[field];
  }
  return next;
}

/** The fields that only some statuses have: a status change drops them and sets those its status knows. */
const STATUS_FIELDS: ReadonlySet<string> = new Set<keyof OpenedCase>([
  'status',
  'unit',
  'dispatchedAt',
  'rejection',
  'resolution',
  'reexamination',
  'closedAt',
  'withdrawal',
]);

/**
 * The state after a change of status: a new object with the fields every status shares, in the
 * state's order, and then `fields`, what the new status knows. Copied key by key into one new
 * object rather than with rest destructuring and then spread again: that was two copies per status
 * change, and the slowest part of folding the log in a rebuild (bench/rebuild.bench.ts).
 */
function changeStatus<Status extends OpenedCase['status']>(
  state: OpenedCase,
  fields: { status: Status } & Omit<CaseIn<Status>, keyof CaseRecord | 'status'> & Partial<CaseRecord>,
): CaseIn<Status> {
  const shared: Record<string, unknown> = {};
  for (const key in state) if (!STATUS_FIELDS.has(key)) shared[key] = state[key as keyof OpenedCase];
  return Object.assign(shared, fields) as unknown as CaseIn<Status>;
}

/** A recorded event the stream could not hold: a bug or a hand-edited log, never a business refusal. */
function impossible(state: OpenedCase, event: CaseEvent): Error {
  return new Error(`Case ${state.id} is '${state.status}': a '${event.type}' event cannot follow`);
}

/** The unit holding the case; every status from a dispatch to the end of the loop has one. */
function assignmentOf(state: OpenedCase, event: CaseEvent): Assignment {
  if (state.unit === undefined || state.dispatchedAt === undefined) throw impossible(state, event);
  return { unit: state.unit, dispatchedAt: state.dispatchedAt };
}

function resolutionOf(state: OpenedCase, event: CaseEvent): Resolution {
  if (state.resolution === undefined) throw impossible(state, event);
  return state.resolution;
}
