import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Space } from 'antd';
import { api } from '../api/client';
import { showFieldErrors } from '../api/form-errors';
import { call, problemMessage } from '../api/problems';
import { useSession } from '../session/session';

interface Values {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

/** Changing one's own password ends every session of the user, so the console signs in again afterwards. */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit({ currentPassword, newPassword }: Values) {
    setBusy(true);
    setFailure(null);
    try {
      await call(api.POST('/api/auth/password', { body: { currentPassword, newPassword } }));
      message.success('密码已修改，请用新密码重新登录');
      onClose();
      await signOut();
    } catch (error) {
      showFieldErrors(form, error);
      setFailure(problemMessage(error).replace('登录已失效，请重新登录', '当前密码不正确'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title="修改密码" onCancel={onClose} footer={null} destroyOnHidden>
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} />}
        <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label="新密码" rules={[{ required: true, message: '请输入新密码' }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label="再次输入新密码"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: async (_rule, value) => {
                if (value && value !== getFieldValue('newPassword')) throw new Error('两次输入的新密码不一致');
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>取消</Button>
          <Button type="primary" htmlType="submit" loading={busy}>
            修改
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}
