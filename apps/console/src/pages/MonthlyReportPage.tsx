import { useRef, useState } from 'react';
import { Alert, Button, Card, DatePicker, Space, Spin, Typography } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { MonthlyReport } from '../api/responses';
import { useLoader } from '../api/use-loader';
import { currentOfficeMonth, formatTime } from '../format/time';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

type DownloadFormat = 'csv' | 'xlsx';

/** The file name the service gives in Content-Disposition, or one of the same form. */
function fileName(response: Response, month: string, position: string, format: DownloadFormat): string {
  const match = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
  return match?.[1] ?? `monthly-report-${month}-at-${position}.${format}`;
}

/** The monthly overdue / unsatisfied report (月度通报) as it will print, with its CSV and Excel files. */
export default function MonthlyReportPage() {
  const [params, setParams] = useSearchParams();
  const month = MONTH.test(params.get('month') ?? '') ? (params.get('month') as string) : currentOfficeMonth();
  const frame = useRef<HTMLIFrameElement>(null);
  const [downloading, setDownloading] = useState<DownloadFormat | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  // The JSON fixes the log position; the page and the files are asked at that position, so all three are the same report.
  const report = useLoader(month, async () => {
    const { data } = await call(api.GET('/api/reports/monthly/{month}', { params: { path: { month }, query: { format: 'json' } } }));
    const json = data as unknown as MonthlyReport;
    const page = await call(
      api.GET('/api/reports/monthly/{month}', {
        params: { path: { month }, query: { format: 'html', position: json.position } },
        parseAs: 'text',
      }),
    );
    return { json, html: page.data as unknown as string };
  });

  async function download(format: DownloadFormat) {
    if (report.data === undefined) return;
    const { position } = report.data.json;
    setDownloading(format);
    setFailure(null);
    try {
      const { data, response } = await call(
        api.GET('/api/reports/monthly/{month}', { params: { path: { month }, query: { format, position } }, parseAs: 'blob' }),
      );
      const url = URL.createObjectURL(data as unknown as Blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName(response, month, position, format);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setFailure(problemMessage(error));
    } finally {
      setDownloading(null);
    }
  }

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={3} className="page-title">
          月度超期/不满意工单通报
        </Typography.Title>
        <Space wrap>
          <DatePicker
            picker="month"
            allowClear={false}
            value={dayjs(`${month}-01`)}
            onChange={(value) => value && setParams(new URLSearchParams({ month: value.format('YYYY-MM') }))}
            aria-label="通报月份"
          />
          <Button onClick={() => void download('csv')} loading={downloading === 'csv'} disabled={report.data === undefined}>
            下载 CSV
          </Button>
          <Button onClick={() => void download('xlsx')} loading={downloading === 'xlsx'} disabled={report.data === undefined}>
            下载 Excel
          </Button>
          <Button type="primary" onClick={() => frame.current?.contentWindow?.print()} disabled={report.data === undefined}>
            打印
          </Button>
        </Space>
      </Space>
      {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 12 }} />}
      {report.error !== undefined && <Alert type="error" showIcon title={problemMessage(report.error)} style={{ marginBottom: 12 }} />}
      <Card size="small">
        {report.data === undefined || report.loading ? (
          <Spin description="正在生成通报…" style={{ display: 'block', padding: 48 }} />
        ) : (
          <>
            <Typography.Paragraph type="secondary" data-testid="report-meta">
              {month} 月通报 · 判定时点 {formatTime(report.data.json.judgedAt)} · 日志位置 {report.data.json.position} ·{' '}
              {report.data.json.scope === undefined
                ? `${report.data.json.units.length} 个单位，`
                : `本单位排名 ${report.data.json.scope.rank ?? '—'} / ${report.data.json.scope.rankedUnits}，`}
              {report.data.json.overdue.length} 条超期，{report.data.json.unsatisfied.length} 条不满意
            </Typography.Paragraph>
            <iframe
              ref={frame}
              title={`${month} 月度通报`}
              className="report-frame"
              srcDoc={report.data.html}
              sandbox="allow-same-origin allow-modals"
            />
          </>
        )}
      </Card>
    </>
  );
}
