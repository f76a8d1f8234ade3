import { Card } from 'antd';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { ReportMeta } from '../../api/types.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ReportsTable } from '../../components/Reports.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** Reports the institution issued (public or full under a consent), to download again. */
export function ReportsPage() {
  const { t } = useI18n();
  const list = useApi(
    (signal) => api.get<{ reports: ReportMeta[] }>('/api/v1/reports', undefined, signal),
    [],
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.inst.reports')} subtitle={t('reports.instSubtitle')} />
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card>
        <ReportsTable reports={list.data?.reports ?? []} loading={list.loading} showSubject />
      </Card>
    </div>
  );
}
