import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Modal, Space, Typography } from 'antd';
import { api } from '../api/client';
import { call, problemMessage } from '../api/problems';
import type { CaseView } from '../api/responses';

const SECTION_LABEL: Record<string, string> = { petitioner: '信访人', caller: '来电人', parties: '当事人' };
const FIELD_LABEL: Record<string, string> = { name: '姓名', phone: '电话', idNumber: '身份证号', address: '住址', role: '身份' };

/** One person as the service shows them; ids and flags are for machines, the name already says "（保密）" or "（已销毁）". */
function person(value: unknown): string {
  if (value === null || typeof value !== 'object') return '—';
  return Object.entries(value as Record<string, unknown>)
    .filter(([key, field]) => key in FIELD_LABEL && typeof field === 'string' && field !== '')
    .map(([key, field]) => `${FIELD_LABEL[key]} ${String(field)}`)
    .join('，');
}

function People({ personal }: { personal: unknown }) {
  if (personal === null || typeof personal !== 'object' || Object.keys(personal).length === 0) {
    return <Typography.Text type="secondary">无</Typography.Text>;
  }
  return (
    <Descriptions size="small" column={1} bordered>
      {Object.entries(personal as Record<string, unknown>).map(([key, value]) => (
        <Descriptions.Item key={key} label={SECTION_LABEL[key] ?? key}>
          {Array.isArray(value) ? value.map((entry, index) => <div key={index}>{person(entry)}</div>) : person(value)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

interface Props {
  view: CaseView;
  /** Desk, supervisor and admin may see full values, each look recorded on the case. */
  canReveal: boolean;
  /** After a reveal: the service recorded the look, so the history and the revision changed. */
  onRevealed(): void;
}

/** The people of a case, masked (张*, 138****1234) until someone allowed to asks for full values with a reason. */
export function PersonalData({ view, canReveal, onRevealed }: Props) {
  const [revealed, setRevealed] = useState<unknown>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function reveal({ reason }: { reason: string }) {
    setBusy(true);
    setFailure(null);
    try {
      const { data } = await call(
        api.GET('/api/cases/{id}', { params: { path: { id: view.id }, query: { reveal: 'personal', reason: reason.trim() } } }),
      );
      setRevealed((data as unknown as CaseView).personal);
      setAsking(false);
      onRevealed();
    } catch (error) {
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <People personal={revealed ?? view.personal} />
      <Space style={{ marginTop: 8 }}>
        {revealed !== null ? (
          <>
            <Typography.Text type="warning">正在显示完整信息，本次查看已记入办理记录。</Typography.Text>
            <Button size="small" onClick={() => setRevealed(null)}>
              隐藏
            </Button>
          </>
        ) : (
          canReveal && (
            <Button size="small" onClick={() => setAsking(true)}>
              查看完整信息
            </Button>
          )
        )}
      </Space>
      <Modal open={asking} title="查看完整个人信息" onCancel={() => setAsking(false)} footer={null} destroyOnHidden>
        <Form<{ reason: string }> layout="vertical" onFinish={reveal}>
          <Typography.Paragraph type="secondary">查看人、时间、字段和理由将记入本案办理记录。</Typography.Paragraph>
          {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 12 }} />}
          <Form.Item
            name="reason"
            label="查看理由"
            rules={[
              { required: true, whitespace: true, message: '请填写查看理由' },
              { max: 500, message: '不能超过 500 个字' },
            ]}
          >
            <Input.TextArea rows={2} placeholder="如：回访需联系信访人" />
          </Form.Item>
          <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
            <Button onClick={() => setAsking(false)}>取消</Button>
            <Button type="primary" htmlType="submit" loading={busy}>
              查看
            </Button>
          </Space>
        </Form>
      </Modal>
    </>
  );
}
