import { useState } from 'react';
import { Alert, Button, Form, InputNumber, Select, Space, Table, Typography } from 'antd';
import shippedPolicy from '@config/deadline-policy.json';
import type { KpiKey } from '@cases/domain/timeliness/kpi-definitions';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { Rate, TimelinessAnswer } from '../api/responses';
import { KIND_LABEL, KPI_LABEL, KPI_ORDER, MILESTONE_LABEL, URGENCY_LABEL } from '../format/labels';
import { percent } from '../format/time';

type LimitUnit = 'calendar-days' | 'working-days' | 'working-hours' | 'same-working-day';
interface Limit {
  amount?: number;
  unit: LimitUnit;
}

const UNIT_LABEL: Record<LimitUnit, string> = {
  'calendar-days': '日',
  'working-days': '个工作日',
  'working-hours': '个工作小时',
  'same-working-day': '当个工作日内',
};

/** The limits the KPIs depend on, as [kind, urgency, milestone] paths into the policy file. */
const EDITABLE = [
  ['petition', 'normal', 'acceptance'],
  ['petition', 'normal', 'reply'],
  ['hotline', 'normal', 'sign'],
  ['hotline', 'urgent', 'sign'],
  ['hotline', 'normal', 'resolve'],
  ['hotline', 'urgent', 'resolve'],
  ['hotline', 'normal', 'callback'],
  ['dispute', 'normal', 'mediation'],
] as const;

type PolicyFile = Record<string, unknown>;
type Limits = Record<string, Limit>;

function limitAt(policy: PolicyFile, path: readonly string[]): Limit {
  const rule = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], policy) as { limit: Limit };
  return rule.limit;
}

function withLimits(policy: PolicyFile, limits: Limits): PolicyFile {
  const copy = structuredClone(policy) as PolicyFile;
  for (const path of EDITABLE) {
    const rule = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy) as { limit: Limit };
    const limit = limits[path.join('.')];
    rule.limit = limit.unit === 'same-working-day' ? { unit: limit.unit } : { amount: limit.amount, unit: limit.unit };
  }
  return copy;
}

/**
 * "What would our rates have been with other limits?" The shipped default policy
 * (config/deadline-policy.json) is the starting point; the service replays the log under the
 * changed limits, at the same log position as the live rates, and the result stands beside them.
 */
export function WhatIfPanel({
  from,
  to,
  position,
  live,
}: {
  from: string;
  to: string;
  position?: string;
  live: Record<KpiKey, Rate> | undefined;
}) {
  const initial = Object.fromEntries(EDITABLE.map((path) => [path.join('.'), limitAt(shippedPolicy, path)]));
  const [form] = Form.useForm<Limits>();
  const [result, setResult] = useState<TimelinessAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function run(limits: Limits) {
    setBusy(true);
    setFailure(null);
    try {
      const { data } = await call(
        api.POST('/api/stats/timeliness/what-if', {
          body: { from, to, ...(position !== undefined ? { position } : {}), policy: withLimits(shippedPolicy, limits) },
        }),
      );
      setResult(data as unknown as TimelinessAnswer);
    } catch (error) {
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  const hypothetical = result?.groups[0]?.kpis;
  return (
    <>
      <Typography.Paragraph type="secondary">
        以系统默认时限配置为基础，调整下列时限后按同一统计口径重算本期指标，与现行指标对照。
      </Typography.Paragraph>
      <Form<Limits> form={form} layout="vertical" initialValues={initial} onFinish={run} aria-label="假设时限">
        <Table
          size="small"
          pagination={false}
          rowKey={(path) => path.join('.')}
          dataSource={EDITABLE.map((path) => [...path])}
          columns={[
            {
              title: '类型',
              key: 'kind',
              render: (_v, path) => `${KIND_LABEL[path[0] as 'petition']}${path[1] === 'urgent' ? `（${URGENCY_LABEL.urgent}）` : ''}`,
            },
            { title: '节点', key: 'milestone', render: (_v, path) => MILESTONE_LABEL[path[2] as 'reply'] },
            {
              title: '时限',
              key: 'limit',
              render: (_v, path) => (
                <Space.Compact>
                  <Form.Item noStyle shouldUpdate>
                    {() => (
                      <Form.Item name={[path.join('.'), 'amount']} noStyle>
                        <InputNumber
                          min={0.5}
                          max={365}
                          step={0.5}
                          disabled={form.getFieldValue([path.join('.'), 'unit']) === 'same-working-day'}
                          aria-label={`${MILESTONE_LABEL[path[2] as 'reply']}时限`}
                          style={{ width: 90 }}
                        />
                      </Form.Item>
                    )}
                  </Form.Item>
                  <Form.Item name={[path.join('.'), 'unit']} noStyle>
                    <Select style={{ width: 140 }} options={Object.entries(UNIT_LABEL).map(([value, text]) => ({ value, label: text }))} />
                  </Form.Item>
                </Space.Compact>
              ),
            },
          ]}
        />
        <Space style={{ marginTop: 12 }}>
          <Button type="primary" htmlType="submit" loading={busy}>
            按假设时限重算
          </Button>
          <Button onClick={() => form.setFieldsValue(initial)}>恢复默认</Button>
          {busy && <Typography.Text type="secondary">正在按假设时限回放全部事件，请稍候…</Typography.Text>}
        </Space>
      </Form>
      {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginTop: 12 }} />}
      {hypothetical !== undefined && (
        <Table
          style={{ marginTop: 12 }}
          size="small"
          pagination={false}
          rowKey="key"
          data-testid="what-if-result"
          dataSource={KPI_ORDER.map((key) => ({ key, live: live?.[key], hypothetical: hypothetical[key] }))}
          columns={[
            { title: '指标', dataIndex: 'key', render: (key: KpiKey) => KPI_LABEL[key] },
            {
              title: '现行',
              dataIndex: 'live',
              render: (rate?: Rate) => (rate ? `${percent(rate.ratio)}（${rate.numerator}/${rate.denominator}）` : '—'),
            },
            {
              title: '假设',
              dataIndex: 'hypothetical',
              render: (rate?: Rate) => (rate ? `${percent(rate.ratio)}（${rate.numerator}/${rate.denominator}）` : '—'),
            },
            {
              title: '变化',
              key: 'change',
              render: (_v, row) =>
                row.live?.ratio != null && row.hypothetical?.ratio != null
                  ? `${((row.hypothetical.ratio - row.live.ratio) * 100).toFixed(1)} 个百分点`
                  : '—',
            },
          ]}
        />
      )}
    </>
  );
}
