import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import {
  DISPUTE_OUTCOMES,
  LINK_RELATIONS,
  MEDIATION_TYPES,
  PETITION_OUTCOMES,
  REEXAMINATION_DECISIONS,
  SATISFACTIONS,
  URGENCIES,
} from '@cases/domain/cases/case.types';
import { showFieldErrors } from '../api/form-errors';
import { ApiProblem, chineseFieldMessage, problemMessage, type FieldError } from '../api/problems';
import type { CaseView } from '../api/responses';
import {
  ACTION_LABEL,
  DISPUTE_OUTCOME_LABEL,
  LINK_RELATION_LABEL,
  MEDIATION_TYPE_LABEL,
  PETITION_OUTCOME_LABEL,
  REEXAMINATION_DECISION_LABEL,
  SATISFACTION_LABEL,
  URGENCY_LABEL,
} from '../format/labels';
import { formatTime, officeInstant } from '../format/time';
import { runAction, type ActionBody } from './run-action';
import { UnitPicker } from './UnitPicker';

const required = (what: string) => ({ required: true, whitespace: true, message: `请填写${what}` });
const chosen = (what: string) => ({ required: true, message: `请选择${what}` });
const text = (name: string, label: string, rules: object[] = [], rows = 3) => (
  <Form.Item key={name} name={name} label={label} rules={rules}>
    <Input.TextArea rows={rows} />
  </Form.Item>
);
const options = <T extends string>(values: readonly T[], labels: Record<T, string>) =>
  values.map((value) => ({ value, label: labels[value] }));

/** The fields of each command's small form. */
function fieldsFor(action: LifecycleAction, view: CaseView): ReactNode {
  switch (action) {
    case 'accept':
      return text('note', '受理意见');
    case 'reject':
      return (
        <>
          {text('reason', '不予受理理由', [required('理由')])}
          <Form.Item name="referredTo" label="告知向何部门反映">
            <Input />
          </Form.Item>
        </>
      );
    case 'dispatch':
      return (
        <>
          <Form.Item name="unit" label="承办单位" rules={[required('承办单位')]}>
            <UnitPicker />
          </Form.Item>
          {text('instructions', '交办意见')}
        </>
      );
    case 'sign':
      return <p>签收后案件进入办理中，办结时限继续计算。</p>;
    case 'return':
      return text('reason', '退单理由', [required('退单理由')]);
    case 'progress':
      return text('text', '办理进展', [required('办理进展')]);
    case 'note':
      return (
        <>
          {text('text', '备注内容', [required('备注内容')])}
          <Form.Item name="internal" valuePropName="checked">
            <Checkbox>仅内部可见</Checkbox>
          </Form.Item>
        </>
      );
    case 'request-extension':
      return (
        <>
          <Form.Item name="days" label="延期天数" rules={[{ required: true, message: '请填写延期天数' }]}>
            <InputNumber min={1} max={365} suffix="天" />
          </Form.Item>
          {text('reason', '延期理由', [required('延期理由')])}
        </>
      );
    case 'decide-extension': {
      const pending = view.extensions.find((extension) => extension.decision === undefined);
      return (
        <>
          {pending !== undefined && (
            <Alert
              type="info"
              title={`申请延期 ${pending.days} 天：${pending.reason}（${formatTime(pending.requestedAt)}）`}
              style={{ marginBottom: 16 }}
            />
          )}
          <Form.Item name="approved" label="审批结果" rules={[chosen('审批结果')]}>
            <Radio.Group
              options={[
                { value: true, label: '批准' },
                { value: false, label: '不批准' },
              ]}
            />
          </Form.Item>
          {text('reason', '审批意见')}
        </>
      );
    }
    case 'resolve':
      if (view.kind === 'petition') {
        return (
          <>
            <Form.Item name="outcome" label="处理结果" rules={[chosen('处理结果')]}>
              <Select options={options(PETITION_OUTCOMES, PETITION_OUTCOME_LABEL)} />
            </Form.Item>
            {text('reply', '答复意见', [required('答复意见')], 4)}
          </>
        );
      }
      if (view.kind === 'hotline') return text('reply', '办理结果（回复市民）', [required('办理结果')], 4);
      return (
        <>
          <Form.Item name="outcome" label="调解结果" rules={[chosen('调解结果')]}>
            <Radio.Group options={options(DISPUTE_OUTCOMES, DISPUTE_OUTCOME_LABEL)} />
          </Form.Item>
          <Form.Item name="mediationType" label="调解类型" rules={[chosen('调解类型')]}>
            <Select options={options(MEDIATION_TYPES, MEDIATION_TYPE_LABEL)} />
          </Form.Item>
          {text('agreement', '协议内容')}
          {text('referral', '未调成的引导去向（诉讼、仲裁、行政途径）')}
        </>
      );
    case 'review':
      if (view.kind === 'hotline') {
        return (
          <>
            <Form.Item name="satisfaction" label="满意度" rules={[chosen('满意度')]}>
              <Radio.Group options={options(SATISFACTIONS, SATISFACTION_LABEL)} />
            </Form.Item>
            <Form.Item name="solved" label="问题是否解决" rules={[chosen('是否解决')]}>
              <Radio.Group
                options={[
                  { value: true, label: '已解决' },
                  { value: false, label: '未解决' },
                ]}
              />
            </Form.Item>
            {text('note', '回访记录')}
          </>
        );
      }
      return text('note', view.kind === 'dispute' ? '回访记录（协议履行情况）' : '回访记录');
    case 'reopen':
      return text('reason', '重办理由', [required('重办理由')]);
    case 'close':
      return text('note', '结案说明（如：群众无法联系）');
    case 'supervise':
      return (
        <>
          {text('instruction', '督办意见', [required('督办意见')])}
          <Form.Item name="dueAt" label="反馈期限">
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
        </>
      );
    case 'answer-supervision':
      return (
        <>
          <Form.Item name="supervisionId" label="督办事项" rules={[chosen('督办事项')]}>
            <Select
              options={view.supervisions
                .filter((supervision) => supervision.answer === undefined)
                .map((supervision) => ({
                  value: supervision.supervisionId,
                  label: `${formatTime(supervision.issuedAt)} ${supervision.instruction}`,
                }))}
            />
          </Form.Item>
          {text('answer', '反馈内容', [required('反馈内容')])}
        </>
      );
    case 'request-reexamination':
      return text('reason', '复查请求理由', [required('复查请求理由')]);
    case 'decide-reexamination':
      return (
        <>
          <Form.Item name="decision" label="复查结论" rules={[chosen('复查结论')]}>
            <Radio.Group options={options(REEXAMINATION_DECISIONS, REEXAMINATION_DECISION_LABEL)} />
          </Form.Item>
          {text('opinion', '复查意见', [required('复查意见')], 4)}
        </>
      );
    case 'urge':
      return text('note', '催办内容（平台电话或书面催办时）');
    case 'withdraw':
      return text('reason', '撤单原因', [required('撤单原因')]);
    case 'amend-ticket':
      return (
        <>
          <p>只填写需要更正的项，未填写的保持不变。</p>
          <Form.Item name="title" label="标题">
            <Input placeholder={view.title} />
          </Form.Item>
          {text('description', '诉求内容')}
          <Form.Item name="community" label="社区">
            <Input placeholder={view.community} />
          </Form.Item>
          <Form.Item name="category" label="分类">
            <Input />
          </Form.Item>
          <Form.Item name="urgency" label="紧急程度（下次交办起生效）">
            <Radio.Group options={options(URGENCIES, URGENCY_LABEL)} />
          </Form.Item>
          <Form.Item name="platformDeadline" label="平台办结时限（下次交办起生效）">
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
        </>
      );
    case 'link':
      return (
        <>
          <Form.Item name="targetId" label="关联案件的系统编号（UUID）" rules={[required('关联案件')]}>
            <Input />
          </Form.Item>
          <Form.Item name="relation" label="关联关系" rules={[chosen('关联关系')]}>
            <Radio.Group options={options(LINK_RELATIONS, LINK_RELATION_LABEL)} />
          </Form.Item>
        </>
      );
  }
}

