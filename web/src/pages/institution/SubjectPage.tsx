import { Alert, Select, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { Consent, SubjectSummary } from '../../api/types.ts';
import { ConsentStateTag, modeKey, purposeKey, useScopeText } from '../../components/ConsentParts.tsx';
import { DeclarationsCard } from '../../components/DeclarationsCard.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { EvaluationCard } from '../../components/EvaluationCard.tsx';
import { IssueReportButton } from '../../components/Reports.tsx';
import { SubjectCard } from '../../components/SubjectCard.tsx';
import { WhitelistBadge } from '../../components/Whitelist.tsx';
import { SubjectRecords } from '../../components/SubjectRecords.tsx';
import { formatDate } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/**
 * A subject seen by an institution: the public view, or the authorized full view under one of the
 * consents the institution holds for it (the read path checks the consent and logs the access).
 */
export function SubjectPage() {
  const { t } = useI18n();
  const { uscc = '' } = useParams();
  const [params] = useSearchParams();
  const { catalog } = useCatalog();
  const scopeText = useScopeText();
  const subject = useApi(
    (signal) => api.get<SubjectSummary>(`/api/v1/subjects/${encodeURIComponent(uscc)}`, undefined, signal),
    [uscc],
  );
  const consents = useApi((signal) => api.get<Consent[]>('/api/v1/consents', { uscc }, signal), [uscc]);
  const usable = (consents.data ?? []).filter((c) => c.state === 'ACTIVE' && c.mode !== 'verify');
  const [chosen, setChosen] = useState<string | undefined>(params.get('consent') ?? undefined);
  const consentId = chosen === 'public' ? undefined : (chosen ?? usable[0]?.id);
  const consent = usable.find((c) => c.id === consentId);

  return (
    <div className="xr-page">
      <PageHeader title={t('instSubject.title')} />
      <ProblemAlert error={subject.error} onRetry={subject.reload} style={{ marginBottom: 16 }} />
      {subject.loading && <Skeleton active />}
      {subject.data && (
        <SubjectCard
          subject={subject.data}
          badges={<WhitelistBadge uscc={uscc} />}
          extra={
            consent ? (
              <IssueReportButton
                key={consent.id}
                input={{ uscc, type: 'full', consentId: consent.id, purpose: consent.purpose }}
                label={t('reports.issueFull')}
                testId="issue-full"
              />
            ) : (
              <IssueReportButton
                input={{ uscc, type: 'public' }}
                label={t('reports.issuePublic')}
                testId="issue-public"
              />
            )
          }
        />
      )}
      {subject.data && consents.data && (
        <EvaluationCard key={consentId ?? 'public'} uscc={uscc} consentId={consentId} />
      )}
      <ProblemAlert error={consents.error} onRetry={consents.reload} style={{ marginBottom: 16 }} />
      {consents.data && (
        <Alert
          style={{ marginBottom: 16 }}
          type={consent ? 'success' : 'info'}
          showIcon
          title={consent ? t('instSubject.underConsent') : t('instSubject.publicOnly')}
          description={
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Select
                value={consentId ?? 'public'}
                onChange={setChosen}
                style={{ width: '100%', maxWidth: 560 }}
                data-testid="view-consent"
                options={[
                  { value: 'public', label: t('instSubject.viewPublic') },
                  ...usable.map((c) => ({
                    value: c.id,
                    label: `${t(purposeKey[c.purpose])} · ${t(modeKey[c.mode])} · ${t('consent.validUntil')} ${formatDate(c.validUntil)}`,
                  })),
                ]}
              />
              {consent && (
                <Typography.Text type="secondary">
                  <ConsentStateTag state={consent.state} /> {t('consent.scope')}：
                  {scopeText(consent.scope, catalog)}
                  {consent.maxUses ? ` · ${t('consent.uses')} ${consent.useCount}/${consent.maxUses}` : ''}
                </Typography.Text>
              )}
              {usable.length === 0 && (
                <Typography.Text type="secondary">{t('instSubject.noConsent')}</Typography.Text>
              )}
            </Space>
          }
        />
      )}
      {consents.data && (
        <SubjectRecords
          key={consentId ?? 'public'}
          uscc={uscc}
          query={consent ? { consentId: consent.id, purpose: consent.purpose } : undefined}
          title={consent ? t('instSubject.fullView') : t('subject.publicRecords')}
          emptyText={t('record.none')}
        />
      )}
      <DeclarationsCard uscc={uscc} />
    </div>
  );
}
