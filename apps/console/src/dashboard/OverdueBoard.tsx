import { useState } from 'react';
import { Alert, Button, Card, Col, Empty, List, Row, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { CaseListItem, CaseListPage, CaseView } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { ActionDialog } from '../cases/ActionDialog';
import { useUnits } from '../directory/units';
import { KIND_LABEL, MILESTONE_LABEL, label } from '../format/labels';
import { countdown } from '../format/time';

const BOARD_SIZE = 100;
const NO_UNIT = '未派单';

/** Every case overdue now, grouped by the unit holding it, with a supervision order one click away. */
export function OverdueBoard({ canSupervise }: { canSupervise: boolean }) {
  const { name } = useUnits();
  const [supervising, setSupervising] = useState<CaseView | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const overdue = useLoader('overdue-board', async () => {
    const { data } = await call(api.GET('/api/cases', { params: { query: { overdue: true, pageSize: BOARD_SIZE } } }));
    return data as unknown as CaseListPage;
  });

  async function supervise(item: CaseListItem) {
    setFailure(null);
    try {
      const { data } = await call(api.GET('/api/cases/{id}', { params: { path: { id: item.id } } }));
      setSupervising(data as unknown as CaseView);
    } catch (error) {
      setFailure(problemMessage(error));
    }
  }

  if (overdue.error !== undefined) return <Alert type="error" showIcon title={problemMessage(overdue.error)} />;
  const groups = new Map<string, CaseListItem[]>();
  for (const item of overdue.data?.items ?? []) {
    const unit = item.unit === undefined ? NO_UNIT : name(item.unit);
    groups.set(unit, [...(groups.get(unit) ?? []), item]);
  }
  const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);

  return (
    <>
      {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 12 }} />}
      {overdue.data !== undefined && overdue.data.total > BOARD_SIZE && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={`共 ${overdue.data.total} 件超期，此处显示最近登记的 ${BOARD_SIZE} 件；全部超期案件请在工作台勾选“仅看超期”查看`}
        />
      )}
      {!overdue.loading && ordered.length === 0 ? (
        <Empty description="当前没有超期案件" />
      ) : (
        <Row gutter={[12, 12]}>
          {ordered.map(([unit, items]) => (
            <Col key={unit} xs={24} lg={12} xxl={8}>
              <Card
                size="small"
                loading={overdue.loading && overdue.data === undefined}
                title={
                  <>
                    {unit} <Tag color="red">{items.length} 件超期</Tag>
                  </>
                }
              >
                <List<CaseListItem>
                  size="small"
                  dataSource={items}
                  renderItem={(item) => (
                    <List.Item
                      actions={
                        canSupervise
                          ? [
                              <Button key="supervise" size="small" danger onClick={() => void supervise(item)}>
                                督办
                              </Button>,
                            ]
                          : []
                      }
                    >
                      <div style={{ minWidth: 0 }}>
                        <Link to={`/cases/${item.id}`}>{item.number}</Link> <Tag>{label(KIND_LABEL, item.kind)}</Tag>
                        <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                          {item.title}
                        </Typography.Text>
                        {item.nextDeadline !== null && (
                          <div className="countdown-overdue">
                            {label(MILESTONE_LABEL, item.nextDeadline.milestone)} · {countdown(item.nextDeadline.hoursLeft)}
                          </div>
                        )}
                      </div>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {supervising !== null && (
        <ActionDialog
          action="supervise"
          view={supervising}
          onClose={() => setSupervising(null)}
          onDone={() => {
            setSupervising(null);
            overdue.reload();
          }}
          onStale={(text) => {
            setSupervising(null);
            setFailure(text);
          }}
        />
      )}
    </>
  );
}
