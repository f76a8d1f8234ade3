import { Card, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { Consent } from '../../api/types.ts';
import { ConsentStateTag, modeKey, purposeKey, useScopeText } from '../../components/ConsentParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatDate, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Consents held (持有授权): what each enterprise allowed, until when, how often used. */
export function ConsentsPage() {
  const { t } = useI18n();
  const { catalog } = useCatalog();
  const scopeText = useScopeText();
  const list = useApi((signal) => api.get<Consent[]>('/api/v1/consents', { limit: 1000 }, signal), []);
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.inst.consents')} subtitle={t('consent.instSubtitle')} />
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card>
        <Table<Consent>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
          onRow={() => ({ 'data-testid': 'consent-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              key: 'uscc',
              title: t('consent.subject'),
              render: (_, c) => (
                <Link to={`/institution/subjects/${c.uscc}?consent=${encodeURIComponent(c.id)}`}>
                  <Uscc value={c.uscc} copyable={false} />
                </Link>
              ),
            },
            { key: 'purpose', title: t('consent.purpose'), render: (_, c) => t(purposeKey[c.purpose]) },
            {
              key: 'mode',
              title: t('consent.mode'),
              render: (_, c) => t(modeKey[c.mode]),
              responsive: ['md'],
            },
            {
              key: 'scope',
              title: t('consent.scope'),
              render: (_, c) => (
                <Typography.Text style={{ maxWidth: 260 }} ellipsis={{ tooltip: true }}>
                  {scopeText(c.scope, catalog)}
                </Typography.Text>
              ),
              responsive: ['lg'],
            },
            {
              key: 'valid',
              title: t('consent.validity'),
              render: (_, c) => `${formatDate(c.validFrom)} ~ ${formatDate(c.validUntil)}`,
              responsive: ['sm'],
            },
            {
              key: 'uses',
              title: t('consent.uses'),
              render: (_, c) => (c.maxUses ? `${c.useCount} / ${c.maxUses}` : String(c.useCount)),
            },
            {
              key: 'last',
              title: t('instConsents.lastUsed'),
              render: (_, c) => formatDateTime(c.lastUsedAt),
              responsive: ['lg'],
            },
            {
              key: 'state',
              title: t('consent.state'),
              render: (_, c) => <ConsentStateTag state={c.state} />,
            },
          ]}
        />
      </Card>
    </div>
  );
}
