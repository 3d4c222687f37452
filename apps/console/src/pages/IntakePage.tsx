import { useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Divider, Form, Input, Radio, Row, Space, Tabs, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useNavigate, useParams } from 'react-router';
import { DISPUTE_SOURCES, PETITION_CHANNELS, URGENCIES, type CaseKind } from '@cases/domain/cases/case.types';
import { api } from '../api/client';
import { showFieldErrors } from '../api/form-errors';
import { IdempotencyKeys } from '../api/idempotency';
import { call, chineseFieldMessage, problemMessage, type FieldError } from '../api/problems';
import { CHANNEL_LABEL, KIND_LABEL, SOURCE_LABEL, URGENCY_LABEL } from '../format/labels';
import { officeInstant } from '../format/time';

const required = (what: string) => ({ required: true, whitespace: true, message: `请填写${what}` });
const maxLength = (max: number) => ({ max, message: `不能超过 ${max} 个字` });

/** Drops empty optional values: the service refuses nulls and blank strings, and absent is what they mean. */
function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value !== null && typeof value === 'object' && !('isValid' in value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => [key, compact(item)] as const)
      .filter(
        ([, item]) =>
          item !== undefined && item !== null && item !== '' && !(typeof item === 'object' && Object.keys(item as object).length === 0),
      );
    return Object.fromEntries(entries) as T;
  }
  return (typeof value === 'string' ? value.trim() : value) as T;
}

interface CommonFields {
  title: string;
  description: string;
  community: string;
  category?: string;
}

