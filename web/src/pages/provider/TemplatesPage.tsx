import { DownloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Input, Skeleton, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { pushableKinds, useCatalog } from '../../api/catalog.ts';
import { download } from '../../api/client.ts';
import { asApiError } from '../../api/hooks.ts';
import type { CatalogKind } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { OpennessTag } from '../../components/CatalogBrowser.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** One XLSX template per kind the provider sends (Chinese headers, an example sheet, a field sheet). */
export function TemplatesPage() {
  const { t, pick } = useI18n();
  const { notification } = AntApp.useApp();
  const { me } = useAuth();
  const { catalog, error } = useCatalog();
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const kinds = pushableKinds(catalog, me?.orgId).filter(
    (k) => !q || `${k.name_zh}${k.name_en}${k.code}`.toLowerCase().includes(q.toLowerCase()),
  );
  const get = async (k: CatalogKind) => {
    setBusy(k.code);
    try {
      await download(`/api/v1/catalog/kinds/${k.code}/template.xlsx`, `${k.code}-template.xlsx`);
    } catch (e) {
      const err = asApiError(e);
      notification.error({ title: t('templates.failed'), description: pick(err.zh, err.en) });
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.prov.templates')} subtitle={t('templates.subtitle')} />
      <ProblemAlert error={error} />
      <Card>
        <Input.Search
          allowClear
          placeholder={t('catalog.searchKind')}
          onChange={(e) => setQ(e.target.value)}
          style={{ maxWidth: 320, marginBottom: 12 }}
        />
        {!catalog && !error ? (
          <Skeleton active />
        ) : (
          <Table<CatalogKind>
            rowKey="code"
            size="middle"
            dataSource={kinds}
            pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'name', title: t('catalog.kind'), render: (_, k) => pick(k.name_zh, k.name_en) },
              {
                key: 'code',
                title: t('catalog.code'),
                render: (_, k) => <span className="xr-mono">{k.code}</span>,
                responsive: ['md'],
              },
              {
                key: 'open',
                title: t('catalog.openness'),
                render: (_, k) => <OpennessTag openness={k.openness} />,
                responsive: ['sm'],
              },
              {
                key: 'req',
                title: t('templates.required'),
                render: (_, k) =>
                  k.fields
                    .filter((f) => f.required)
                    .map((f) => <Tag key={f.code}>{pick(f.label_zh, f.label_en)}</Tag>),
                responsive: ['lg'],
              },
              {
                key: 'dl',
                title: '',
                render: (_, k) => (
                  <span style={{ whiteSpace: 'nowrap' }}>
                    <Button
                      size="small"
                      icon={<DownloadOutlined />}
                      loading={busy === k.code}
                      onClick={() => void get(k)}
                      data-testid={`template-${k.code}`}
                    >
                      XLSX
                    </Button>{' '}
                    <Link to={`/provider?kind=${k.code}`}>{t('nav.prov.upload')}</Link>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Card>
    </div>
  );
}
