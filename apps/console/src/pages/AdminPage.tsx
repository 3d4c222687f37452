import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Radio, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { api } from '../api/client';
import { showFieldErrors } from '../api/form-errors';
import { call, problemMessage } from '../api/problems';
import type { components } from '../api/schema';
import { useLoader } from '../api/use-loader';
import { UnitPicker } from '../cases/UnitPicker';
import { useUnits, type Unit } from '../directory/units';
import { ROLE_LABEL } from '../format/labels';

type User = components['schemas']['UserDto'];
type UnitType = Unit['type'];

const ROLES = ['desk', 'unit', 'supervisor', 'admin'] as const;
const UNIT_TYPE_LABEL: Record<UnitType, string> = { community: '社区/村', department: '科室', station: '站所' };

/** Values of the user form: creating one sets every field; editing one changes only what was filled in. */
interface UserValues {
  username?: string;
  displayName?: string;
  password?: string;
  role?: User['role'];
  unit?: string;
  active?: boolean;
}

function UserDialog({ editing, onClose, onSaved }: { editing: User | 'new' | null; onClose(): void; onSaved(): void }) {
  const [form] = Form.useForm<UserValues>();
  const { message } = App.useApp();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const role = Form.useWatch('role', form);
  const isNew = editing === 'new';

  async function submit(values: UserValues) {
    setBusy(true);
    setFailure(null);
    try {
      if (isNew) {
        await call(
          api.POST('/api/users', {
            body: {
              username: values.username ?? '',
              displayName: values.displayName ?? '',
              password: values.password ?? '',
              role: values.role ?? 'desk',
              ...(values.role === 'unit' && values.unit ? { unit: values.unit } : {}),
            },
          }),
        );
      } else if (editing !== null) {
        await call(
          api.PATCH('/api/users/{username}', {
            params: { path: { username: editing.username } },
            body: {
              displayName: values.displayName,
              role: values.role,
              active: values.active,
              ...(values.role === 'unit' && values.unit ? { unit: values.unit } : {}),
              ...(values.password ? { password: values.password } : {}),
            },
          }),
        );
      }
      message.success(isNew ? '用户已创建' : '用户已更新');
      onSaved();
    } catch (error) {
      showFieldErrors(form, error);
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={editing !== null}
      title={isNew ? '新建用户' : `编辑用户 ${editing?.username ?? ''}`}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
    >
      <Form<UserValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          isNew || editing === null
            ? { role: 'desk' }
            : { displayName: editing.displayName, role: editing.role, unit: editing.unit, active: editing.active }
        }
      >
        {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} />}
        {isNew && (
          <Form.Item name="username" label="用户名" rules={[{ required: true, whitespace: true, message: '请填写用户名' }]}>
            <Input autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
          <Radio.Group options={ROLES.map((value) => ({ value, label: ROLE_LABEL[value] }))} />
        </Form.Item>
        {role === 'unit' && (
          <Form.Item name="unit" label="所属承办单位" rules={[{ required: true, message: '承办单位用户须选择所属单位' }]}>
            <UnitPicker />
          </Form.Item>
        )}
        <Form.Item
          name="password"
          label={isNew ? '初始密码' : '重置密码（不改请留空）'}
          rules={isNew ? [{ required: true, message: '请填写初始密码' }] : []}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {!isNew && (
          <Form.Item name="active" label="启用" valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>取消</Button>
          <Button type="primary" htmlType="submit" loading={busy}>
            保存
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}

function UsersTab() {
  const { name } = useUnits();
  const users = useLoader('users', async () => (await call(api.GET('/api/users'))).data);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setEditing('new')}>
          新建用户
        </Button>
      </Space>
      {users.error !== undefined && <Alert type="error" showIcon title={problemMessage(users.error)} style={{ marginBottom: 12 }} />}
      <Table<User>
        rowKey="username"
        size="small"
        loading={users.loading}
        dataSource={users.data ?? []}
        pagination={{ pageSize: 20, showTotal: (total) => `共 ${total} 人` }}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (role: User['role']) => ROLE_LABEL[role] },
          { title: '所属单位', dataIndex: 'unit', render: (unit?: string) => name(unit) },
          { title: '状态', dataIndex: 'active', render: (active: boolean) => (active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
          {
            title: '操作',
            key: 'edit',
            render: (_v, user) => (
              <Button size="small" onClick={() => setEditing(user)}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      <UserDialog
        editing={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          users.reload();
        }}
      />
    </>
  );
}

interface UnitValues {
  code?: string;
  name?: string;
  type?: UnitType;
  active?: boolean;
}

function UnitsTab() {
  const { units, loading, reload } = useUnits();
  const { message } = App.useApp();
  const [form] = Form.useForm<UnitValues>();
  const [editing, setEditing] = useState<Unit | 'new' | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: UnitValues) {
    setBusy(true);
    setFailure(null);
    try {
      if (editing === 'new') {
        await call(
          api.POST('/api/units', { body: { code: values.code ?? '', name: values.name ?? '', type: values.type ?? 'community' } }),
        );
      } else if (editing !== null) {
        await call(
          api.PATCH('/api/units/{code}', {
            params: { path: { code: editing.code } },
            body: { name: values.name, type: values.type, active: values.active },
          }),
        );
      }
      message.success('单位已保存');
      setEditing(null);
      reload();
    } catch (error) {
      showFieldErrors(form, error);
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setEditing('new')}>
          新建单位
        </Button>
      </Space>
      <Table<Unit>
        rowKey="code"
        size="small"
        loading={loading}
        dataSource={units}
        pagination={false}
        columns={[
          { title: '代码', dataIndex: 'code' },
          { title: '名称', dataIndex: 'name' },
          { title: '类型', dataIndex: 'type', render: (type: UnitType) => UNIT_TYPE_LABEL[type] },
          { title: '状态', dataIndex: 'active', render: (active: boolean) => (active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
          {
            title: '操作',
            key: 'edit',
            render: (_v, unit) => (
              <Button size="small" onClick={() => setEditing(unit)}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? '新建单位' : '编辑单位'}
        onCancel={() => setEditing(null)}
        footer={null}
        destroyOnHidden
      >
        <Form<UnitValues>
          form={form}
          layout="vertical"
          onFinish={submit}
          preserve={false}
          initialValues={
            editing === 'new' || editing === null
              ? { type: 'community' }
              : { name: editing.name, type: editing.type, active: editing.active }
          }
        >
          {failure !== null && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} />}
          {editing === 'new' && (
            <Form.Item
              name="code"
              label="代码（派单时使用，创建后不可改）"
              rules={[{ required: true, whitespace: true, message: '请填写单位代码' }]}
            >
              <Input />
            </Form.Item>
          )}
          <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写单位名称' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="type" label="类型" rules={[{ required: true, message: '请选择类型' }]}>
            <Select options={(Object.keys(UNIT_TYPE_LABEL) as UnitType[]).map((value) => ({ value, label: UNIT_TYPE_LABEL[value] }))} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label="启用" valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
          <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
            <Button onClick={() => setEditing(null)}>取消</Button>
            <Button type="primary" htmlType="submit" loading={busy}>
              保存
            </Button>
          </Space>
        </Form>
      </Modal>
    </>
  );
}

/** Administration: the users who sign in and the handling units cases are dispatched to. */
export default function AdminPage() {
  return (
    <>
      <Typography.Title level={3} className="page-title">
        用户与单位
      </Typography.Title>
      <Card>
        <Tabs
          items={[
            { key: 'users', label: '用户', children: <UsersTab /> },
            { key: 'units', label: '承办单位', children: <UnitsTab /> },
          ]}
        />
      </Card>
    </>
  );
}
