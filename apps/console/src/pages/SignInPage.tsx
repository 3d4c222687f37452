import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { problemMessage } from '../api/problems';
import { useSession } from '../session/session';

interface Credentials {
  username: string;
  password: string;
}

export function SignInPage({ expired }: { expired: boolean }) {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: Credentials) {
    setBusy(true);
    setFailure(null);
    try {
      await signIn(values.username.trim(), values.password);
      const next = params.get('next');
      navigate(next !== null && next.startsWith('/') && !next.startsWith('/login') ? next : '/', { replace: true });
    } catch (error) {
      setFailure(problemMessage(error).replace('登录已失效，请重新登录', '用户名或密码错误'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          综治中心案件管理
        </Typography.Title>
        {expired && <Alert type="warning" showIcon title="登录已失效，请重新登录" style={{ marginBottom: 16 }} />}
        {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} role="alert" />}
        <Form<Credentials> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label="用户名" name="username" rules={[{ required: true, whitespace: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
