import { Alert, App as AntApp, Button, Skeleton, Space } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { CatalogKind, SubjectSummary } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import type { CreditRecord } from '../../components/RecordsView.tsx';
import { ObjectionModal, RepairModal, RepairOutcome } from '../../components/Rights.tsx';
import { SubjectCard } from '../../components/SubjectCard.tsx';
import { WhitelistBadge } from '../../components/Whitelist.tsx';
import { SubjectRecords } from '../../components/SubjectRecords.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

type Acting = { what: 'object' | 'repair'; record: CreditRecord; kind: CatalogKind | undefined };

/**
 * My credit profile (我的信用档案): everything the platform holds about the enterprise, free, every
 * category listed (empty ones say so), every record with its marks (已修复 / 异议处理中 / 已撤回)
 * and its earlier versions; an objection or a repair application starts from the record itself.
 */
export function ProfilePage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const { message, modal } = AntApp.useApp();
  const uscc = me?.uscc ?? '';
  const [acting, setActing] = useState<Acting | undefined>(undefined);
  const [reloadKey, setReloadKey] = useState(0);
  const subject = useApi(
    (signal) => api.get<SubjectSummary>(`/api/v1/subjects/${encodeURIComponent(uscc)}`, undefined, signal),
    [uscc],
    uscc !== '',
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.ent.profile')} subtitle={t('profile.subtitle')} />
      {!uscc && <Alert type="warning" showIcon title={t('profile.noSubject')} />}
      <ProblemAlert error={subject.error} onRetry={subject.reload} style={{ marginBottom: 16 }} />
      {subject.loading && <Skeleton active />}
      {subject.data && <SubjectCard subject={subject.data} badges={<WhitelistBadge uscc={uscc} />} />}
      {uscc && (
        <SubjectRecords
          uscc={uscc}
          query={{ includeHistory: 'true' }}
          title={t('profile.records')}
          allCategories
          emptyText={t('record.none')}
          reloadKey={reloadKey}
          actions={(record, kind) => {
            if (record.marks.includes('withdrawn')) return null;
            return (
              <Space size={4}>
                {!record.marks.includes('disputed') && (
                  <Button
                    size="small"
                    onClick={() => setActing({ what: 'object', record, kind })}
                    data-testid="record-object"
                  >
                    {t('rights.object')}
                  </Button>
                )}
                {kind?.negative && !record.marks.includes('repaired') && (
                  <Button
                    size="small"
                    onClick={() => setActing({ what: 'repair', record, kind })}
                    data-testid="record-repair"
                  >
                    {t('rights.repair')}
                  </Button>
                )}
              </Space>
            );
          }}
        />
      )}
      {acting?.what === 'object' && (
        <ObjectionModal
          record={acting.record}
          kind={acting.kind}
          onClose={() => setActing(undefined)}
          onDone={() => {
            setActing(undefined);
            message.success(t('rights.objectionFiled'));
            setReloadKey((k) => k + 1);
          }}
        />
      )}
      {acting?.what === 'repair' && (
        <RepairModal
          record={acting.record}
          kind={acting.kind}
          onClose={() => setActing(undefined)}
          onDone={(r) => {
            setActing(undefined);
            setReloadKey((k) => k + 1);
            modal.info({ title: t('rights.repairApplied'), content: <RepairOutcome r={r} />, width: 520 });
          }}
        />
      )}
    </div>
  );
}
