import type {
  Actor,
  CaseAccepted,
  CaseClosed,
  CaseDispatched,
  CaseEvent,
  CaseKind,
  CaseRejected,
  CaseResolved,
  CaseReturned,
  CaseReviewed,
  CaseSigned,
  DeadlineSet,
  DisputeRegistered,
  HotlineTicketReceived,
  Milestone,
  PetitionRegistered,
} from '@cases/domain';

/** Hand-built case events for specs: valid defaults, every field overridable. */

export const ORG_ID = 'org-dayanta';
export const DESK: Actor = { id: 'desk-1', role: 'desk' };
export const SUPERVISOR: Actor = { id: 'supervisor-1', role: 'supervisor' };
export const SCHEDULER: Actor = { id: 'scheduler', role: 'system' };

export function unitUser(unit: string): Actor {
  return { id: `user-of-${unit}`, role: 'unit', unit };
}

interface IntakeOverrides {
  number?: string;
  title?: string;
  description?: string;
  community?: string;
  orgId?: string;
}

export function petitionRegistered(caseId: string, at: string, overrides: IntakeOverrides = {}): PetitionRegistered {
  return {
    type: 'PetitionRegistered',
    data: {
      caseId,
      orgId: ORG_ID,
      kind: 'petition',
      number: 'XF2026-0001',
      title: '小区噪音扰民',
      description: '夜间施工噪音持续到凌晨',
      community: '雁塔社区',
      channel: 'visit',
      ...overrides,
    },
    personal: { petitioner: { name: '张三', phone: '13800001234', idNumber: '610113199001011234' } },
    occurredAt: at,
    actor: DESK,
  };
}

export function hotlineTicketReceived(
  caseId: string,
  at: string,
  overrides: IntakeOverrides & { platformTicketNo?: string; urgency?: 'normal' | 'urgent' } = {},
): HotlineTicketReceived {
  return {
    type: 'HotlineTicketReceived',
    data: {
      caseId,
      orgId: ORG_ID,
      kind: 'hotline',
      number: 'RX2026-0001',
      title: '路灯不亮',
      description: '小寨路口路灯损坏',
      community: '小寨社区',
      platformTicketNo: 'GD20260302-000123',
      urgency: 'normal',
      ...overrides,
    },
    personal: { caller: { name: '李四', phone: '13900005678' } },
    occurredAt: at,
    actor: DESK,
  };
}

export function disputeRegistered(caseId: string, at: string, overrides: IntakeOverrides = {}): DisputeRegistered {
  return {
    type: 'DisputeRegistered',
    data: {
      caseId,
      orgId: ORG_ID,
      kind: 'dispute',
      number: 'JF2026-0001',
      title: '邻里漏水纠纷',
      description: '楼上漏水损坏楼下吊顶',
      community: '等驾坡社区',
      source: 'screening',
      ...overrides,
    },
    personal: { parties: [{ name: '王五' }, { name: '赵六' }] },
    occurredAt: at,
    actor: DESK,
  };
}

export function deadlineSet(
  milestone: Milestone,
  startedAt: string,
  dueAt: string,
  version = 1,
  cause: DeadlineSet['data']['cause'] = 'started',
): DeadlineSet {
  return {
    type: 'DeadlineSet',
    data: { milestone, version, startedAt, dueAt, provisional: false, cause },
    occurredAt: startedAt,
    actor: SCHEDULER,
  };
}

export function caseAccepted(at: string): CaseAccepted {
  return { type: 'CaseAccepted', data: {}, occurredAt: at, actor: DESK };
}

export function caseRejected(at: string, reason: string): CaseRejected {
  return { type: 'CaseRejected', data: { reason, referredTo: '区信访局' }, occurredAt: at, actor: DESK };
}

export function caseDispatched(at: string, unit: string): CaseDispatched {
  return { type: 'CaseDispatched', data: { unit, instructions: '三日内反馈' }, occurredAt: at, actor: DESK };
}

export function caseSigned(at: string, unit: string): CaseSigned {
  return { type: 'CaseSigned', data: { unit }, occurredAt: at, actor: unitUser(unit) };
}

export function caseReturned(at: string, unit: string, reason: string): CaseReturned {
  return { type: 'CaseReturned', data: { unit, reason }, occurredAt: at, actor: unitUser(unit) };
}

/** The resolution each kind records: a petition reply, a hotline reply, a mediation outcome. */
export function caseResolved(kind: CaseKind, at: string, unit: string): CaseResolved {
  const data: Record<CaseKind, CaseResolved['data']> = {
    petition: { kind: 'petition', outcome: 'supported', reply: '已协调施工方调整作业时间' },
    hotline: { kind: 'hotline', reply: '已更换灯具' },
    dispute: { kind: 'dispute', outcome: 'mediated', mediationType: 'people', agreement: '楼上赔偿维修费' },
  };
  return { type: 'CaseResolved', data: data[kind], occurredAt: at, actor: unitUser(unit) };
}

export function caseReviewed(at: string, satisfaction?: CaseReviewed['data']['satisfaction']): CaseReviewed {
  return {
    type: 'CaseReviewed',
    data: satisfaction === undefined ? { note: '回访满意' } : { satisfaction, solved: satisfaction !== 'unsatisfied' },
    occurredAt: at,
    actor: DESK,
  };
}

export function caseClosed(at: string, by: CaseClosed['data']['by'] = 'review'): CaseClosed {
  return { type: 'CaseClosed', data: { by }, occurredAt: at, actor: DESK };
}

export function noteAdded(at: string, text: string): CaseEvent {
  return { type: 'NoteAdded', data: { text, internal: false }, occurredAt: at, actor: DESK };
}
