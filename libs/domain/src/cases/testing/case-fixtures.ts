import type { Actor } from '../../shared/actor';
import type { CaseEvent, CaseEventType, DeadlineSet, DisputeRegistered, HotlineTicketReceived, PetitionRegistered } from '../case.events';
import type { Milestone } from '../case.types';

/** Fixed ids, actors and instants shared by the case specs. */

export const CASE_ID = 'case-0001';
export const OTHER_CASE_ID = 'case-0002';
export const ORG_ID = 'org-dayanta';
export const UNIT_A = 'unit-qujiang-community';
export const UNIT_B = 'unit-urban-management';

export const DESK: Actor = { id: 'user-desk', role: 'desk' };
export const UNIT_A_USER: Actor = { id: 'user-unit-a', role: 'unit', unit: UNIT_A };
export const UNIT_B_USER: Actor = { id: 'user-unit-b', role: 'unit', unit: UNIT_B };
export const SUPERVISOR: Actor = { id: 'user-supervisor', role: 'supervisor' };
export const ADMIN: Actor = { id: 'user-admin', role: 'admin' };
export const SCHEDULER: Actor = { id: 'scheduler', role: 'system' };

export const REGISTERED_AT = '2026-03-02T01:00:00.000Z';
export const ACCEPTED_AT = '2026-03-03T01:00:00.000Z';
export const DISPATCHED_AT = '2026-03-04T01:00:00.000Z';
export const SIGNED_AT = '2026-03-04T06:00:00.000Z';
export const RESOLVED_AT = '2026-03-10T01:00:00.000Z';
export const REVIEWED_AT = '2026-03-11T01:00:00.000Z';
/** The server clock of a spec's command unless it says otherwise. */
export const NOW = '2026-03-12T01:00:00.000Z';

type EventOf<Type extends CaseEventType> = Extract<CaseEvent, { type: Type }>;

/** An event without personal data, as a decider would record it. */
export function event<Type extends CaseEventType>(
  type: Type,
  data: EventOf<Type>['data'],
  occurredAt: string,
  actor: Actor = DESK,
): EventOf<Type> {
  return { type, data, occurredAt, actor } as EventOf<Type>;
}

export function deadlineSet(
  milestone: Milestone,
  startedAt: string,
  dueAt: string,
  options: { version?: number; cause?: DeadlineSet['data']['cause']; provisional?: boolean; at?: string; actor?: Actor } = {},
): DeadlineSet {
  const { version = 1, cause = 'started', provisional = false, at = startedAt, actor = DESK } = options;
  return event('DeadlineSet', { milestone, version, startedAt, dueAt, provisional, cause }, at, actor);
}

export function petitionRegistered(at = REGISTERED_AT): PetitionRegistered {
  return {
    type: 'PetitionRegistered',
    data: {
      caseId: CASE_ID,
      orgId: ORG_ID,
      number: 'XF2026-0001',
      title: '小区加装电梯意见分歧',
      description: '一楼住户反对加装电梯，要求街道协调',
      community: '曲江社区',
      kind: 'petition',
      channel: 'visit',
    },
    personal: { petitioner: { name: '张三', phone: '13800001234' } },
    occurredAt: at,
    actor: DESK,
  };
}

export function hotlineTicketReceived(options: { urgency?: 'normal' | 'urgent'; platformDeadline?: string } = {}): HotlineTicketReceived {
  return {
    type: 'HotlineTicketReceived',
    data: {
      caseId: CASE_ID,
      orgId: ORG_ID,
      number: 'RX2026-0001',
      title: '夜间施工噪音扰民',
      description: '工地夜间十一点后仍在施工',
      community: '曲江社区',
      kind: 'hotline',
      platformTicketNo: '12345-20260302-0042',
      urgency: options.urgency ?? 'normal',
      ...(options.platformDeadline !== undefined && { platformDeadline: options.platformDeadline }),
    },
    personal: { caller: { phone: '13900005678' } },
    occurredAt: REGISTERED_AT,
    actor: DESK,
  };
}

export function disputeRegistered(): DisputeRegistered {
  return {
    type: 'DisputeRegistered',
    data: {
      caseId: CASE_ID,
      orgId: ORG_ID,
      number: 'JF2026-0001',
      title: '邻里漏水纠纷',
      description: '楼上卫生间漏水导致楼下墙面受损',
      community: '曲江社区',
      kind: 'dispute',
      source: 'screening',
    },
    personal: {
      parties: [
        { name: '李四', role: 'applicant' },
        { name: '王五', role: 'respondent' },
      ],
    },
    occurredAt: REGISTERED_AT,
    actor: DESK,
  };
}

// ---- histories: each status of each kind, as the decider records it ----

