import { Tag, Timeline, Typography } from 'antd';
import type { HistoryEntry } from '../api/responses';
import {
  CHANNEL_LABEL,
  DISPUTE_OUTCOME_LABEL,
  EVENT_LABEL,
  LINK_RELATION_LABEL,
  MEDIATION_TYPE_LABEL,
  MILESTONE_LABEL,
  PETITION_OUTCOME_LABEL,
  REEXAMINATION_DECISION_LABEL,
  ROLE_LABEL,
  SATISFACTION_LABEL,
  SOURCE_LABEL,
  URGENCY_LABEL,
  label,
} from '../format/labels';
import { formatTime } from '../format/time';

/** Marks the overlays a supervisor looks for in a history: extensions, supervision orders, warnings and misses. */
const MARKS: Partial<Record<HistoryEntry['type'], { text: string; color: string }>> = {
  ExtensionRequested: { text: '延期', color: 'orange' },
  ExtensionDecided: { text: '延期', color: 'orange' },
  SupervisionIssued: { text: '督办', color: 'red' },
  SupervisionAnswered: { text: '督办', color: 'red' },
  DeadlineWarningIssued: { text: '预警', color: 'orange' },
  DeadlineMissed: { text: '超期', color: 'red' },
  CaseReopened: { text: '重办', color: 'purple' },
  CaseReturned: { text: '退单', color: 'gold' },
  CaseUrged: { text: '催办', color: 'red' },
  CaseWithdrawn: { text: '撤单', color: 'default' },
  PersonalDataRevealed: { text: '个人信息', color: 'cyan' },
  PersonalDataDestroyed: { text: '个人信息', color: 'cyan' },
};

/** Chinese names of the data fields the history carries, and how their values read. */
const FIELD_LABEL: Record<string, string> = {
  note: '意见',
  reason: '理由',
  referredTo: '告知去向',
  unit: '单位',
  instructions: '交办意见',
  text: '内容',
  internal: '仅内部',
  days: '天数',
  approved: '审批',
  outcome: '结果',
  reply: '答复',
  mediationType: '调解类型',
  agreement: '协议',
  referral: '引导去向',
  satisfaction: '满意度',
  solved: '是否解决',
  instruction: '督办意见',
  dueAt: '期限',
  answer: '反馈',
  decision: '结论',
  opinion: '意见',
  relation: '关系',
  targetId: '关联案件',
  milestone: '时限节点',
  startedAt: '起算',
  cause: '原因',
  title: '标题',
  community: '社区',
  category: '类别',
  channel: '形式',
  source: '来源',
  urgency: '紧急程度',
  platformTicketNo: '平台工单号',
  platformDeadline: '平台时限',
  fields: '字段',
};

/** Data fields that add nothing on a timeline line (ids, the kind, versions). */
const HIDDEN = new Set([
  'caseId',
  'orgId',
  'number',
  'kind',
  'version',
  'requestId',
  'supervisionId',
  'personId',
  'description',
  'provisional',
  'by',
]);

function valueText(key: string, value: unknown, unitName: (code: string) => string): string {
  if (typeof value === 'boolean') {
    if (key === 'approved') return value ? '批准' : '不批准';
    if (key === 'solved') return value ? '已解决' : '未解决';
    return value ? '是' : '否';
  }
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatTime(value);
    if (key === 'unit') return unitName(value);
    if (key === 'milestone') return label(MILESTONE_LABEL, value);
    if (key === 'channel') return label(CHANNEL_LABEL, value);
    if (key === 'source') return label(SOURCE_LABEL, value);
    if (key === 'urgency') return label(URGENCY_LABEL, value);
    if (key === 'satisfaction') return label(SATISFACTION_LABEL, value);
    if (key === 'mediationType') return label(MEDIATION_TYPE_LABEL, value);
    if (key === 'decision') return label(REEXAMINATION_DECISION_LABEL, value);
    if (key === 'relation') return label(LINK_RELATION_LABEL, value);
    if (key === 'outcome') return label({ ...PETITION_OUTCOME_LABEL, ...DISPUTE_OUTCOME_LABEL }, value);
    if (key === 'cause') return label({ started: '起算', extended: '延期', restarted: '重新计时' }, value);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => valueText(key, item, unitName)).join('、');
  return JSON.stringify(value);
}

function details(entry: HistoryEntry, unitName: (code: string) => string): string {
  return Object.entries(entry.data)
    .filter(
      ([key, value]) => !HIDDEN.has(key) && !(key === 'reason' && entry.reason !== undefined) && value !== undefined && value !== null,
    )
    .map(([key, value]) => `${FIELD_LABEL[key] ?? key}：${valueText(key, value, unitName)}`)
    .join('；');
}

function who(entry: HistoryEntry, unitName: (code: string) => string): string {
  const role = label(ROLE_LABEL, entry.actor.role);
  return [entry.actor.id, role, entry.actor.unit === undefined ? undefined : unitName(entry.actor.unit)].filter(Boolean).join(' · ');
}

/** Every event of the case, oldest first: what, who (id, role, unit), when it happened and when it was recorded, why. */
export function CaseTimeline({ events, asOf, unitName }: { events: HistoryEntry[]; asOf?: string; unitName: (code: string) => string }) {
  const cutoff = asOf === undefined ? undefined : Date.parse(asOf);
  return (
    <Timeline
      items={events.map((entry) => {
        const mark = MARKS[entry.type];
        const later = cutoff !== undefined && Date.parse(entry.recordedAt) > cutoff;
        const line = details(entry, unitName);
        return {
          key: `${entry.revision}`,
          color: later ? 'gray' : (mark?.color ?? (entry.type === 'DeadlineSet' ? 'gray' : 'blue')),
          content: (
            <div style={{ opacity: later ? 0.45 : 1 }} data-testid="timeline-entry">
              <div>
                <Typography.Text strong>{label(EVENT_LABEL, entry.type)}</Typography.Text>
                {mark !== undefined && (
                  <Tag color={mark.color} style={{ marginInlineStart: 8 }}>
                    {mark.text}
                  </Tag>
                )}
                {later && <Tag>所选时刻之后</Tag>}
                <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                  {who(entry, unitName)}
                </Typography.Text>
              </div>
              <div style={{ fontSize: 12, color: '#595959' }}>
                发生 {formatTime(entry.occurredAt)}
                {formatTime(entry.occurredAt) !== formatTime(entry.recordedAt) && ` · 记录 ${formatTime(entry.recordedAt)}`}
              </div>
              {entry.reason !== undefined && <div>理由：{entry.reason}</div>}
              {line !== '' && <div style={{ color: '#434343' }}>{line}</div>}
            </div>
          ),
        };
      })}
    />
  );
}
