import { useState } from 'react';
import { Alert, App, Button, Card, Space, Tabs, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import { api } from '../api/client';
import { ApiProblem, call, problemMessage } from '../api/problems';
import type { CaseListItem, CaseListPage, CaseView } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { ActionDialog } from '../cases/ActionDialog';
import { allowedActions } from '../cases/allowed-actions';
import { CaseTable } from '../cases/CaseTable';
import { runAction } from '../cases/run-action';
import { UnitPicker } from '../cases/UnitPicker';
import { useUnits } from '../directory/units';
import { ACTION_LABEL } from '../format/labels';
import { useSession } from '../session/session';

type Tab = 'dispatched' | 'in_progress';

/** The quick steps a handling unit takes from its inbox. */
const INBOX_ACTIONS: Record<Tab, LifecycleAction[]> = {
  dispatched: ['sign', 'return'],
  in_progress: ['progress', 'request-extension', 'resolve', 'return'],
};

/** A handling unit's inbox: cases dispatched to it awaiting signature, and those it is working on. */
export default function UnitInboxPage() {
  const { user } = useSession();
  const { message } = App.useApp();
  const { name } = useUnits();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'in_progress' ? 'in_progress' : 'dispatched';
  // A unit user sees its own unit; anyone else (a supervisor checking on a unit) names one.
  const unit = user?.role === 'unit' ? user.unit : (params.get('unit') ?? undefined);
  const page = Number(params.get('page') ?? '1') || 1;
  const [dialog, setDialog] = useState<{ action: LifecycleAction; view: CaseView } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const list = useLoader(`${unit ?? ''}|${tab}|${page}`, async () => {
    if (unit === undefined || unit === '') return undefined;
    const { data } = await call(api.GET('/api/cases', { params: { query: { unit, status: tab, page, pageSize: 20 } } }));
    return data as unknown as CaseListPage;
  });

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  }

  async function start(action: LifecycleAction, item: CaseListItem) {
    setNotice(null);
    try {
      const { data } = await call(api.GET('/api/cases/{id}', { params: { path: { id: item.id } } }));
      const view = data as unknown as CaseView;
      if (!allowedActions(view, user).includes(action)) {
        setNotice(`${view.number} 当前不能${ACTION_LABEL[action]}，列表已刷新`);
        list.reload();
        return;
      }
      if (action === 'sign') {
        await runAction('sign', view.id, {}, view.revision);
        message.success(`${view.number} 已签收`);
        list.reload();
        return;
      }
      setDialog({ action, view });
    } catch (error) {
      setNotice(problemMessage(error));
      if (error instanceof ApiProblem && (error.status === 409 || error.status === 412)) list.reload();
    }
  }

  return (
    <>
      <Typography.Title level={3} className="page-title">
        本单位待办{unit !== undefined && unit !== '' ? ` · ${name(unit)}` : ''}
      </Typography.Title>
      {user?.role !== 'unit' && (
        <Card size="small" style={{ marginBottom: 12 }}>
          <Space>
            <span>承办单位：</span>
            <div style={{ width: 320 }}>
              <UnitPicker value={unit} onChange={(value) => update({ unit: value, page: undefined })} />
            </div>
          </Space>
        </Card>
      )}
      {notice !== null && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          title={notice}
          style={{ marginBottom: 12 }}
          closable={{ onClose: () => setNotice(null) }}
        />
      )}
      {list.error !== undefined && <Alert type="error" showIcon title={problemMessage(list.error)} style={{ marginBottom: 12 }} />}
      <Tabs
        activeKey={tab}
        onChange={(next) => update({ tab: next === 'dispatched' ? undefined : next, page: undefined })}
        items={[
          { key: 'dispatched', label: '待签收' },
          { key: 'in_progress', label: '办理中' },
        ]}
      />
      {unit === undefined || unit === '' ? (
        <Typography.Text type="secondary">请先选择承办单位。</Typography.Text>
      ) : (
        <CaseTable
          page={list.data}
          loading={list.loading}
          loadedAt={list.loadedAt}
          hideUnit
          onPage={(next) => update({ page: next === 1 ? undefined : String(next) })}
          extra={(item) => (
            <Space size={4} wrap>
              {INBOX_ACTIONS[tab].map((action) => (
                <Button
                  key={action}
                  size="small"
                  type={action === 'sign' || action === 'resolve' ? 'primary' : 'default'}
                  onClick={() => void start(action, item)}
                >
                  {ACTION_LABEL[action]}
                </Button>
              ))}
            </Space>
          )}
        />
      )}
      {dialog !== null && (
        <ActionDialog
          action={dialog.action}
          view={dialog.view}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            list.reload();
          }}
          onStale={(text) => {
            setDialog(null);
            setNotice(text);
            list.reload();
          }}
        />
      )}
    </>
  );
}
