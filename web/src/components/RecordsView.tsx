import {
  Badge,
  Collapse,
  Descriptions,
  Empty,
  Grid,
  List,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ReactNode } from 'react';
import { kindMap } from '../api/catalog.ts';
import type { Catalog, CatalogField, CatalogKind, ReadRecordVersion, ReadSection } from '../api/types.ts';
import { formatCount, formatDate, formatDateTime } from '../format/format.ts';
import { useI18n, type I18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { Uscc } from './Uscc.tsx';

/** A record as the read path returns it, after masking and status marks. */
export interface CreditRecord {
  id: string;
  kind: string;
  category: string | undefined;
  version: number | undefined;
  status: string;
  data: Record<string, unknown>;
  occurredOn: string | undefined;
  updatedAt: string | undefined;
  provider: string | undefined;
  marks: Mark[];
  /** Fields masked or removed for this viewer. */
  masked: string[];
  /** Earlier versions, oldest first (the subject itself and operators). */
  history: ReadRecordVersion[];
  /** End of publicity stored with the record (rights decision 0102), when its kind has a rule. */
  publicityUntil: string | undefined;
}

export type Mark = 'repaired' | 'disputed' | 'withdrawn' | 'corrected' | 'publicity_ended';

const markLabel: Record<Mark, { key: MessageKey; color: string }> = {
  repaired: { key: 'mark.repaired', color: 'green' },
  disputed: { key: 'mark.disputed', color: 'orange' },
  withdrawn: { key: 'mark.withdrawn', color: 'default' },
  corrected: { key: 'mark.corrected', color: 'blue' },
  publicity_ended: { key: 'mark.publicityEnded', color: 'default' },
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Reads one record of the API into CreditRecord, collecting its status marks from flags or status. */
export function toRecord(raw: unknown): CreditRecord {
  const o = (raw ?? {}) as Record<string, unknown>;
  const status = str(o.status) ?? 'active';
  const marks = new Set<Mark>();
  const flagList = [o.marks, o.flags, o.statusMarks].find(Array.isArray) as unknown[] | undefined;
  for (const m of flagList ?? []) {
    // marks come as codes or as { code, zh, en }
    const s = m && typeof m === 'object' ? String((m as { code?: unknown }).code) : String(m);
    if (
      s === 'repaired' ||
      s === 'disputed' ||
      s === 'withdrawn' ||
      s === 'corrected' ||
      s === 'publicity_ended'
    ) {
      marks.add(s);
    }
    if (s === 'objection' || s === 'under_objection') marks.add('disputed');
  }
  if (o.repaired === true || o.isRepaired === true || status === 'repaired') marks.add('repaired');
  if (o.disputed === true || o.underObjection === true || status === 'disputed') marks.add('disputed');
  if (status === 'withdrawn' || o.withdrawn === true) marks.add('withdrawn');
  if (status === 'corrected') marks.add('corrected');
  if (o.publicityEnded === true) marks.add('publicity_ended');
  return {
    id: str(o.recordId) ?? str(o.id) ?? str(o.record_id) ?? Math.random().toString(36).slice(2),
    kind: str(o.kind) ?? str(o.kind_code) ?? str(o.kindCode) ?? '',
    category: str(o.categoryCode) ?? str(o.category) ?? str(o.category_code),
    version: typeof o.version === 'number' ? o.version : undefined,
    status,
    data: (o.data && typeof o.data === 'object'
      ? o.data
      : o.fields && typeof o.fields === 'object'
        ? o.fields
        : {}) as Record<string, unknown>,
    occurredOn: str(o.occurredOn) ?? str(o.occurred_on) ?? str(o.date),
    updatedAt: str(o.updatedAt) ?? str(o.updated_at) ?? str(o.created_at) ?? str(o.createdAt),
    provider: str(o.providerName) ?? str(o.provider_name) ?? str(o.providerId) ?? str(o.provider_id),
    marks: [...marks],
    masked: Array.isArray(o.maskedFields) ? (o.maskedFields as string[]) : [],
    history: Array.isArray(o.history) ? (o.history as ReadRecordVersion[]) : [],
    publicityUntil: str(o.publicityUntil),
  };
}

/** Flattens the read path's sections into records, keeping the category of each. */
export function recordsOfSections(sections: ReadSection[]): CreditRecord[] {
  return sections.flatMap((sec) =>
    sec.kinds.flatMap((k) => k.records.map((r) => ({ ...toRecord(r), kind: k.code, category: sec.code }))),
  );
}

export function MarkTags({ marks, publicityUntil }: { marks: Mark[]; publicityUntil?: string | undefined }) {
  const { t } = useI18n();
  return (
    <>
      {marks.map((m) => {
        const tag = (
          <Tag key={m} color={markLabel[m].color} data-testid={`mark-${m}`}>
            {t(markLabel[m].key)}
          </Tag>
        );
        // 公示期满 says when: the stored publicity end the read path compared with today.
        return m === 'publicity_ended' && publicityUntil ? (
          <Tooltip key={m} title={t('record.publicityUntil', { date: formatDate(publicityUntil) })}>
            {tag}
          </Tooltip>
        ) : (
          tag
        );
      })}
    </>
  );
}

/** A field's value formatted by its catalog type: dates, amounts, codes in monospace, enum labels. */
export function formatFieldValue(field: CatalogField | undefined, value: unknown, i18n: I18n): ReactNode {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  const v = String(value);
  switch (field?.type) {
    case 'date':
      return formatDate(v);
    case 'datetime':
      return formatDateTime(v);
    case 'uscc':
      return <Uscc value={v} copyable={false} />;
    case 'id_number':
    case 'uscc_or_id':
      return <span className="xr-mono">{v}</span>;
    case 'boolean':
      return value === true || v === 'true' ? i18n.t('common.yes') : i18n.t('common.no');
    case 'integer':
    case 'number': {
      const n = Number(v);
      if (!Number.isFinite(n)) return v;
      const text = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(n);
      return field.unit ? `${text} ${field.unit}` : text;
    }
    case 'enum': {
      const e = field.enum?.find((x) => x.value === v);
      return e ? i18n.pick(e.label_zh, e.label_en) : v;
    }
    default:
      return v;
  }
}

function fieldLabel(f: CatalogField, i18n: I18n): string {
  return i18n.pick(f.label_zh, f.label_en);
}

/** Fields to show in a table: the kind's fields that appear in at least one record, subject code excluded. */
function visibleFields(kind: CatalogKind | undefined, records: CreditRecord[]): CatalogField[] {
  const present = new Set(records.flatMap((r) => Object.keys(r.data)));
  if (!kind) {
    return [...present].map((code) => ({
      code,
      label_zh: code,
      label_en: code,
      type: 'string',
      required: false,
      sensitivity: 'public',
    }));
  }
  // The subject's own code and name are the same on every row of its view.
  const own = new Set([kind.subject_field ?? 'uscc', kind.subject_name_field ?? '']);
  return kind.fields.filter((f) => present.has(f.code) && !own.has(f.code));
}

const opLabel: Record<string, MessageKey> = {
  create: 'record.op.create',
  update: 'record.op.update',
  correct: 'record.op.correct',
  withdraw: 'record.op.withdraw',
  restore: 'record.op.restore',
};

/** Earlier versions of a record, newest first, each with the fields that changed after it. */
function HistoryList({ record, kind }: { record: CreditRecord; kind: CatalogKind | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  const versions = [...record.history].reverse();
  const field = (code: string) => kind?.fields.find((f) => f.code === code);
  return (
    <List
      size="small"
      data-testid="record-history"
      header={<Typography.Text type="secondary">{t('record.history')}</Typography.Text>}
      dataSource={versions}
      renderItem={(v, i) => {
        const newer = i === 0 ? record.data : (versions[i - 1]?.data ?? {});
        const changed = Object.keys({ ...v.data, ...newer }).filter(
          (k) => JSON.stringify(v.data[k]) !== JSON.stringify(newer[k]),
        );
        return (
          <List.Item key={v.versionId}>
            <Space wrap size={[12, 4]}>
              <Tag>{t('record.versionN', { n: v.version })}</Tag>
              <span>{opLabel[v.op] ? t(opLabel[v.op]!) : v.op}</span>
              <span>{formatDateTime(v.createdAt)}</span>
              {changed.length > 0 && (
                <Typography.Text type="secondary">
                  {t('record.changedAfter')}：
                  {changed
                    .map((c) => {
                      const f = field(c);
                      return `${f ? i18n.pick(f.label_zh, f.label_en) : c} ${String(v.data[c] ?? '—')} → ${String(newer[c] ?? '—')}`;
                    })
                    .join('；')}
                </Typography.Text>
              )}
            </Space>
          </List.Item>
        );
      }}
    />
  );
}

/** Buttons shown with each record (objection, repair…), when the viewer may act on it. */
export type RecordActions = (r: CreditRecord, kind: CatalogKind | undefined) => ReactNode;

function KindRecords({
  kind,
  code,
  records,
  actions,
}: {
  kind: CatalogKind | undefined;
  code: string;
  records: CreditRecord[];
  actions?: RecordActions | undefined;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const screens = Grid.useBreakpoint();
  const fields = visibleFields(kind, records);
  const title = kind ? i18n.pick(kind.name_zh, kind.name_en) : code;
  const statusCell = (r: CreditRecord) =>
    r.marks.length > 0 ? (
      <MarkTags marks={r.marks} publicityUntil={r.publicityUntil} />
    ) : (
      <Tag color="processing">{t('mark.normal')}</Tag>
    );

  if (!(screens.md ?? true)) {
    // Phones: one card per record, label above value, nothing scrolls sideways.
    return (
      <div className="xr-kind-block">
        <Typography.Text strong>{title}</Typography.Text>
        <List
          dataSource={records}
          renderItem={(r) => (
            <List.Item key={r.id} data-testid="record">
              <Descriptions
                size="small"
                column={1}
                title={<Space wrap>{statusCell(r)}</Space>}
                extra={actions?.(r, kind)}
                items={[
                  ...fields.map((f) => ({
                    key: f.code,
                    label: fieldLabel(f, i18n),
                    children: formatFieldValue(f, r.data[f.code], i18n),
                  })),
                  { key: '_updated', label: t('record.updatedAt'), children: formatDate(r.updatedAt) },
                ]}
              />
            </List.Item>
          )}
        />
      </div>
    );
  }

  return (
    <div className="xr-kind-block">
      <Typography.Text strong>{title}</Typography.Text>
      {kind?.negative && (
        <Tooltip title={t('record.negativeHint')}>
          <Tag color="red" style={{ marginInlineStart: 8 }}>
            {t('record.negative')}
          </Tag>
        </Tooltip>
      )}
      <Table<CreditRecord>
        size="small"
        rowKey="id"
        dataSource={records}
        pagination={records.length > 10 ? { pageSize: 10, size: 'small' } : false}
        scroll={{ x: 'max-content' }}
        onRow={() => ({ 'data-testid': 'record' }) as React.HTMLAttributes<HTMLElement>}
        rowClassName={(r) =>
          r.marks.includes('withdrawn') || r.marks.includes('repaired') || r.marks.includes('publicity_ended')
            ? 'xr-row-muted'
            : ''
        }
        expandable={
          records.some((r) => r.history.length > 0)
            ? {
                rowExpandable: (r) => r.history.length > 0,
                expandedRowRender: (r) => <HistoryList record={r} kind={kind} />,
              }
            : undefined
        }
        columns={[
          { key: '_status', title: t('record.status'), render: (_, r) => statusCell(r), fixed: 'left' },
          ...fields.map((f) => ({
            key: f.code,
            title: fieldLabel(f, i18n),
            render: (_: unknown, r: CreditRecord) => formatFieldValue(f, r.data[f.code], i18n),
          })),
          { key: '_updated', title: t('record.updatedAt'), render: (_, r) => formatDate(r.updatedAt) },
          ...(actions
            ? [{ key: '_act', title: '', render: (_: unknown, r: CreditRecord) => actions(r, kind) }]
            : []),
          ...(records.some((r) => (r.version ?? 1) > 1)
            ? [
                {
                  key: '_v',
                  title: t('record.version'),
                  render: (_: unknown, r: CreditRecord) => r.version ?? 1,
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}

/**
 * Records grouped by catalog category, in the catalog's order. With `allCategories`, every category
 * is listed, the empty ones saying so (the enterprise sees everything the platform could hold).
 */
export function RecordsView({
  records,
  catalog,
  allCategories = false,
  emptyText,
  actions,
}: {
  records: CreditRecord[];
  catalog: Catalog | undefined;
  allCategories?: boolean;
  emptyText?: string;
  actions?: RecordActions | undefined;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const kinds = kindMap(catalog);
  const byCategory = new Map<string, Map<string, CreditRecord[]>>();
  for (const r of records) {
    const cat = kinds.get(r.kind)?.category ?? r.category ?? 'other';
    const m = byCategory.get(cat) ?? new Map<string, CreditRecord[]>();
    m.set(r.kind, [...(m.get(r.kind) ?? []), r]);
    byCategory.set(cat, m);
  }
  const categories = [...(catalog?.categories ?? [])].sort((a, b) => a.order - b.order);
  const known = new Set(categories.map((c) => c.code));
  const extra = [...byCategory.keys()].filter((c) => !known.has(c));
  const shown = [
    ...categories
      .filter((c) => allCategories || byCategory.has(c.code))
      .map((c) => ({ code: c.code, name: i18n.pick(c.name_zh, c.name_en) })),
    ...extra.map((c) => ({ code: c, name: c === 'other' ? t('record.otherCategory') : c })),
  ];
  if (shown.length === 0) return <Empty description={emptyText ?? t('record.none')} />;

  return (
    <Collapse
      defaultActiveKey={shown.filter((c) => byCategory.has(c.code)).map((c) => c.code)}
      data-testid="records-view"
      items={shown.map((c) => {
        const kindsOf = byCategory.get(c.code);
        const count = kindsOf ? [...kindsOf.values()].reduce((n, rs) => n + rs.length, 0) : 0;
        return {
          key: c.code,
          label: (
            <Space>
              <span data-testid="category-title">{c.name}</span>
              <Badge count={formatCount(count)} showZero color={count ? '#1d4ed8' : '#bfbfbf'} />
            </Space>
          ),
          children: kindsOf ? (
            [...kindsOf].map(([code, rs]) => (
              <KindRecords key={code} code={code} kind={kinds.get(code)} records={rs} actions={actions} />
            ))
          ) : (
            <Typography.Text type="secondary">{t('record.categoryEmpty')}</Typography.Text>
          ),
        };
      })}
    />
  );
}
