import { Table, Tag, Tooltip, Typography } from 'antd';
import type { BatchView, CatalogKind, RowError } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';

const statusTag: Record<string, { key: MessageKey; color: string }> = {
  receiving: { key: 'batch.status.receiving', color: 'processing' },
  validating: { key: 'batch.status.validating', color: 'processing' },
  running: { key: 'batch.status.running', color: 'processing' },
  applying: { key: 'batch.status.applying', color: 'processing' },
  completed: { key: 'batch.status.completed', color: 'success' },
  rejected: { key: 'batch.status.rejected', color: 'error' },
  failed: { key: 'batch.status.failed', color: 'error' },
};

export const finishedStatuses = new Set(['completed', 'rejected', 'failed']);

export function BatchStatusTag({
  batch,
}: {
  batch: Pick<BatchView, 'status' | 'rejected' | 'errorMessage'>;
}) {
  const { t, pick } = useI18n();
  const s = statusTag[batch.status];
  const tag = (
    <Tag color={s?.color ?? 'default'} data-testid="batch-status">
      {s ? t(s.key) : batch.status}
      {batch.status === 'completed' && batch.rejected > 0 ? ` · ${t('batch.withRejects')}` : ''}
    </Tag>
  );
  return batch.errorMessage ? (
    <Tooltip title={pick(batch.errorMessage.zh, batch.errorMessage.en)}>{tag}</Tooltip>
  ) : (
    tag
  );
}

/** Row errors as the provider sees them: row number in its file, field label, rule, value, message. */
export function RowErrorsTable({
  errors,
  kind,
  loading,
  pageSize = 20,
}: {
  errors: RowError[];
  kind: CatalogKind | undefined;
  loading?: boolean;
  pageSize?: number;
}) {
  const { t, pick } = useI18n();
  const label = (code: string | null) => {
    if (!code) return '—';
    const f = kind?.fields.find((x) => x.code === code);
    return f ? pick(f.label_zh, f.label_en) : code;
  };
  return (
    <Table<RowError>
      size="small"
      loading={loading}
      rowKey={(e) => `${e.row}-${e.field ?? ''}-${e.rule}`}
      dataSource={errors}
      pagination={errors.length > pageSize ? { pageSize, size: 'small', showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      data-testid="row-errors"
      columns={[
        { key: 'row', title: t('batch.err.row'), dataIndex: 'row', width: 70 },
        { key: 'field', title: t('batch.err.field'), render: (_, e) => label(e.field) },
        {
          key: 'sev',
          title: t('batch.err.severity'),
          render: (_, e) =>
            e.severity === 'warning' ? (
              <Tag color="gold">{t('batch.err.warning')}</Tag>
            ) : (
              <Tag color="red">{t('batch.err.error')}</Tag>
            ),
        },
        {
          key: 'value',
          title: t('batch.err.value'),
          render: (_, e) =>
            e.value ? (
              <Typography.Text code>
                {e.value.length > 40 ? `${e.value.slice(0, 40)}…` : e.value}
              </Typography.Text>
            ) : (
              '—'
            ),
        },
        { key: 'msg', title: t('batch.err.message'), render: (_, e) => pick(e.message.zh, e.message.en) },
        {
          key: 'rule',
          title: t('batch.err.rule'),
          render: (_, e) => <span className="xr-mono">{e.rule}</span>,
          responsive: ['lg'],
        },
      ]}
    />
  );
}
