import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import type { Rate } from '../api/responses';

// Only the pieces the dashboard draws are bundled, not all of ECharts.
echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface TrendPoint {
  month: string;
  rate: Rate;
}

/** One KPI month by month: the rate as a line, how many cases it counted as bars. */
export default function TrendChart({ title, points }: { title: string; points: TrendPoint[] }) {
  const option = {
    animation: false,
    tooltip: {
      trigger: 'axis',
      formatter: (items: { dataIndex: number }[]) => {
        const point = points[items[0]?.dataIndex ?? 0];
        if (point === undefined) return '';
        const { numerator, denominator, ratio } = point.rate;
        return `${point.month}<br/>${title}：${ratio === null ? '无数据' : `${(ratio * 100).toFixed(1)}%`}<br/>${numerator} / ${denominator}`;
      },
    },
    legend: { top: 0, data: [title, '应计件数'] },
    grid: { left: 48, right: 48, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: points.map((point) => point.month) },
    yAxis: [
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        name: '应计件数',
        type: 'bar',
        yAxisIndex: 1,
        itemStyle: { color: '#d6e4ff' },
        data: points.map((point) => point.rate.denominator),
      },
      {
        name: title,
        type: 'line',
        connectNulls: false,
        itemStyle: { color: '#1d4ed8' },
        data: points.map((point) => (point.rate.ratio === null ? null : Math.round(point.rate.ratio * 1000) / 10)),
      },
    ],
  };
  return <ReactEChartsCore echarts={echarts} option={option} notMerge style={{ height: 280 }} />;
}