function CommonSection() {
  return (
    <>
      <Form.Item label="标题" name="title" rules={[required('标题'), maxLength(200)]}>
        <Input placeholder="一句话概括事项" />
      </Form.Item>
      <Form.Item label="内容/诉求" name="description" rules={[required('内容'), maxLength(10_000)]}>
        <Input.TextArea rows={4} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item label="所属社区" name="community" rules={[required('所属社区'), maxLength(100)]}>
            <Input placeholder="如：曲江社区" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item label="类别" name="category" rules={[maxLength(100)]}>
            <Input placeholder="如：城市管理（可选）" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

function PetitionFields() {
  return (
    <>
      <CommonSection />
      <Form.Item label="信访形式" name="channel" rules={[{ required: true, message: '请选择信访形式' }]}>
        <Radio.Group options={PETITION_CHANNELS.map((value) => ({ value, label: CHANNEL_LABEL[value] }))} />
      </Form.Item>
      <Divider titlePlacement="start">信访人</Divider>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item label="姓名" name={['petitioner', 'name']} rules={[required('信访人姓名'), maxLength(100)]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item label="联系电话" name={['petitioner', 'phone']}>
            <Input inputMode="tel" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item label="身份证号" name={['petitioner', 'idNumber']}>
            <Input />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item label="住址" name={['petitioner', 'address']} rules={[maxLength(200)]}>
        <Input />
      </Form.Item>
    </>
  );
}

function HotlineFields() {
  return (
    <>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item label="平台工单号" name="platformTicketNo" rules={[required('平台工单号'), maxLength(64)]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item label="紧急程度" name="urgency" rules={[{ required: true, message: '请选择紧急程度' }]}>
            <Radio.Group options={URGENCIES.map((value) => ({ value, label: URGENCY_LABEL[value] }))} />
          </Form.Item>
        </Col>
      </Row>
      <CommonSection />
      <Form.Item label="平台办结时限" name="platformDeadline" extra="平台未给出时按时限配置计算">
        <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
      </Form.Item>
      <Divider titlePlacement="start">来电人</Divider>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item label="姓名" name={['caller', 'name']} rules={[maxLength(100)]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item label="来电号码" name={['caller', 'phone']}>
            <Input inputMode="tel" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

function DisputeFields() {
  return (
    <>
      <CommonSection />
      <Form.Item label="来源" name="source" rules={[{ required: true, message: '请选择来源' }]}>
        <Radio.Group options={DISPUTE_SOURCES.map((value) => ({ value, label: SOURCE_LABEL[value] }))} />
      </Form.Item>
      <Divider titlePlacement="start">当事人</Divider>
      <Form.List
        name="parties"
        rules={[
          {
            validator: async (_rule, parties?: unknown[]) => {
              if (!parties || parties.length === 0) throw new Error('至少填写 1 名当事人');
            },
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <>
            {fields.map((field, index) => (
              <Row gutter={16} key={field.key} align="top">
                <Col span={7}>
                  <Form.Item label={`当事人${index + 1} 姓名`} name={[field.name, 'name']} rules={[required('姓名'), maxLength(100)]}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={7}>
                  <Form.Item label="联系电话" name={[field.name, 'phone']}>
                    <Input inputMode="tel" />
                  </Form.Item>
                </Col>
                <Col span={7}>
                  <Form.Item label="身份" name={[field.name, 'role']} rules={[maxLength(100)]}>
                    <Input placeholder="申请人 / 被申请人" />
                  </Form.Item>
                </Col>
                <Col span={3}>
                  <Form.Item label=" ">
                    <Button onClick={() => remove(field.name)} disabled={fields.length === 1}>
                      删除
                    </Button>
                  </Form.Item>
                </Col>
              </Row>
            ))}
            <Button onClick={() => add({})}>添加当事人</Button>
            <Form.ErrorList errors={errors} />
          </>
        )}
      </Form.List>
    </>
  );
}

type IntakeValues = CommonFields & Record<string, unknown> & { platformDeadline?: Dayjs };

function IntakeForm({ kind }: { kind: CaseKind }) {
  const [form] = Form.useForm<IntakeValues>();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const keys = useRef(new IdempotencyKeys());
  const [busy, setBusy] = useState(false);
  const [unplaced, setUnplaced] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(values: IntakeValues) {
    setBusy(true);
    setUnplaced([]);
    setFailure(null);
    const { platformDeadline, ...rest } = values;
    const body = compact({ ...rest, ...(platformDeadline ? { platformDeadline: officeInstant(platformDeadline) } : {}) });
    const headers = { 'Idempotency-Key': keys.current.keyFor(body) };
    try {
      const answer =
        kind === 'petition'
          ? await call(api.POST('/api/petitions', { body: body as never, params: { header: headers } }))
          : kind === 'hotline'
            ? await call(api.POST('/api/hotline-tickets', { body: body as never, params: { header: headers } }))
            : await call(api.POST('/api/disputes', { body: body as never, params: { header: headers } }));
      keys.current.reset();
      const existing = answer.response.status === 200;
      message.success(existing ? `该工单已登记过：${answer.data.number}` : `登记成功，编号 ${answer.data.number}`);
      navigate(`/cases/${answer.data.id}`);
    } catch (error) {
      const rest = showFieldErrors(form, error);
      setUnplaced(rest);
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  const initialValues: Partial<IntakeValues> =
    kind === 'hotline' ? { urgency: 'normal' } : kind === 'dispute' ? { parties: [{}] } : { channel: 'visit' };

  return (
    <Form<IntakeValues>
      form={form}
      layout="vertical"
      onFinish={submit}
      initialValues={initialValues}
      scrollToFirstError
      aria-label={`${KIND_LABEL[kind]}登记表`}
      style={{ maxWidth: 960 }}
    >
      {failure !== null && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={failure}
          description={
            unplaced.length > 0
              ? unplaced.map((error) => `${error.field || '请求'}：${chineseFieldMessage(error.message)}`).join('；')
              : undefined
          }
          style={{ marginBottom: 16 }}
        />
      )}
      {kind === 'petition' ? <PetitionFields /> : kind === 'hotline' ? <HotlineFields /> : <DisputeFields />}
      <Divider />
      <Space>
        <Button type="primary" htmlType="submit" loading={busy}>
          提交登记
        </Button>
        <Button onClick={() => navigate(-1)}>取消</Button>
      </Space>
    </Form>
  );
}

const KINDS: CaseKind[] = ['petition', 'hotline', 'dispute'];

/** Intake (登记) of the three kinds, one tab each. */
export default function IntakePage() {
  const { kind: raw } = useParams();
  const navigate = useNavigate();
  const kind: CaseKind = KINDS.includes(raw as CaseKind) ? (raw as CaseKind) : 'petition';
  return (
    <>
      <Typography.Title level={3} className="page-title">
        案件登记
      </Typography.Title>
      <Card>
        <Tabs
          activeKey={kind}
          onChange={(next) => navigate(`/intake/${next}`)}
          items={KINDS.map((value) => ({ key: value, label: KIND_LABEL[value], children: <IntakeForm kind={value} key={value} /> }))}
          destroyOnHidden
        />
      </Card>
    </>
  );
}
