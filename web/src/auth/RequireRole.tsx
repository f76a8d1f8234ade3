import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useI18n } from '../i18n/i18n.tsx';
import { PageLoading } from '../components/PageLoading.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { roleHome, useAuth, type PortalRole } from './auth.tsx';

/** Portal pages: send anonymous users to the login page (and back afterwards); refuse other roles. */
export function RequireRole({ roles, children }: { roles: PortalRole[]; children: ReactNode }) {
  const { me, checking, error } = useAuth();
  const { t } = useI18n();
  const location = useLocation();
  if (checking) return <PageLoading />;
  if (error) return <ProblemAlert error={error} />;
  if (!me) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (!roles.includes(me.role)) {
    return (
      <Result
        status="403"
        title={t('auth.wrongRole')}
        extra={
          <Button type="primary" href={roleHome[me.role]}>
            {t('nav.myPortal')}
          </Button>
        }
      />
    );
  }
  return <>{children}</>;
}
