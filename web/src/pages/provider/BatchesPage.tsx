import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { kindMap, pushableKinds, useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { BatchView } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { BatchStatusTag, finishedStatuses } from '../../components/BatchParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatCount, formatDateTime, formatPercent } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useEffect } from 'react';

/** Batches (批次记录): a provider sees its own, an operator every provider's. */
export function BatchesPage() {
  const { t, pick } = useI18n();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { catalog } = useCatalog();
  const kinds = kindMap(catalog);
  const [kind, setKind] = useState<string | undefined>(undefined);
  const list = useApi(
    (signal) => api.get<{ batches: BatchView[] }>('/api/v1/batches', { kind, limit: 200 }, signal),
    [kind],
  );
  const running = list.data?.batches.some((b) => !finishedStatuses.has(b.status)) ?? false;
  // Refresh while a batch is still being processed.
  useEffect(() => {
    if (!running) return;
    const id = window.setTimeout(list.reload, 2000);
    return () => window.clearTimeout(id);
  }, [running, list.data, list.reload]);

  return (
    <div className="xr-page">
      <PageHeader
        title={t('nav.prov.batches')}
        subtitle={t('batches.subtitle')}
        extra={
          <Space wrap>
            <Select
              allowClear
              placeholder={t('upload.kind')}
              style={{ minWidth: 200 }}
              value={kind}
              onChange={setKind}
              showSearch={{ optionFilterProp: 'label' }}
              options={pushableKinds(catalog, me?.role === 'provider' ? me.orgId : undefined).map((k) => ({
                value: k.code,
                label: pick(k.name_zh, k.name_en),
              }))}
            />
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              {t('action.refresh')}
            </Button>
            {me?.role === 'provider' && (
              <Link to="/provider">
                <Button type="primary">{t('nav.prov.upload')}</Button>
              </Link>
            )}
          </Space>
        }
      />
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card>
        <Table<BatchView>
          rowKey="id"
          size="middle"
          loading={list.loading && !list.data}
          dataSource={list.data?.batches ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
          onRow={(b) =>
            ({
              onClick: () => navigate(`/provider/batches/${b.id}`),
              className: 'xr-clickable',
              'data-testid': 'batch-row',
            }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            {
              key: 'id',
              title: t('batch.id'),
              render: (_, b) => <Link to={`/provider/batches/${b.id}`}>#{b.id}</Link>,
            },
            {
              key: 'kind',
              title: t('upload.kind'),
              render: (_, b) => {
                const k = kinds.get(b.kindCode);
                return k ? pick(k.name_zh, k.name_en) : b.kindCode;
              },
            },
            ...(me?.role === 'operator'
              ? [{ key: 'prov', title: t('batch.provider'), dataIndex: 'providerId' }]
              : []),
            {
              key: 'file',
              title: t('batch.file'),
              render: (_, b) => b.filename ?? t(`batch.source.${b.source}` as 'batch.source.api'),
              responsive: ['md'],
            },
            { key: 'status', title: t('batch.status'), render: (_, b) => <BatchStatusTag batch={b} /> },
            {
              key: 'received',
              title: t('batch.received'),
              align: 'right',
              render: (_, b) => formatCount(b.received),
            },
            {
              key: 'accepted',
              title: t('batch.accepted'),
              align: 'right',
              render: (_, b) => formatCount(b.accepted),
              responsive: ['sm'],
            },
            {
              key: 'rejected',
              title: t('batch.rejected'),
              align: 'right',
              render: (_, b) => formatCount(b.rejected),
            },
            {
              key: 'rate',
              title: t('batch.rejectionRate'),
              align: 'right',
              render: (_, b) => (b.received ? formatPercent(b.rejected / b.received) : '—'),
              responsive: ['lg'],
            },
            { key: 'at', title: t('batch.createdAt'), render: (_, b) => formatDateTime(b.createdAt) },
          ]}
        />
      </Card>
    </div>
  );
}
