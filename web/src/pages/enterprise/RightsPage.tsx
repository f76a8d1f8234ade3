import { Card, Tabs } from 'antd';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { Objection, Repair } from '../../api/types.ts';
import { ObjectionsTable, RepairsTable } from '../../components/CaseTables.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** My objections and repair applications, with every step of each case. */
export function RightsPage() {
  const { t } = useI18n();
  const objections = useApi(
    (signal) => api.get<{ items: Objection[] }>('/api/v1/objections', undefined, signal),
    [],
  );
  const repairs = useApi((signal) => api.get<{ items: Repair[] }>('/api/v1/repairs', undefined, signal), []);
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.ent.rights')} subtitle={t('rights.entSubtitle')} />
      <Card>
        <Tabs
          items={[
            {
              key: 'o',
              label: `${t('rights.objections')} (${objections.data?.items.length ?? 0})`,
              children: (
                <>
                  <ProblemAlert error={objections.error} onRetry={objections.reload} />
                  <ObjectionsTable
                    items={objections.data?.items ?? []}
                    loading={objections.loading}
                    showSubject={false}
                  />
                </>
              ),
            },
            {
              key: 'r',
              label: `${t('rights.repairs')} (${repairs.data?.items.length ?? 0})`,
              children: (
                <>
                  <ProblemAlert error={repairs.error} onRetry={repairs.reload} />
                  <RepairsTable
                    items={repairs.data?.items ?? []}
                    loading={repairs.loading}
                    showSubject={false}
                  />
                </>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
