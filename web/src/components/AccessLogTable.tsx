import { Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useCatalog } from '../api/catalog.ts';
import { useInstitutions } from '../api/directory.ts';
import type { AccessLogEntry } from '../api/types.ts';
import { formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { Uscc } from './Uscc.tsx';

const basisKey: Record<string, MessageKey> = {
  public: 'accessLog.basis.public',
  self: 'accessLog.basis.self',
  operator: 'accessLog.basis.operator',
  consent: 'accessLog.basis.consent',
  provider: 'accessLog.basis.provider',
  internal: 'accessLog.basis.internal',
};

const actorKey: Record<string, MessageKey> = {
  anonymous: 'accessLog.actor.anonymous',
  enterprise: 'role.enterprise',
  institution: 'role.institution',
  institution_system: 'accessLog.actor.institution_system',
  provider: 'role.provider',
  operator: 'role.operator',
  recommender: 'role.recommender',
  system: 'accessLog.actor.system',
};

const purposeKey: Record<string, MessageKey> = {
  loan_application: 'consent.purpose.loan_application',
  post_loan_monitoring: 'consent.purpose.post_loan_monitoring',
  product_matching: 'consent.purpose.product_matching',
};

/** The access log (查询日志): who read which subject's records, when, why, under which consent. */
export function AccessLogTable({
  entries,
  loading,
  showSubject,
}: {
  entries: AccessLogEntry[];
  loading: boolean;
  showSubject: boolean;
}) {
  const { t, pick } = useI18n();
  const { catalog } = useCatalog();
  const institutions = useInstitutions();
  const orgName = (id: string | null) => {
    if (!id) return undefined;
    const x = institutions.find((i) => i.id === id);
    return x ? pick(x.nameZh, x.nameEn) : id;
  };
  const kindName = (code: string) => {
    const k = catalog?.kinds.find((x) => x.code === code);
    return k ? pick(k.name_zh, k.name_en) : code;
  };
  return (
    <Table<AccessLogEntry>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={entries}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
      onRow={() => ({ 'data-testid': 'access-row' }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { key: 'at', title: t('accessLog.time'), render: (_, e) => formatDateTime(e.occurredAt) },
        ...(showSubject
          ? [
              {
                key: 'uscc',
                title: t('subject.uscc'),
                render: (_: unknown, e: AccessLogEntry) => (
                  <Link to={`/subjects/${e.uscc}`}>
                    <Uscc value={e.uscc} copyable={false} />
                  </Link>
                ),
              },
            ]
          : []),
        {
          key: 'who',
          title: t('accessLog.who'),
          render: (_, e) => (
            <span>
              {orgName(e.orgId) ?? (actorKey[e.actorType] ? t(actorKey[e.actorType]!) : e.actorType)}
              {e.orgId && (
                <Typography.Text type="secondary" style={{ marginInlineStart: 6 }}>
                  {actorKey[e.actorType] ? t(actorKey[e.actorType]!) : e.actorType}
                </Typography.Text>
              )}
            </span>
          ),
        },
        {
          key: 'basis',
          title: t('accessLog.basis'),
          render: (_, e) => (basisKey[e.basis] ? t(basisKey[e.basis]!) : e.basis),
        },
        {
          key: 'purpose',
          title: t('consent.purpose'),
          render: (_, e) =>
            e.purpose ? (purposeKey[e.purpose] ? t(purposeKey[e.purpose]!) : e.purpose) : '—',
          responsive: ['md'],
        },
        {
          key: 'consent',
          title: t('accessLog.consent'),
          render: (_, e) => (e.consentId ? <span className="xr-mono">{e.consentId.slice(0, 12)}</span> : '—'),
          responsive: ['lg'],
        },
        {
          key: 'kinds',
          title: t('accessLog.kinds'),
          render: (_, e) => (
            <Typography.Text
              style={{ maxWidth: 260 }}
              ellipsis={{ tooltip: e.kinds.map(kindName).join('、') }}
            >
              {e.kinds.length ? e.kinds.map(kindName).join('、') : '—'}
            </Typography.Text>
          ),
          responsive: ['lg'],
        },
        { key: 'n', title: t('accessLog.records'), align: 'right', render: (_, e) => e.recordCount },
        {
          key: 'np',
          title: '',
          render: (_, e) => (e.nonPublic ? <Tag color="gold">{t('accessLog.nonPublic')}</Tag> : null),
        },
      ]}
    />
  );
}
