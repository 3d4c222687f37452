import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Spin } from 'antd';
import type { Role } from './api/client';
import { ConsoleLayout } from './layout/ConsoleLayout';
import { SignInPage } from './pages/SignInPage';
import { useSession } from './session/session';

// Each screen is its own chunk: the sign-in page and the work queue load without the charts.
const WorkQueuePage = lazy(() => import('./pages/WorkQueuePage'));
const IntakePage = lazy(() => import('./pages/IntakePage'));
const CasePage = lazy(() => import('./pages/CasePage'));
const UnitInboxPage = lazy(() => import('./pages/UnitInboxPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const MonthlyReportPage = lazy(() => import('./pages/MonthlyReportPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const AdminPage = lazy(() => import('./pages/AdminPage'));

export function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin size="large" description="加载中…" />
    </div>
  );
}

/** Where each role starts. */
function homeFor(role: Role | undefined): string {
  if (role === 'unit') return '/inbox';
  if (role === 'supervisor') return '/dashboard';
  return '/queue';
}

function Screen({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function ConsoleRoutes() {
  const { session, user } = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'signed-out') {
    return (
      <Routes>
        <Route path="/login" element={<SignInPage expired={session.expired} />} />
        <Route path="*" element={<Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route element={<ConsoleLayout />}>
        <Route index element={<Navigate to={homeFor(user?.role)} replace />} />
        <Route path="login" element={<Navigate to={homeFor(user?.role)} replace />} />
        <Route
          path="queue"
          element={
            <Screen>
              <WorkQueuePage />
            </Screen>
          }
        />
        <Route
          path="intake/:kind"
          element={
            <Screen>
              <IntakePage />
            </Screen>
          }
        />
        <Route
          path="cases/:id"
          element={
            <Screen>
              <CasePage />
            </Screen>
          }
        />
        <Route
          path="inbox"
          element={
            <Screen>
              <UnitInboxPage />
            </Screen>
          }
        />
        <Route
          path="dashboard"
          element={
            <Screen>
              <DashboardPage />
            </Screen>
          }
        />
        <Route
          path="reports/monthly"
          element={
            <Screen>
              <MonthlyReportPage />
            </Screen>
          }
        />
        <Route
          path="audit"
          element={
            <Screen>
              <AuditPage />
            </Screen>
          }
        />
        <Route
          path="admin"
          element={
            <Screen>
              <AdminPage />
            </Screen>
          }
        />
        <Route path="*" element={<Navigate to={homeFor(user?.role)} replace />} />
      </Route>
    </Routes>
  );
}
