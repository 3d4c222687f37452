import { lazy, Suspense, useState } from 'react';
import { Alert, Card, DatePicker, Select, Space, Spin, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import type { KpiKey } from '@cases/domain/timeliness/kpi-definitions';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { Rate, TimelinessAnswer } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { KpiCards } from '../dashboard/KpiCards';
import { OverdueBoard } from '../dashboard/OverdueBoard';
import { WhatIfPanel } from '../dashboard/WhatIfPanel';
import { KPI_LABEL, KPI_ORDER } from '../format/labels';
import { currentOfficeMonth, monthStart, percent } from '../format/time';
import { useSession } from '../session/session';

const TrendChart = lazy(() => import('../dashboard/TrendChart'));

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TREND_MONTHS = 6;

async function kpis(from: string, to: string, groupBy?: 'unit'): Promise<TimelinessAnswer> {
  const { data } = await call(
    api.GET('/api/stats/timeliness', { params: { query: { from, to, ...(groupBy ? { groupBy: [groupBy] } : {}) } } }),
  );
  return data as unknown as TimelinessAnswer;
}

/** The supervisor's view of the period: the eight rates, their monthly trend, the unit ranking, what is overdue now, and what-if. */
export default function DashboardPage() {
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const thisMonth = currentOfficeMonth();
  const fromMonth = MONTH.test(params.get('from') ?? '') ? (params.get('from') as string) : thisMonth;
  const toMonthRaw = MONTH.test(params.get('to') ?? '') ? (params.get('to') as string) : fromMonth;
  const toMonth = toMonthRaw < fromMonth ? fromMonth : toMonthRaw;
  const from = monthStart(fromMonth);
  const to = monthStart(toMonth, 1);
  const [trendKpi, setTrendKpi] = useState<KpiKey>('onTimeResolution');
  const [rankKpi, setRankKpi] = useState<KpiKey>('onTimeResolution');

  const period = useLoader(`${from}|${to}`, async () => {
    const [overall, byUnit] = await Promise.all([kpis(from, to), kpis(from, to, 'unit')]);
    return { overall, byUnit };
  });
  const trend = useLoader(`trend|${toMonth}`, async () => {
    const months = Array.from({ length: TREND_MONTHS }, (_value, index) =>
      dayjs(`${toMonth}-01`)
        .subtract(TREND_MONTHS - 1 - index, 'month')
        .format('YYYY-MM'),
    );
    const answers = await Promise.all(months.map((month) => kpis(monthStart(month), monthStart(month, 1))));
    return months.map((month, index) => ({ month, kpis: answers[index].groups[0]?.kpis }));
  });

  const overall = period.data?.overall.groups[0]?.kpis;
  const ranking = (period.data?.byUnit.groups ?? [])
    .map((group) => ({ unit: group.group.unit ?? '—', rate: group.kpis[rankKpi] }))
    .filter((row) => row.rate.denominator > 0)
    .sort((a, b) => (b.rate.ratio ?? 0) - (a.rate.ratio ?? 0) || b.rate.denominator - a.rate.denominator);
  const canSupervise = user === null || user.role === 'supervisor' || user.role === 'admin';
  const kpiOptions = KPI_ORDER.map((key) => ({ value: key, label: KPI_LABEL[key] }));

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={3} className="page-title">
          统计看板
        </Typography.Title>
        <Space>
          <span>统计期间：</span>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={[dayjs(`${fromMonth}-01`), dayjs(`${toMonth}-01`)]}
            onChange={(range) => {
              if (!range?.[0] || !range[1]) return;
              setParams(new URLSearchParams({ from: range[0].format('YYYY-MM'), to: range[1].format('YYYY-MM') }));
            }}
            aria-label="统计期间"
          />
          {period.loading && <Spin size="small" />}
        </Space>
      </Space>
      {period.error !== undefined && <Alert type="error" showIcon title={problemMessage(period.error)} style={{ marginBottom: 12 }} />}
      <KpiCards kpis={overall} loading={period.loading} />
      {period.data !== undefined && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          按时限届满月份计入；统计截至日志位置 {period.data.overall.position}。
        </Typography.Paragraph>
      )}

      <Card
        size="small"
        title="月度趋势"
        style={{ marginTop: 12 }}
        extra={<Select value={trendKpi} onChange={setTrendKpi} options={kpiOptions} style={{ width: 200 }} aria-label="趋势指标" />}
      >
        {trend.error !== undefined ? (
          <Alert type="error" showIcon title={problemMessage(trend.error)} />
        ) : trend.data === undefined ? (
          <Spin description="计算近六个月指标…" />
        ) : (
          <Suspense fallback={<Spin />}>
            <TrendChart
              title={KPI_LABEL[trendKpi]}
              points={trend.data.map((month) => ({
                month: month.month,
                rate: month.kpis?.[trendKpi] ?? { numerator: 0, denominator: 0, ratio: null },
              }))}
            />
          </Suspense>
        )}
      </Card>

      <Card
        size="small"
        title="单位排名"
        style={{ marginTop: 12 }}
        extra={<Select value={rankKpi} onChange={setRankKpi} options={kpiOptions} style={{ width: 200 }} aria-label="排名指标" />}
      >
        <Table<{ unit: string; rate: Rate }>
          size="small"
          rowKey="unit"
          pagination={false}
          loading={period.loading}
          dataSource={ranking}
          locale={{ emptyText: '本期没有单位有应计件数' }}
          columns={[
            { title: '名次', key: 'rank', width: 70, render: (_v, _row, index) => index + 1 },
            { title: '单位', dataIndex: 'unit' },
            { title: KPI_LABEL[rankKpi], key: 'ratio', render: (_v, row) => percent(row.rate.ratio) },
            { title: '按期/应计', key: 'counts', render: (_v, row) => `${row.rate.numerator} / ${row.rate.denominator}` },
          ]}
        />
      </Card>

      <Card size="small" title="超期督办（当前）" style={{ marginTop: 12 }}>
        <OverdueBoard canSupervise={canSupervise} />
      </Card>

      <Card size="small" title="时限调整模拟（what-if）" style={{ marginTop: 12 }}>
        <WhatIfPanel from={from} to={to} position={period.data?.overall.position} live={overall} />
      </Card>
    </>
  );
}
