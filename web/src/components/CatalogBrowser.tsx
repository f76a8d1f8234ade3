import { Drawer, Empty, Input, Select, Space, Table, Tag, Typography, Descriptions, Grid } from 'antd';
import { useMemo, useState } from 'react';
import type { Catalog, CatalogField, CatalogKind } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';

const opennessTag: Record<CatalogKind['openness'], { key: MessageKey; color: string }> = {
  public: { key: 'catalog.openness.public', color: 'green' },
  conditional: { key: 'catalog.openness.conditional', color: 'gold' },
  restricted: { key: 'catalog.openness.restricted', color: 'red' },
};
const shareModeKey: Record<CatalogKind['share_mode'], MessageKey> = {
  push: 'catalog.share.push',
  pull: 'catalog.share.pull',
  both: 'catalog.share.both',
};
const sensitivityTag: Record<CatalogField['sensitivity'], { key: MessageKey; color: string }> = {
  public: { key: 'catalog.sensitivity.public', color: 'default' },
  restricted: { key: 'catalog.sensitivity.restricted', color: 'gold' },
  personal: { key: 'catalog.sensitivity.personal', color: 'red' },
};

export function OpennessTag({ openness }: { openness: CatalogKind['openness'] }) {
  const { t } = useI18n();
  const o = opennessTag[openness] ?? { key: 'catalog.openness.public', color: 'default' };
  return <Tag color={o.color}>{t(o.key)}</Tag>;
}

function KindDetail({ kind, catalog }: { kind: CatalogKind; catalog: Catalog }) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const cat = catalog.categories.find((c) => c.code === kind.category);
  return (
    <>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'code', label: t('catalog.code'), children: <span className="xr-mono">{kind.code}</span> },
          {
            key: 'cat',
            label: t('catalog.category'),
            children: cat ? pick(cat.name_zh, cat.name_en) : kind.category,
          },
          { key: 'open', label: t('catalog.openness'), children: <OpennessTag openness={kind.openness} /> },
          { key: 'share', label: t('catalog.shareMode'), children: t(shareModeKey[kind.share_mode]) },
          {
            key: 'prov',
            label: t('catalog.providers'),
            children: kind.providers.map((p) => p.name_zh).join('、'),
          },
          { key: 'key', label: t('catalog.naturalKey'), children: kind.natural_key.join(', ') },
          ...(kind.note ? [{ key: 'note', label: t('catalog.note'), children: kind.note }] : []),
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('catalog.fields')}
      </Typography.Title>
      <Table<CatalogField>
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={kind.fields}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'label', title: t('catalog.fieldLabel'), render: (_, f) => pick(f.label_zh, f.label_en) },
          {
            key: 'code',
            title: t('catalog.code'),
            render: (_, f) => <span className="xr-mono">{f.code}</span>,
          },
          { key: 'type', title: t('catalog.type'), dataIndex: 'type' },
          { key: 'req', title: t('catalog.required'), render: (_, f) => (f.required ? t('common.yes') : '') },
          {
            key: 'sens',
            title: t('catalog.sensitivity'),
            render: (_, f) => {
              const s = sensitivityTag[f.sensitivity] ?? sensitivityTag.public;
              return <Tag color={s.color}>{t(s.key)}</Tag>;
            },
          },
        ]}
      />
    </>
  );
}

/** The catalog (信用信息共享清单): every kind with its category, openness, share mode and fields. */
export function CatalogBrowser({
  catalog,
  selectedKind,
  onSelectKind,
}: {
  catalog: Catalog;
  selectedKind: string | undefined;
  onSelectKind: (code: string | undefined) => void;
}) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const screens = Grid.useBreakpoint();
  const [category, setCategory] = useState<string | undefined>(undefined);
  const [q, setQ] = useState('');
  const categories = useMemo(() => [...catalog.categories].sort((a, b) => a.order - b.order), [catalog]);
  const catName = new Map(categories.map((c) => [c.code, pick(c.name_zh, c.name_en)]));
  const order = new Map(categories.map((c) => [c.code, c.order]));
  const kinds = catalog.kinds
    .filter((k) => !category || k.category === category)
    .filter((k) => !q || `${k.name_zh} ${k.name_en} ${k.code}`.toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => (order.get(a.category) ?? 0) - (order.get(b.category) ?? 0));
  const open = selectedKind ? catalog.kinds.find((k) => k.code === selectedKind) : undefined;

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('catalog.allCategories')}
          style={{ minWidth: 200 }}
          value={category}
          onChange={setCategory}
          options={categories.map((c) => ({ value: c.code, label: pick(c.name_zh, c.name_en) }))}
          data-testid="catalog-category"
        />
        <Input.Search
          allowClear
          placeholder={t('catalog.searchKind')}
          onSearch={setQ}
          onChange={(e) => setQ(e.target.value)}
          style={{ width: 240 }}
        />
        <Typography.Text type="secondary">
          {t('catalog.summary', {
            categories: categories.length,
            kinds: catalog.kinds.length,
            version: catalog.version,
          })}
        </Typography.Text>
      </Space>
      <Table<CatalogKind>
        rowKey="code"
        size="middle"
        dataSource={kinds}
        locale={{ emptyText: <Empty /> }}
        pagination={{ pageSize: 20, showSizeChanger: false, size: 'small' }}
        scroll={{ x: 'max-content' }}
        onRow={(k) =>
          ({
            onClick: () => onSelectKind(k.code),
            className: 'xr-clickable',
            'data-testid': 'catalog-kind',
          }) as React.HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            key: 'name',
            title: t('catalog.kind'),
            render: (_, k) => <Typography.Link>{pick(k.name_zh, k.name_en)}</Typography.Link>,
          },
          {
            key: 'cat',
            title: t('catalog.category'),
            render: (_, k) => catName.get(k.category) ?? k.category,
            responsive: ['sm'],
          },
          {
            key: 'open',
            title: t('catalog.openness'),
            render: (_, k) => <OpennessTag openness={k.openness} />,
          },
          {
            key: 'share',
            title: t('catalog.shareMode'),
            render: (_, k) => t(shareModeKey[k.share_mode]),
            responsive: ['md'],
          },
          {
            key: 'fields',
            title: t('catalog.fieldCount'),
            render: (_, k) => k.fields.length,
            responsive: ['md'],
          },
          {
            key: 'prov',
            title: t('catalog.providers'),
            render: (_, k) => k.providers.map((p) => p.name_zh).join('、'),
            responsive: ['lg'],
          },
        ]}
      />
      <Drawer
        open={!!open}
        onClose={() => onSelectKind(undefined)}
        size={screens.md ? 720 : '100%'}
        title={open ? pick(open.name_zh, open.name_en) : ''}
        destroyOnHidden
      >
        {open && <KindDetail kind={open} catalog={catalog} />}
      </Drawer>
    </>
  );
}
