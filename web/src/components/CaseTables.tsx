import { Table, Typography } from 'antd';
import type { ReactNode } from 'react';
import { kindMap, useCatalog } from '../api/catalog.ts';
import type { Objection, Repair } from '../api/types.ts';
import { formatDate, formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { DueDate } from './Commitments.tsx';
import { CaseHistory, CaseStatusTag } from './Rights.tsx';
import { Uscc } from './Uscc.tsx';

/** Objections with status, deadline, outcome and their whole history (expand a row). */
export function ObjectionsTable({
  items,
  loading,
  showSubject,
  actions,
}: {
  items: Objection[];
  loading: boolean;
  showSubject: boolean;
  actions?: (o: Objection) => ReactNode;
}) {
  const { t, pick } = useI18n();
  const kinds = kindMap(useCatalog().catalog);
  return (
    <Table<Objection>
      rowKey="id"
      loading={loading}
      dataSource={items}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
      onRow={() => ({ 'data-testid': 'objection-row' }) as React.HTMLAttributes<HTMLElement>}
      expandable={{ expandedRowRender: (o) => <CaseHistory history={o.history} /> }}
      columns={[
        { key: 'id', title: '#', dataIndex: 'id' },
        ...(showSubject
          ? [
              {
                key: 'uscc',
                title: t('subject.uscc'),
                render: (_: unknown, o: Objection) => <Uscc value={o.uscc} copyable={false} />,
              },
            ]
          : []),
        {
          key: 'kind',
          title: t('rights.record'),
          render: (_, o) => {
            const k = kinds.get(o.kindCode);
            const f = k?.fields.find((x) => x.code === o.fieldCode);
            return `${k ? pick(k.name_zh, k.name_en) : o.kindCode}${f ? ` · ${pick(f.label_zh, f.label_en)}` : ''}`;
          },
        },
        {
          key: 'reasons',
          title: t('rights.reasons'),
          render: (_, o) => (
            <Typography.Text style={{ maxWidth: 240 }} ellipsis={{ tooltip: o.reasons }}>
              {o.reasons}
            </Typography.Text>
          ),
          responsive: ['md'],
        },
        {
          key: 'status',
          title: t('record.status'),
          render: (_, o) => <CaseStatusTag c={o} kind="objection" />,
        },
        {
          key: 'due',
          title: t('rights.due'),
          // The API sends no due date once a case is closed.
          render: (_, o) => (
            <DueDate dueOn={o.dueOn} provisional={o.dueOnProvisional} warning={o.calendarWarning} />
          ),
          responsive: ['sm'],
        },
        {
          key: 'filed',
          title: t('rights.filedAt'),
          render: (_, o) => formatDateTime(o.filedAt),
          responsive: ['lg'],
        },
        ...(actions ? [{ key: 'act', title: '', render: (_: unknown, o: Objection) => actions(o) }] : []),
      ]}
    />
  );
}

/** Repair applications: severity, publicity period, status, refusals explained, history. */
export function RepairsTable({
  items,
  loading,
  showSubject,
  actions,
}: {
  items: Repair[];
  loading: boolean;
  showSubject: boolean;
  actions?: (r: Repair) => ReactNode;
}) {
  const { t, pick } = useI18n();
  const kinds = kindMap(useCatalog().catalog);
  return (
    <Table<Repair>
      rowKey="id"
      loading={loading}
      dataSource={items}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
      onRow={() => ({ 'data-testid': 'repair-row' }) as React.HTMLAttributes<HTMLElement>}
      expandable={{
        expandedRowRender: (r) => (
          <>
            {r.refusals.length > 0 && (
              <ul style={{ marginTop: 0 }}>
                {r.refusals.map((x) => (
                  <li key={x.code}>{pick(x.zh, x.en)}</li>
                ))}
              </ul>
            )}
            <CaseHistory history={r.history} />
          </>
        ),
      }}
      columns={[
        { key: 'id', title: '#', dataIndex: 'id' },
        ...(showSubject
          ? [
              {
                key: 'uscc',
                title: t('subject.uscc'),
                render: (_: unknown, r: Repair) => <Uscc value={r.uscc} copyable={false} />,
              },
            ]
          : []),
        {
          key: 'kind',
          title: t('rights.record'),
          render: (_, r) => {
            const k = kinds.get(r.kindCode);
            return k ? pick(k.name_zh, k.name_en) : r.kindCode;
          },
        },
        {
          key: 'sev',
          title: t('rights.severity'),
          render: (_, r) => t(`rights.severity.${r.severity}` as MessageKey),
          responsive: ['md'],
        },
        {
          key: 'pub',
          title: t('rights.publicity'),
          render: (_, r) =>
            r.minUntil || r.maxUntil ? `${formatDate(r.minUntil)} ~ ${formatDate(r.maxUntil)}` : '—',
          responsive: ['lg'],
        },
        { key: 'status', title: t('record.status'), render: (_, r) => <CaseStatusTag c={r} kind="repair" /> },
        {
          key: 'due',
          title: t('rights.due'),
          // The API sends no due date once a case is closed.
          render: (_, r) => (
            <DueDate dueOn={r.dueOn} provisional={r.dueOnProvisional} warning={r.calendarWarning} />
          ),
          responsive: ['sm'],
        },
        {
          key: 'at',
          title: t('rights.appliedAt'),
          render: (_, r) => formatDateTime(r.appliedAt),
          responsive: ['lg'],
        },
        ...(actions ? [{ key: 'act', title: '', render: (_: unknown, r: Repair) => actions(r) }] : []),
      ]}
    />
  );
}
