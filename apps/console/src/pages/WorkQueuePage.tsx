import { Alert, Button, Card, Checkbox, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { CASE_KINDS, CASE_STATUSES } from '@cases/domain/cases/case.types';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { CaseListPage } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { CaseTable } from '../cases/CaseTable';
import { listQuery, readFilters, writeFilters, type QueueFilters } from '../cases/queue-filters';
import { KIND_LABEL, STATUS_LABEL } from '../format/labels';

type FilterForm = Omit<QueueFilters, 'page' | 'pageSize'>;

/** The desk's work queue: every case matching the filters, the next deadline as a countdown. */
export default function WorkQueuePage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = readFilters(params);
  const key = writeFilters(filters).toString();
  const list = useLoader(key, async () => {
    const { data } = await call(api.GET('/api/cases', { params: { query: listQuery(filters) } }));
    return data as unknown as CaseListPage;
  });

  function apply(values: FilterForm) {
    setParams(writeFilters({ ...filters, ...values, page: 1 }));
  }

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3} className="page-title">
          工作台
        </Typography.Title>
        <Space>
          <Button onClick={() => navigate('/intake/petition')}>登记信访</Button>
          <Button onClick={() => navigate('/intake/hotline')}>录入12345工单</Button>
          <Button onClick={() => navigate('/intake/dispute')}>登记矛盾纠纷</Button>
        </Space>
      </Space>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<FilterForm> layout="inline" key={key} initialValues={filters} onFinish={apply} aria-label="筛选条件" style={{ rowGap: 8 }}>
          <Form.Item label="类型" name="kind">
            <Select
              allowClear
              placeholder="全部"
              style={{ width: 120 }}
              options={CASE_KINDS.map((value) => ({ value, label: KIND_LABEL[value] }))}
            />
          </Form.Item>
          <Form.Item label="状态" name="status">
            <Select
              allowClear
              placeholder="全部"
              style={{ width: 110 }}
              options={CASE_STATUSES.map((value) => ({ value, label: STATUS_LABEL[value] }))}
            />
          </Form.Item>
          <Form.Item label="承办单位" name="unit">
            <Input allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item label="社区" name="community">
            <Input allowClear style={{ width: 120 }} />
          </Form.Item>
          <Form.Item label="时限" name="dueWithinHours">
            <InputNumber min={1} max={8760} placeholder="N" suffix="小时内到期" style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="overdue" valuePropName="checked">
            <Checkbox>仅看超期</Checkbox>
          </Form.Item>
          <Form.Item label="关键字" name="text">
            <Input allowClear placeholder="编号、标题、内容、工单号" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                查询
              </Button>
              <Button onClick={() => setParams(new URLSearchParams())}>重置</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {list.error !== undefined && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(list.error)}
          action={<Button onClick={list.reload}>重试</Button>}
          style={{ marginBottom: 16 }}
        />
      )}
      <CaseTable
        page={list.data}
        loading={list.loading}
        loadedAt={list.loadedAt}
        onPage={(page, pageSize) => setParams(writeFilters({ ...filters, page, pageSize }))}
      />
    </>
  );
}
