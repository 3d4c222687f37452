import type { CaseEventType } from '@cases/domain/cases/case.events';
import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import type {
  CaseKind,
  CaseStatus,
  DisputeOutcome,
  DisputeSource,
  LinkRelation,
  MediationType,
  Milestone,
  PetitionChannel,
  PetitionOutcome,
  ReexaminationDecision,
  Satisfaction,
  Urgency,
} from '@cases/domain/cases/case.types';
import type { KpiKey } from '@cases/domain/timeliness/kpi-definitions';
import type { Role } from '../api/client';
import type { DeadlineState } from '../api/responses';

/*
 * The Chinese name of every enumeration the API uses. Each table is typed by the domain's own
 * union, so a value added to the domain without a Chinese name here fails the console's typecheck.
 */

export const KIND_LABEL: Record<CaseKind, string> = { petition: '信访', hotline: '12345工单', dispute: '矛盾纠纷' };

export const STATUS_LABEL: Record<CaseStatus, string> = {
  registered: '已登记',
  accepted: '已受理',
  rejected: '不予受理',
  dispatched: '已交办',
  in_progress: '办理中',
  resolved: '已办结',
  reexamination: '复查中',
  closed: '已结案',
  withdrawn: '已撤单',
};

/** antd Tag colours by status: open work in blue shades, finished in green, refused in grey. */
export const STATUS_COLOR: Record<CaseStatus, string> = {
  registered: 'default',
  accepted: 'cyan',
  rejected: 'default',
  dispatched: 'blue',
  in_progress: 'processing',
  resolved: 'green',
  reexamination: 'purple',
  closed: 'success',
  withdrawn: 'default',
};

export const MILESTONE_LABEL: Record<Milestone, string> = {
  acceptance: '受理告知',
  reply: '办结答复',
  sign: '签收',
  resolve: '办结',
  callback: '回访',
  mediation: '调解',
  reexamination: '复查意见',
};

export const DEADLINE_STATE_LABEL: Record<DeadlineState | 'superseded', string> = {
  pending: '办理中',
  met: '按期完成',
  late: '超期完成',
  overdue: '已超期',
  superseded: '已重新计时',
};

export const DEADLINE_STATE_COLOR: Record<DeadlineState | 'superseded', string> = {
  pending: 'processing',
  met: 'success',
  late: 'warning',
  overdue: 'error',
  superseded: 'default',
};

export const CHANNEL_LABEL: Record<PetitionChannel, string> = {
  visit: '来访',
  letter: '来信',
  phone: '来电',
  online: '网上信访',
  transferred: '上级转交',
};

export const URGENCY_LABEL: Record<Urgency, string> = { normal: '一般', urgent: '紧急' };

export const SOURCE_LABEL: Record<DisputeSource, string> = {
  screening: '排查发现',
  grid: '网格员上报',
  'walk-in': '群众来访',
  referral: '部门移交',
};

export const PETITION_OUTCOME_LABEL: Record<PetitionOutcome, string> = {
  supported: '支持',
  'partially-supported': '部分支持',
  explained: '解释说明',
  'not-supported': '不支持',
};

export const DISPUTE_OUTCOME_LABEL: Record<DisputeOutcome, string> = { mediated: '调解成功', failed: '调解不成功' };

export const MEDIATION_TYPE_LABEL: Record<MediationType, string> = {
  people: '人民调解',
  administrative: '行政调解',
  judicial: '司法调解',
  joint: '联动调解',
};

export const SATISFACTION_LABEL: Record<Satisfaction, string> = {
  satisfied: '满意',
  'basically-satisfied': '基本满意',
  unsatisfied: '不满意',
};

export const REEXAMINATION_DECISION_LABEL: Record<ReexaminationDecision, string> = {
  upheld: '维持',
  changed: '变更',
  revoked: '撤销',
  remanded: '责令重新办理',
};

export const LINK_RELATION_LABEL: Record<LinkRelation, string> = { 'repeat-of': '重复信访', 'duplicate-of': '重复登记', related: '相关' };

export const ROLE_LABEL: Record<Role | 'system', string> = {
  desk: '综治中心工作人员',
  unit: '承办单位',
  supervisor: '领导/督办',
  admin: '系统管理员',
  system: '系统',
};

export const ACTION_LABEL: Record<LifecycleAction, string> = {
  accept: '受理',
  reject: '不予受理',
  dispatch: '交办',
  sign: '签收',
  return: '退单',
  progress: '记录进展',
  note: '备注',
  'request-extension': '申请延期',
  'decide-extension': '审批延期',
  resolve: '办结',
  review: '回访',
  reopen: '重办',
  close: '结案',
  supervise: '督办',
  'answer-supervision': '督办反馈',
  'request-reexamination': '申请复查',
  'decide-reexamination': '复查意见',
  link: '关联案件',
  urge: '催办',
  withdraw: '撤单',
  'amend-ticket': '工单更正',
};

export const EVENT_LABEL: Record<CaseEventType, string> = {
  PetitionRegistered: '信访登记',
  HotlineTicketReceived: '接收12345工单',
  DisputeRegistered: '纠纷登记',
  CaseAccepted: '受理',
  CaseRejected: '不予受理',
  CaseDispatched: '交办',
  CaseSigned: '签收',
  CaseReturned: '退单',
  ProgressRecorded: '办理进展',
  NoteAdded: '备注',
  ExtensionRequested: '申请延期',
  ExtensionDecided: '延期审批',
  CaseResolved: '办结',
  CaseReviewed: '回访',
  CaseReopened: '重办',
  CaseClosed: '结案',
  SupervisionIssued: '督办',
  SupervisionAnswered: '督办反馈',
  ReexaminationRequested: '申请复查',
  ReexaminationDecided: '复查意见',
  CaseLinked: '关联案件',
  CaseUrged: '平台催办',
  CaseWithdrawn: '平台撤单',
  HotlineTicketAmended: '工单更正',
  PersonalDataRevealed: '查看个人信息',
  PersonalDataDestroyed: '销毁个人信息',
  DeadlineSet: '设定时限',
  DeadlineWarningIssued: '时限预警',
  DeadlineMissed: '超期',
};

export const KPI_LABEL: Record<KpiKey, string> = {
  timelyAcceptance: '及时受理率',
  onTimeReply: '按期答复率',
  response: '响应率',
  onTimeResolution: '按期办结率',
  satisfaction: '满意率',
  solved: '解决率',
  firstTimeResolution: '初次信访一次性化解率',
  disputeResolution: '化解率',
};

/** The order the SPEC's table lists the KPIs in. */
export const KPI_ORDER: readonly KpiKey[] = [
  'timelyAcceptance',
  'onTimeReply',
  'response',
  'onTimeResolution',
  'satisfaction',
  'solved',
  'firstTimeResolution',
  'disputeResolution',
];

/** A label for a value from the service, which may be newer than this console: the raw value rather than nothing. */
export function label<K extends string>(table: Record<K, string>, value: string | undefined | null): string {
  if (value === undefined || value === null) return '—';
  return (table as Record<string, string>)[value] ?? value;
}
