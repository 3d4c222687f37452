import { Table, Tag, Tooltip } from 'antd';
import type { ColumnsType, TablePaginationConfig } from 'antd/es/table';
import { Link } from 'react-router';
import type { CaseListItem, CaseListPage } from '../api/responses';
import { KIND_LABEL, MILESTONE_LABEL, STATUS_COLOR, STATUS_LABEL, URGENCY_LABEL, label } from '../format/labels';
import { countdown, deadlineUrgency, formatTime } from '../format/time';
import { useTick } from '../api/use-loader';
import { useUnits } from '../directory/units';
import type { ReactNode } from 'react';

/** Hours left on a deadline now, from the service's figure at load time (the service's clock is the reference). */
function hoursLeftNow(item: CaseListItem, loadedAt: number, now: number): number | null {
  if (item.nextDeadline === null) return null;
  return item.nextDeadline.hoursLeft - Math.max(0, now - loadedAt) / 3_600_000;
}

export function NextDeadline({ item, loadedAt, now }: { item: CaseListItem; loadedAt: number; now: number }) {
  const hoursLeft = hoursLeftNow(item, loadedAt, now);
  if (item.nextDeadline === null || hoursLeft === null) return <span style={{ color: '#8c8c8c' }}>无待办时限</span>;
  const urgency = deadlineUrgency(hoursLeft);
  return (
    <Tooltip title={`截止 ${formatTime(item.nextDeadline.dueAt)}`}>
      <span className={urgency === 'normal' ? undefined : `countdown-${urgency}`} data-testid="countdown">
        {label(MILESTONE_LABEL, item.nextDeadline.milestone)} · {countdown(hoursLeft)}
      </span>
    </Tooltip>
  );
}

interface Props {
  page: CaseListPage | undefined;
  loading: boolean;
  loadedAt: number;
  onPage(page: number, pageSize: number): void;
  /** Extra column(s) at the end, e.g. quick actions in the unit inbox. */
  extra?: (item: CaseListItem) => ReactNode;
  /** The unit inbox lists one unit's cases: its column would repeat the same name. */
  hideUnit?: boolean;
}

/** The list of cases shared by the work queue and the unit inbox. */
export function CaseTable({ page, loading, loadedAt, onPage, extra, hideUnit = false }: Props) {
  const now = useTick(30_000);
  const { name } = useUnits();
  const columns: ColumnsType<CaseListItem> = [
    {
      title: '编号',
      dataIndex: 'number',
      width: 130,
      render: (number: string, item) => <Link to={`/cases/${item.id}`}>{number}</Link>,
      sorter: (a, b) => a.number.localeCompare(b.number),
    },
    { title: '类型', dataIndex: 'kind', width: 100, render: (kind: string) => label(KIND_LABEL, kind) },
    {
      title: '标题',
      dataIndex: 'title',
      ellipsis: true,
      render: (title: string, item) => (
        <>
          {item.urgency === 'urgent' && <Tag color="red">{URGENCY_LABEL.urgent}</Tag>}
          {title}
        </>
      ),
    },
    { title: '社区', dataIndex: 'community', width: 120, ellipsis: true },
    ...(hideUnit ? [] : [{ title: '承办单位', dataIndex: 'unit', width: 140, ellipsis: true, render: (unit?: string) => name(unit) }]),
    {
      title: '状态',
      dataIndex: 'status',
      width: 90,
      render: (status: CaseListItem['status']) => <Tag color={STATUS_COLOR[status]}>{label(STATUS_LABEL, status)}</Tag>,
    },
    {
      title: '下一时限',
      key: 'nextDeadline',
      width: 190,
      render: (_value, item) => <NextDeadline item={item} loadedAt={loadedAt} now={now} />,
      sorter: (a, b) => (a.nextDeadline?.hoursLeft ?? Infinity) - (b.nextDeadline?.hoursLeft ?? Infinity),
    },
    {
      title: '登记时间',
      dataIndex: 'registeredAt',
      width: 140,
      render: (at: string) => formatTime(at),
      sorter: (a, b) => a.registeredAt.localeCompare(b.registeredAt),
    },
  ];
  if (extra !== undefined) columns.push({ title: '操作', key: 'actions', width: 170, render: (_value, item) => extra(item) });

  const pagination: TablePaginationConfig = {
    current: page?.page ?? 1,
    pageSize: page?.pageSize ?? 20,
    total: page?.total ?? 0,
    showSizeChanger: true,
    pageSizeOptions: [10, 20, 50, 100],
    showTotal: (total) => `共 ${total} 件`,
    onChange: onPage,
  };

  return (
    <Table<CaseListItem>
      rowKey="id"
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={page?.items ?? []}
      pagination={pagination}
      rowClassName={(item) => {
        const hoursLeft = hoursLeftNow(item, loadedAt, now);
        if (hoursLeft === null) return '';
        const urgency = deadlineUrgency(hoursLeft);
        return urgency === 'normal' ? '' : `row-${urgency}`;
      }}
      scroll={{ x: 1000 }}
      locale={{ emptyText: '没有符合条件的案件' }}
    />
  );
}
