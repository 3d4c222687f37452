import { randomUUID } from 'node:crypto';
import { caseNumberStreamId, encodeCaseEvent, isIntakeEvent, type CaseEvent, type CaseKind } from '@cases/domain';
import type { EventData, EventStore } from '@cases/event-store';
import {
  caseAccepted,
  caseClosed,
  caseDispatched,
  caseRejected,
  caseResolved,
  caseReturned,
  caseReviewed,
  caseSigned,
  deadlineSet,
  disputeRegistered,
  hotlineTicketReceived,
  noteAdded,
  ORG_ID,
  petitionRegistered,
  SCHEDULER,
} from './case-events';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const UNITS = ['城管执法中队', '雁塔社区', '小寨社区', '市政所'];
const COMMUNITIES = ['雁塔社区', '小寨社区', '等驾坡社区'];

/** One command's worth of events, appended together like the pipeline does. */
type Step = CaseEvent[];

/**
 * Writes an interleaved log of `caseCount` cases of every kind, each taken a random number of
 * steps along the closed loop (returns, rejections, reviews, scheduler warnings), with case-number
 * counter events in between, as the service would. The same seed gives the same cases (ids
 * included), steps and interleaving, so a failure can be replayed; different seeds give different
 * case ids. Returns the ids of the cases.
 */
export async function appendGeneratedCases(store: EventStore, caseCount: number, seed: number): Promise<string[]> {
  const random = seededRandom(seed);
  const scripts = Array.from({ length: caseCount }, (_, index) => caseScript(seed, index, random));
  const revisions = new Map<string, bigint>();
  while (scripts.some((script) => script.steps.length > 0)) {
    const pending = scripts.filter((script) => script.steps.length > 0);
    const script = pending[Math.floor(random() * pending.length)];
    const step = script.steps.shift() as Step;
    if (isIntakeEvent(step[0])) {
      await store.append(caseNumberStreamId(ORG_ID, script.kind, 2026), [counterEvent(script.caseId, script.kind)]);
    }
    const streamId = `case-${script.caseId}`;
    const revision = revisions.get(streamId);
    const result = await store.append(
      streamId,
      step.map((event) => storedEvent(script.caseId, event)),
      revision ?? 'no_stream',
    );
    revisions.set(streamId, result.nextExpectedRevision);
  }
  return scripts.map((script) => script.caseId);
}

interface CaseScript {
  caseId: string;
  kind: CaseKind;
  steps: Step[];
}

function caseScript(seed: number, index: number, random: () => number): CaseScript {
  const caseId = `${hex(seed, 8)}-0000-4000-8000-${hex(index, 12)}`;
  const kind = (['petition', 'hotline', 'dispute'] as const)[index % 3];
  const start = Date.UTC(2026, 2, 2, 1) + index * 7 * HOUR_MS;
  let clock = start;
  const at = (hours = 1 + Math.floor(random() * 30)): string => new Date((clock += hours * HOUR_MS)).toISOString();
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const number = `${{ petition: 'XF', hotline: 'RX', dispute: 'JF' }[kind]}2026-${String(index + 1).padStart(4, '0')}`;
  const intake = {
    number,
    title: `事项 ${index + 1}`,
    description: `描述 ${index + 1}`,
    community: pick(COMMUNITIES),
  };
  const registeredAt = new Date(start).toISOString();
  const unit = pick(UNITS);
  const steps: Step[] = [];

  if (kind === 'hotline') {
    const urgency = pick(['normal', 'urgent'] as const);
    steps.push([hotlineTicketReceived(caseId, registeredAt, { ...intake, platformTicketNo: `GD-${index}`, urgency })]);
  } else {
    const registered =
      kind === 'petition' ? petitionRegistered(caseId, registeredAt, intake) : disputeRegistered(caseId, registeredAt, intake);
    steps.push([registered, deadlineSet('acceptance', registeredAt, due(registeredAt, 15))]);
    if (random() < 0.15) {
      steps.push([caseRejected(at(), '不属于受理范围')]);
      return { caseId, kind, steps };
    }
    const acceptedAt = at();
    const milestone = kind === 'petition' ? 'reply' : 'mediation';
    steps.push([caseAccepted(acceptedAt), deadlineSet(milestone, acceptedAt, due(acceptedAt, 30))]);
  }
  const dispatchedAt = at();
  steps.push([caseDispatched(dispatchedAt, unit), ...hotlineDispatchDeadlines(kind, dispatchedAt, 1, 'started')]);
  if (kind === 'hotline' && random() < 0.3) {
    steps.push([
      {
        type: 'DeadlineWarningIssued',
        data: { milestone: 'sign', version: 1, dueAt: due(dispatchedAt, 1) },
        occurredAt: at(),
        actor: SCHEDULER,
      },
    ]);
  }
  if (random() < 0.2) {
    steps.push([caseReturned(at(), unit, '不属于本单位职责')]);
    const redispatchedAt = at();
    steps.push([caseDispatched(redispatchedAt, unit), ...hotlineDispatchDeadlines(kind, redispatchedAt, 2, 'restarted')]);
  }
  steps.push([caseSigned(at(), unit)]);
  if (random() < 0.5) steps.push([noteAdded(at(), '已联系当事人')]);
  const resolvedAt = at();
  const callback = kind === 'hotline' ? [deadlineSet('callback', resolvedAt, due(resolvedAt, 2))] : [];
  steps.push([caseResolved(kind, resolvedAt, unit), ...callback]);
  const satisfaction = kind === 'hotline' ? pick(['satisfied', 'basically-satisfied', 'unsatisfied'] as const) : undefined;
  steps.push([caseReviewed(at(), satisfaction)]);
  steps.push([caseClosed(at())]);
  // Each case stops somewhere along its loop, so the log holds cases in every state.
  return { caseId, kind, steps: steps.slice(0, 1 + Math.floor(random() * steps.length)) };
}

/** A dispatch starts a hotline ticket's sign and resolve deadlines; other kinds count from acceptance. */
function hotlineDispatchDeadlines(kind: CaseKind, dispatchedAt: string, version: number, cause: 'started' | 'restarted'): CaseEvent[] {
  if (kind !== 'hotline') return [];
  return [
    deadlineSet('sign', dispatchedAt, due(dispatchedAt, 1), version, cause),
    deadlineSet('resolve', dispatchedAt, due(dispatchedAt, 5), version, cause),
  ];
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

function due(from: string, days: number): string {
  return new Date(Date.parse(from) + days * DAY_MS).toISOString();
}

function storedEvent(caseId: string, event: CaseEvent): EventData {
  const stored = encodeCaseEvent(event, {
    orgId: ORG_ID,
    caseId,
    command: event.type,
    recordedAt: event.occurredAt,
    correlationId: randomUUID(),
    causationId: null,
  });
  return {
    id: randomUUID(),
    type: stored.type,
    data: stored.data,
    personal: stored.personal,
    metadata: { ...stored.metadata },
  };
}

function counterEvent(caseId: string, kind: CaseKind): EventData {
  return {
    id: randomUUID(),
    type: 'CaseNumberAllocated',
    data: { caseId },
    personal: null,
    metadata: { orgId: ORG_ID, kind, year: 2026 },
  };
}

/** mulberry32: a tiny deterministic generator, so a failing run can be reproduced from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