const petitionRegisteredHistory: CaseEvent[] = [petitionRegistered(), deadlineSet('acceptance', REGISTERED_AT, '2026-03-17T01:00:00.000Z')];
const petitionAcceptedHistory: CaseEvent[] = [
  ...petitionRegisteredHistory,
  event('CaseAccepted', {}, ACCEPTED_AT),
  deadlineSet('reply', ACCEPTED_AT, '2026-05-02T01:00:00.000Z'),
];
const petitionDispatchedHistory: CaseEvent[] = [...petitionAcceptedHistory, event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT)];
const petitionInProgressHistory: CaseEvent[] = [
  ...petitionDispatchedHistory,
  event('CaseSigned', { unit: UNIT_A }, SIGNED_AT, UNIT_A_USER),
];
const petitionResolvedHistory: CaseEvent[] = [
  ...petitionInProgressHistory,
  event('CaseResolved', { kind: 'petition', outcome: 'supported', reply: '已协调加装方案' }, RESOLVED_AT, UNIT_A_USER),
];
const petitionClosedHistory: CaseEvent[] = [
  ...petitionResolvedHistory,
  event('CaseReviewed', {}, REVIEWED_AT),
  event('CaseClosed', { by: 'review' }, REVIEWED_AT),
];

export const REEXAMINATION_REQUESTED_AT = '2026-03-11T02:00:00.000Z';

export const petitionHistory = {
  registered: petitionRegisteredHistory,
  accepted: petitionAcceptedHistory,
  rejected: [...petitionRegisteredHistory, event('CaseRejected', { reason: '不属于信访事项', referredTo: '区法院' }, ACCEPTED_AT)],
  dispatched: petitionDispatchedHistory,
  in_progress: petitionInProgressHistory,
  resolved: petitionResolvedHistory,
  reexamination: [
    ...petitionClosedHistory,
    event('ReexaminationRequested', { reason: '对答复不服' }, REEXAMINATION_REQUESTED_AT),
    deadlineSet('reexamination', REEXAMINATION_REQUESTED_AT, '2026-04-10T02:00:00.000Z'),
  ],
  closed: petitionClosedHistory,
} satisfies Record<string, CaseEvent[]>;

const hotlineAcceptedHistory: CaseEvent[] = [hotlineTicketReceived()];
const hotlineDispatchedHistory: CaseEvent[] = [
  ...hotlineAcceptedHistory,
  event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT),
  deadlineSet('sign', DISPATCHED_AT, '2026-03-05T01:00:00.000Z'),
  deadlineSet('resolve', DISPATCHED_AT, '2026-03-09T01:00:00.000Z'),
];
const hotlineInProgressHistory: CaseEvent[] = [...hotlineDispatchedHistory, event('CaseSigned', { unit: UNIT_A }, SIGNED_AT, UNIT_A_USER)];
const hotlineResolvedHistory: CaseEvent[] = [
  ...hotlineInProgressHistory,
  event('CaseResolved', { kind: 'hotline', reply: '已责令停止夜间施工' }, RESOLVED_AT, UNIT_A_USER),
  deadlineSet('callback', RESOLVED_AT, '2026-03-12T01:00:00.000Z', { actor: UNIT_A_USER }),
];

export const hotlineHistory = {
  accepted: hotlineAcceptedHistory,
  dispatched: hotlineDispatchedHistory,
  in_progress: hotlineInProgressHistory,
  resolved: hotlineResolvedHistory,
  closed: [
    ...hotlineResolvedHistory,
    event('CaseReviewed', { satisfaction: 'satisfied', solved: true }, REVIEWED_AT),
    event('CaseClosed', { by: 'review' }, REVIEWED_AT),
  ],
} satisfies Record<string, CaseEvent[]>;

const disputeRegisteredHistory: CaseEvent[] = [disputeRegistered()];
const disputeAcceptedHistory: CaseEvent[] = [
  ...disputeRegisteredHistory,
  event('CaseAccepted', {}, ACCEPTED_AT),
  deadlineSet('mediation', ACCEPTED_AT, '2026-04-02T01:00:00.000Z'),
];
const disputeDispatchedHistory: CaseEvent[] = [...disputeAcceptedHistory, event('CaseDispatched', { unit: UNIT_A }, DISPATCHED_AT)];
const disputeInProgressHistory: CaseEvent[] = [...disputeDispatchedHistory, event('CaseSigned', { unit: UNIT_A }, SIGNED_AT, UNIT_A_USER)];
const disputeResolvedHistory: CaseEvent[] = [
  ...disputeInProgressHistory,
  event(
    'CaseResolved',
    { kind: 'dispute', outcome: 'mediated', mediationType: 'people', agreement: '楼上住户承担维修费用' },
    RESOLVED_AT,
    UNIT_A_USER,
  ),
];

export const disputeHistory = {
  registered: disputeRegisteredHistory,
  accepted: disputeAcceptedHistory,
  dispatched: disputeDispatchedHistory,
  in_progress: disputeInProgressHistory,
  resolved: disputeResolvedHistory,
  closed: [...disputeResolvedHistory, event('CaseReviewed', {}, REVIEWED_AT), event('CaseClosed', { by: 'review' }, REVIEWED_AT)],
} satisfies Record<string, CaseEvent[]>;
