import { useState } from 'react';
import { Alert, Button, Card, List, Result, Typography } from 'antd';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { components } from '../api/schema';
import { formatTime } from '../format/time';

type Verification = components['schemas']['LogVerificationDto'];

/** A supervisor proves the history was never altered: the service walks the whole hash-chained log. */
export default function AuditPage() {
  const [result, setResult] = useState<{ verification: Verification; at: Date } | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function verify() {
    setBusy(true);
    setFailure(null);
    try {
      const { data } = await call(api.GET('/api/audit/verify'));
      setResult({ verification: data, at: new Date() });
    } catch (error) {
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Typography.Title level={3} className="page-title">
        日志核验
      </Typography.Title>
      <Card>
        <Typography.Paragraph>
          每条事件都带有与前一事件相链接的哈希值。核验会逐条检查全部事件的内容与链接、日志位置与版本是否连续，并重放每个案件，证明办理记录未被篡改。
        </Typography.Paragraph>
        <Button type="primary" onClick={() => void verify()} loading={busy}>
          {busy ? '正在核验全部事件…' : '开始核验'}
        </Button>
        {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginTop: 16 }} />}
        {result !== null &&
          (result.verification.intact ? (
            <Result
              status="success"
              title="日志完整，未发现篡改"
              subTitle={`核验 ${result.verification.events} 条事件，至日志位置 ${result.verification.head}（${formatTime(result.at)}）`}
              data-testid="audit-result"
            />
          ) : (
            <Result
              status="error"
              title="发现与记录不符的事件"
              subTitle={`核验 ${result.verification.events} 条事件，至日志位置 ${result.verification.head}（${formatTime(result.at)}）`}
              data-testid="audit-result"
            >
              <List
                size="small"
                bordered
                dataSource={result.verification.problems}
                renderItem={(problem) => <List.Item>{problem}</List.Item>}
              />
            </Result>
          ))}
      </Card>
    </>
  );
}
