import { UploadOutlined } from '@ant-design/icons';
import {
  App as AntApp,
  Alert,
  Button,
  Card,
  Descriptions,
  Input,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { loadCatalog, resetCatalog } from '../../api/catalog.ts';
import { api, request } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { Catalog } from '../../api/types.ts';
import { CatalogBrowser } from '../../components/CatalogBrowser.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface VersionInfo {
  version: number;
  label: string;
  source_format: string;
  digest_sha256: string;
  created_at: string;
  categories: number;
  kinds: number;
}

interface ImportResult {
  version: number;
  created: boolean;
  label: string;
  digest_sha256: string;
  previous_version: number | null;
  diff: {
    categories_added: string[];
    categories_removed: string[];
    categories_changed: string[];
    kinds_added: string[];
    kinds_removed: string[];
    kinds_changed: { code: string; properties: string[]; fields_added: string[]; fields_removed: string[] }[];
    identical: boolean;
  } | null;
  message: { zh: string; en: string };
}

/** Catalog management (目录管理): browse the current version, its history, import a new version. */
export function CatalogAdminPage() {
  const { t, pick } = useI18n();
  const { modal } = AntApp.useApp();
  const [tick, setTick] = useState(0);
  const catalog = useApi<Catalog>(() => loadCatalog(), [tick]);
  const versions = useApi(
    (signal) => api.get<{ items: VersionInfo[] }>('/api/v1/catalog/versions', undefined, signal),
    [tick],
  );
  const [kind, setKind] = useState<string | undefined>(undefined);
  const [file, setFile] = useState<File | undefined>(undefined);
  const [label, setLabel] = useState('');

  const doImport = useAction(async () => {
    if (!file) return;
    const text = await file.text();
    const yaml = /\.ya?ml$/i.test(file.name);
    const r = await request<ImportResult>(
      `/api/v1/catalog/import${label.trim() ? `?label=${encodeURIComponent(label.trim())}` : ''}`,
      {
        method: 'POST',
        body: text,
        contentType: yaml ? 'application/yaml' : 'application/json',
      },
    );
    resetCatalog();
    setTick((x) => x + 1);
    setFile(undefined);
    const d = r.diff;
    modal.info({
      title: pick(r.message.zh, r.message.en),
      width: 600,
      content: d ? (
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: 'v', label: t('catalogAdmin.version'), children: r.version },
            { key: 'ka', label: t('catalogAdmin.kindsAdded'), children: d.kinds_added.join('、') || '—' },
            { key: 'kr', label: t('catalogAdmin.kindsRemoved'), children: d.kinds_removed.join('、') || '—' },
            {
              key: 'kc',
              label: t('catalogAdmin.kindsChanged'),
              children: d.kinds_changed.map((k) => k.code).join('、') || '—',
            },
            {
              key: 'ca',
              label: t('catalogAdmin.categoriesAdded'),
              children: d.categories_added.join('、') || '—',
            },
          ]}
        />
      ) : (
        <Typography.Text>
          {t('catalogAdmin.version')} {r.version}
        </Typography.Text>
      ),
    });
  });

  return (
    <div className="xr-page">
      <PageHeader title={t('nav.op.catalog')} subtitle={t('catalogAdmin.subtitle')} />
      <Card>
        <Tabs
          items={[
            {
              key: 'browse',
              label: t('catalogAdmin.browse'),
              children: (
                <>
                  <ProblemAlert error={catalog.error} onRetry={catalog.reload} />
                  {catalog.data && (
                    <CatalogBrowser catalog={catalog.data} selectedKind={kind} onSelectKind={setKind} />
                  )}
                </>
              ),
            },
            {
              key: 'versions',
              label: t('catalogAdmin.versions'),
              children: (
                <>
                  <ProblemAlert error={versions.error} onRetry={versions.reload} />
                  <Table<VersionInfo>
                    rowKey="version"
                    size="small"
                    loading={versions.loading}
                    dataSource={versions.data?.items ?? []}
                    scroll={{ x: 'max-content' }}
                    pagination={false}
                    columns={[
                      {
                        key: 'v',
                        title: t('catalogAdmin.version'),
                        render: (_, v, i) => (
                          <Space>
                            {v.version}
                            {i === 0 && <Tag color="green">{t('catalogAdmin.current')}</Tag>}
                          </Space>
                        ),
                      },
                      { key: 'l', title: t('catalogAdmin.label'), dataIndex: 'label' },
                      {
                        key: 'n',
                        title: t('catalog.kind'),
                        render: (_, v) => `${v.categories} / ${v.kinds}`,
                      },
                      { key: 'f', title: t('batch.format'), dataIndex: 'source_format' },
                      {
                        key: 'at',
                        title: t('catalogAdmin.importedAt'),
                        render: (_, v) => formatDateTime(v.created_at),
                      },
                      {
                        key: 'd',
                        title: 'SHA-256',
                        render: (_, v) => <span className="xr-mono">{v.digest_sha256.slice(0, 16)}…</span>,
                        responsive: ['lg'],
                      },
                    ]}
                  />
                </>
              ),
            },
            {
              key: 'import',
              label: t('catalogAdmin.import'),
              children: (
                <Space orientation="vertical" style={{ width: '100%', maxWidth: 640 }}>
                  <Alert type="info" showIcon title={t('catalogAdmin.importHint')} />
                  <Input
                    placeholder={t('catalogAdmin.labelPlaceholder')}
                    value={label}
                    onChange={(e) => setLabel(e.target.value)}
                    maxLength={200}
                  />
                  <Upload
                    accept=".json,.yaml,.yml"
                    maxCount={1}
                    beforeUpload={(f) => {
                      setFile(f);
                      return false;
                    }}
                    onRemove={() => setFile(undefined)}
                    fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
                  >
                    <Button icon={<UploadOutlined />}>{t('catalogAdmin.chooseFile')}</Button>
                  </Upload>
                  <Button
                    type="primary"
                    disabled={!file}
                    loading={doImport.pending}
                    onClick={() =>
                      modal.confirm({
                        title: t('catalogAdmin.confirm'),
                        content: t('catalogAdmin.confirmText'),
                        okText: t('catalogAdmin.import'),
                        cancelText: t('action.cancel'),
                        onOk: () => doImport.run(),
                      })
                    }
                  >
                    {t('catalogAdmin.import')}
                  </Button>
                  <ProblemAlert error={doImport.error} />
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
