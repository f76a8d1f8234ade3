import { Alert, Skeleton } from 'antd';
import { useParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { SubjectSummary } from '../../api/types.ts';
import { DeclarationsCard } from '../../components/DeclarationsCard.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { IssueReportButton } from '../../components/Reports.tsx';
import { SubjectCard } from '../../components/SubjectCard.tsx';
import { SubjectRecords } from '../../components/SubjectRecords.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** The public view of a subject (公开信息): registration basics and records open to anyone. */
export function SubjectPublicPage() {
  const { t } = useI18n();
  const { uscc = '' } = useParams();
  const subject = useApi(
    (signal) => api.get<SubjectSummary>(`/api/v1/subjects/${encodeURIComponent(uscc)}`, undefined, signal),
    [uscc],
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('subject.publicTitle')} />
      <ProblemAlert error={subject.error} onRetry={subject.reload} style={{ marginBottom: 16 }} />
      {subject.loading && <Skeleton active />}
      {subject.data && (
        <>
          <SubjectCard
            subject={subject.data}
            extra={
              <IssueReportButton
                input={{ uscc, type: 'public' }}
                label={t('reports.issuePublic')}
                testId="issue-public"
              />
            }
          />
          <Alert type="info" showIcon title={t('subject.publicNotice')} style={{ marginBottom: 16 }} />
          <SubjectRecords
            uscc={uscc}
            title={t('subject.publicRecords')}
            emptyText={t('subject.noPublicRecords')}
          />
          <DeclarationsCard uscc={uscc} />
        </>
      )}
    </div>
  );
}
