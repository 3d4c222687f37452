import { useState } from 'react';
import { Button, Dropdown, Layout, Menu, Space, Tag, Typography } from 'antd';
import { Outlet, useLocation, useNavigate } from 'react-router';
import type { Role } from '../api/client';
import { UnitsProvider, useUnits } from '../directory/units';
import { ROLE_LABEL } from '../format/labels';
import { useSession } from '../session/session';
import { ChangePasswordDialog } from './ChangePasswordDialog';

interface Entry {
  key: string;
  label: string;
  roles: readonly Role[];
}

/** The screens of each role (what the service lets the role do; it refuses the rest anyway). */
const ENTRIES: readonly Entry[] = [
  { key: '/queue', label: '工作台', roles: ['desk', 'supervisor', 'admin'] },
  { key: '/intake/petition', label: '案件登记', roles: ['desk', 'supervisor', 'admin'] },
  { key: '/inbox', label: '本单位待办', roles: ['unit', 'supervisor', 'admin'] },
  { key: '/dashboard', label: '统计看板', roles: ['desk', 'supervisor', 'admin'] },
  // A unit reads its own row, its rank out of N and its own lists (docs/security.md); the dashboard's ranking would mislead it.
  { key: '/reports/monthly', label: '月度通报', roles: ['desk', 'unit', 'supervisor', 'admin'] },
  { key: '/audit', label: '日志核验', roles: ['supervisor', 'admin'] },
  { key: '/admin', label: '用户与单位', roles: ['admin'] },
];

export function entriesFor(role: Role): readonly Entry[] {
  return ENTRIES.filter((entry) => entry.roles.includes(role));
}

function CurrentUser() {
  const { user, signOut } = useSession();
  const { name } = useUnits();
  const [changingPassword, setChangingPassword] = useState(false);
  if (user === null) return null;
  return (
    <Space size="middle" style={{ color: '#fff' }} data-testid="current-user">
      <span>{user.displayName}</span>
      <Tag color="blue">{ROLE_LABEL[user.role]}</Tag>
      {user.unit !== undefined && <Tag>{name(user.unit)}</Tag>}
      <Dropdown
        menu={{
          items: [
            { key: 'password', label: '修改密码', onClick: () => setChangingPassword(true) },
            { key: 'sign-out', label: '退出登录', onClick: () => void signOut() },
          ],
        }}
      >
        <Button size="small">账户</Button>
      </Dropdown>
      <ChangePasswordDialog open={changingPassword} onClose={() => setChangingPassword(false)} />
    </Space>
  );
}

/** The frame of every screen: who is signed in (name, role, unit) above, the role's screens on the left. */
export function ConsoleLayout() {
  const { user } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const entries = user === null ? [] : entriesFor(user.role);
  const selected = entries.find((entry) => location.pathname.startsWith(entry.key.replace(/\/petition$/, '')))?.key;

  return (
    <UnitsProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', paddingInline: 24 }}>
          <Typography.Title level={4} style={{ color: '#fff', margin: 0 }}>
            综治中心案件管理
          </Typography.Title>
          <CurrentUser />
        </Layout.Header>
        <Layout>
          <Layout.Sider width={170} theme="light">
            <Menu
              mode="inline"
              selectedKeys={selected !== undefined ? [selected] : []}
              items={entries.map((entry) => ({ key: entry.key, label: entry.label }))}
              onClick={({ key }) => navigate(key)}
              style={{ height: '100%', borderInlineEnd: 0 }}
            />
          </Layout.Sider>
          <Layout.Content style={{ padding: 20, minWidth: 0 }}>
            <Outlet />
          </Layout.Content>
        </Layout>
      </Layout>
    </UnitsProvider>
  );
}