type Values = Record<string, unknown> & { occurredAt?: Dayjs; dueAt?: Dayjs };

/** The body for the service: empty optional fields left out, times as instants with the office's offset. */
function bodyOf(values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    body[key] =
      typeof value === 'string' ? value.trim() : typeof value === 'object' && 'isValid' in value ? officeInstant(value as Dayjs) : value;
  }
  return body;
}

interface Props {
  action: LifecycleAction | null;
  view: CaseView;
  onClose(): void;
  /** After the service recorded the command. */
  onDone(): void;
  /** A 409 or 412: the case changed; the page should reload it. */
  onStale(message: string): void;
}

/** One lifecycle command as a small form in a dialog. */
export function ActionDialog({ action, view, onClose, onDone, onStale }: Props) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ text: string; unplaced: FieldError[] } | null>(null);

  async function submit(values: Values) {
    if (action === null) return;
    setBusy(true);
    setFailure(null);
    try {
      await runAction(action, view.id, bodyOf(values) as ActionBody<typeof action>, view.revision);
      message.success(`${ACTION_LABEL[action]}已记录`);
      form.resetFields();
      onDone();
    } catch (error) {
      if (error instanceof ApiProblem && (error.status === 409 || error.status === 412)) {
        form.resetFields();
        onStale(problemMessage(error));
        return;
      }
      setFailure({ text: problemMessage(error), unplaced: showFieldErrors(form, error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={action !== null}
      title={action === null ? '' : `${ACTION_LABEL[action]} · ${view.number}`}
      onCancel={() => {
        setFailure(null);
        form.resetFields();
        onClose();
      }}
      footer={null}
      destroyOnHidden
      width={560}
    >
      {action !== null && (
        <Form<Values> form={form} layout="vertical" onFinish={submit} aria-label={ACTION_LABEL[action]}>
          {failure !== null && (
            <Alert
              type="error"
              showIcon
              role="alert"
              title={failure.text}
              description={
                failure.unplaced.length > 0 ? failure.unplaced.map((error) => chineseFieldMessage(error.message)).join('；') : undefined
              }
              style={{ marginBottom: 16 }}
            />
          )}
          {fieldsFor(action, view)}
          <Form.Item name="occurredAt" label="实际发生时间（补录时填写，默认为现在）">
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
          <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
            <Button onClick={onClose}>取消</Button>
            <Button type="primary" htmlType="submit" loading={busy}>
              确认{ACTION_LABEL[action]}
            </Button>
          </Space>
        </Form>
      )}
    </Modal>
  );
}
