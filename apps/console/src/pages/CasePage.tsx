import { useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Descriptions, Empty, Row, Space, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { Link, useParams, useSearchParams } from 'react-router';
import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { CaseHistory, CaseView } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { ActionDialog } from '../cases/ActionDialog';
import { allowedActions, MAIN_ACTIONS } from '../cases/allowed-actions';
import { CaseTimeline } from '../cases/CaseTimeline';
import { DeadlineTable } from '../cases/DeadlineTable';
import { PersonalData } from '../cases/PersonalData';
import {
  ACTION_LABEL,
  CHANNEL_LABEL,
  KIND_LABEL,
  LINK_RELATION_LABEL,
  SOURCE_LABEL,
  STATUS_COLOR,
  STATUS_LABEL,
  URGENCY_LABEL,
  label,
} from '../format/labels';
import { formatTime, officeInstant, officeTime } from '../format/time';
import { useSession } from '../session/session';
import { useUnits } from '../directory/units';

/** A case: its status and deadlines, every event, the steps the person may take now, and the case as it stood at any past instant. */
export default function CasePage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const asOf = params.get('asOf') ?? undefined;
  const { user } = useSession();
  const units = useUnits();
  const [action, setAction] = useState<LifecycleAction | null>(null);
  const [stale, setStale] = useState<string | null>(null);

  const loaded = useLoader(`${id}|${asOf ?? ''}`, async () => {
    const [view, history] = await Promise.all([
      call(api.GET('/api/cases/{id}', { params: { path: { id }, query: asOf !== undefined ? { asOf } : {} } })),
      call(api.GET('/api/cases/{id}/history', { params: { path: { id } } })),
    ]);
    return { view: view.data as unknown as CaseView, history: (history.data as unknown as CaseHistory).events };
  });

  if (loaded.data === undefined) {
    if (loaded.error !== undefined) {
      return <Alert type="error" showIcon title={problemMessage(loaded.error)} action={<Button onClick={loaded.reload}>重试</Button>} />;
    }
    return <Spin size="large" description="加载案件…" style={{ display: 'block', marginTop: 64 }} />;
  }
  const { view, history } = loaded.data;
  const actions = asOf === undefined ? allowedActions(view, user) : [];
  const shown = asOf === undefined ? history : history.filter((entry) => Date.parse(entry.recordedAt) <= Date.parse(asOf));

  return (
    <>
      <Space align="center" wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="case-number">
          {view.number}
        </Typography.Title>
        <Tag>{label(KIND_LABEL, view.kind)}</Tag>
        <Tag color={STATUS_COLOR[view.status]} data-testid="case-status">
          {label(STATUS_LABEL, view.status)}
        </Tag>
        {view.urgency === 'urgent' && <Tag color="red">{URGENCY_LABEL.urgent}</Tag>}
        <Typography.Text strong>{view.title}</Typography.Text>
      </Space>

      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <span>查看时点：</span>
          <DatePicker
            aria-label="查看案件在某一时刻的状态"
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            value={asOf !== undefined ? officeTime(asOf) : null}
            placeholder="当前"
            disabledDate={(day) => day.isAfter(dayjs(), 'day')}
            onChange={(value) => {
              const next = new URLSearchParams(params);
              if (value === null) next.delete('asOf');
              else next.set('asOf', officeInstant(value));
              setParams(next);
            }}
          />
          {asOf !== undefined && <Button onClick={() => setParams(new URLSearchParams())}>回到当前</Button>}
          {loaded.loading && <Spin size="small" />}
        </Space>
        {asOf !== undefined && (
          <Alert
            type="info"
            showIcon
            style={{ marginTop: 12 }}
            title={`正在查看 ${formatTime(asOf)} 时系统所记录的案件状态；该时刻之后的记录已置灰，不能在此办理。`}
          />
        )}
      </Card>

      {stale !== null && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          style={{ marginBottom: 12 }}
          title={stale}
          action={
            <Button
              onClick={() => {
                setStale(null);
                loaded.reload();
              }}
            >
              刷新案件
            </Button>
          }
        />
      )}

      {asOf === undefined && (
        <Card size="small" title="可办理操作" style={{ marginBottom: 12 }}>
          {actions.length === 0 ? (
            <Typography.Text type="secondary">当前状态下没有您可办理的操作</Typography.Text>
          ) : (
            <Space wrap>
              {actions.map((candidate) => (
                <Button key={candidate} type={MAIN_ACTIONS.has(candidate) ? 'primary' : 'default'} onClick={() => setAction(candidate)}>
                  {ACTION_LABEL[candidate]}
                </Button>
              ))}
            </Space>
          )}
        </Card>
      )}

      <Row gutter={12}>
        <Col xs={24} xl={14}>
          <Card size="small" title="基本信息" style={{ marginBottom: 12 }}>
            <Descriptions size="small" column={2}>
              <Descriptions.Item label="所属社区">{view.community}</Descriptions.Item>
              <Descriptions.Item label="承办单位">{units.name(view.unit)}</Descriptions.Item>
              <Descriptions.Item label="登记时间">{formatTime(view.registeredAt)}</Descriptions.Item>
              <Descriptions.Item label="类别">{view.category ?? '—'}</Descriptions.Item>
              {view.channel !== undefined && <Descriptions.Item label="信访形式">{label(CHANNEL_LABEL, view.channel)}</Descriptions.Item>}
              {view.source !== undefined && <Descriptions.Item label="来源">{label(SOURCE_LABEL, view.source)}</Descriptions.Item>}
              {view.platformTicketNo !== undefined && <Descriptions.Item label="平台工单号">{view.platformTicketNo}</Descriptions.Item>}
              {view.closedAt !== undefined && <Descriptions.Item label="结案时间">{formatTime(view.closedAt)}</Descriptions.Item>}
              <Descriptions.Item label="内容" span={2}>
                <div style={{ whiteSpace: 'pre-wrap' }}>{view.description}</div>
              </Descriptions.Item>
              {view.urges !== undefined && (
                <Descriptions.Item label="平台催办">
                  {view.urges.length} 次，最近 {formatTime(view.urges[view.urges.length - 1].urgedAt)}
                </Descriptions.Item>
              )}
              {view.withdrawal !== undefined && (
                <Descriptions.Item label="平台撤单" span={2}>
                  {formatTime(view.withdrawal.withdrawnAt)} {view.withdrawal.reason}
                </Descriptions.Item>
              )}
              {view.rejection !== undefined && (
                <Descriptions.Item label="不予受理" span={2}>
                  {view.rejection.reason}
                  {view.rejection.referredTo !== undefined && `（告知向 ${view.rejection.referredTo} 反映）`}
                </Descriptions.Item>
              )}
              {view.resolution?.reply !== undefined && (
                <Descriptions.Item label="办结答复" span={2}>
                  {view.resolution.reply}
                </Descriptions.Item>
              )}
              {view.links.length > 0 && (
                <Descriptions.Item label="关联案件" span={2}>
                  {view.links.map((link) => (
                    <div key={link.targetId}>
                      {label(LINK_RELATION_LABEL, link.relation)}：<Link to={`/cases/${link.targetId}`}>{link.targetId}</Link>
                    </div>
                  ))}
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card size="small" title="办理时限" style={{ marginBottom: 12 }}>
            <DeadlineTable deadlines={view.deadlines} episodes={view.episodes ?? []} history={shown} />
          </Card>
          {view.supervisions.length > 0 && (
            <Card size="small" title="督办" style={{ marginBottom: 12 }}>
              {view.supervisions.map((supervision) => (
                <p key={supervision.supervisionId} style={{ margin: '4px 0' }}>
                  <Tag color="red">督办</Tag>
                  {formatTime(supervision.issuedAt)} {supervision.instruction}
                  {supervision.dueAt !== undefined && `（${formatTime(supervision.dueAt)} 前反馈）`}
                  {supervision.answer !== undefined ? ` — 反馈：${supervision.answer}` : ' — 未反馈'}
                </p>
              ))}
            </Card>
          )}
          <Card size="small" title="当事人信息" style={{ marginBottom: 12 }}>
            <PersonalData
              key={`${view.id}|${asOf ?? ''}`}
              view={view}
              canReveal={asOf === undefined && user !== null && user.role !== 'unit'}
              onRevealed={loaded.reload}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={`办理记录（${shown.length}）`}>
            {shown.length === 0 ? (
              <Empty description="该时刻尚无记录" />
            ) : (
              <CaseTimeline events={history} asOf={asOf} unitName={units.name} />
            )}
          </Card>
        </Col>
      </Row>

      <ActionDialog
        action={action}
        view={view}
        onClose={() => setAction(null)}
        onDone={() => {
          setAction(null);
          setStale(null);
          loaded.reload();
        }}
        onStale={(text) => {
          setAction(null);
          setStale(text);
        }}
      />
    </>
  );
}
