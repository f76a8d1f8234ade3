import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Button, Modal, Space, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { TablePaginationConfig } from 'antd';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import type { Bilingual } from '../api/types.ts';
import { formatDate, formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';
import { Uscc } from './Uscc.tsx';

/** GET /api/v1/whitelist, /api/v1/whitelist/:id (src/whitelist/whitelist.routes.ts). */
export type WhitelistStatus = 'pending' | 'listed' | 'expired' | 'rejected' | 'withdrawn' | 'removed';

export interface WhitelistEntry {
  id: number;
  uscc: string;
  subjectName: string | null;
  regionCode: string | null;
  orgId: string;
  orgName: string | null;
  recommendedByName: string | null;
  category: string;
  categoryLabel: Bilingual;
  reason: string;
  status: WhitelistStatus;
  statusLabel: Bilingual;
  validUntil: string | null;
  decisionNote: string | null;
  decidedAt: string | null;
  closeReason: string | null;
  closedAt: string | null;
  createdAt: string;
  history?: {
    event: string;
    label: Bilingual;
    actorType: string;
    orgId: string | null;
    note: string | null;
    at: string;
  }[];
}

export interface WhitelistPage {
  items: WhitelistEntry[];
  page: number;
  pageSize: number;
  total: number;
}

export const whitelistStatuses: WhitelistStatus[] = [
  'pending',
  'listed',
  'expired',
  'rejected',
  'withdrawn',
  'removed',
];

const statusColor: Record<WhitelistStatus, string> = {
  pending: 'gold',
  listed: 'green',
  expired: 'default',
  rejected: 'red',
  withdrawn: 'default',
  removed: 'volcano',
};

/** Recommendation categories (推荐类别), public: GET /api/v1/whitelist/categories. */
export function useWhitelistCategories() {
  return useApi(
    (signal) =>
      api.get<{ code: string; zh: string; en: string }[]>('/api/v1/whitelist/categories', undefined, signal),
    [],
  );
}

export function WhitelistStatusTag({ e }: { e: Pick<WhitelistEntry, 'status' | 'statusLabel'> }) {
  const { pick } = useI18n();
  return (
    <Tag color={statusColor[e.status]} data-testid="wl-status">
      {pick(e.statusLabel.zh, e.statusLabel.en)}
    </Tag>
  );
}

/** An entry's history (处理记录), fetched when opened. */
function HistoryButton({ id }: { id: number }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" type="link" onClick={() => setOpen(true)} data-testid="wl-history">
        {t('wl.history')}
      </Button>
      {open && <HistoryModal id={id} onClose={() => setOpen(false)} />}
    </>
  );
}

function HistoryModal({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, pick } = useI18n();
  const entry = useApi(
    (signal) => api.get<WhitelistEntry>(`/api/v1/whitelist/${id}`, undefined, signal),
    [id],
  );
  return (
    <Modal open title={t('wl.history')} onCancel={onClose} footer={null} destroyOnHidden>
      <ProblemAlert error={entry.error} onRetry={entry.reload} />
      <Timeline
        style={{ marginTop: 16 }}
        items={(entry.data?.history ?? []).map((h) => ({
          children: (
            <div data-testid="wl-event">
              <Typography.Text strong>{pick(h.label.zh, h.label.en)}</Typography.Text>{' '}
              <Typography.Text type="secondary">{formatDateTime(h.at)}</Typography.Text>
              {h.note && <div>{h.note}</div>}
            </div>
          ),
        }))}
      />
    </Modal>
  );
}

/**
 * Whitelist entries as a table: subject, category, reason, recommender, status, term. `actions`
 * adds each role's buttons; `subjectHref` where a click on the subject leads.
 */
export function WhitelistTable({
  data,
  loading,
  pagination,
  actions,
  subjectHref,
  showOrg = true,
}: {
  data: WhitelistEntry[];
  loading: boolean;
  pagination: TablePaginationConfig | false;
  actions?: (e: WhitelistEntry) => ReactNode;
  subjectHref: (uscc: string) => string;
  showOrg?: boolean;
}) {
  const { t, pick } = useI18n();
  return (
    <Table<WhitelistEntry>
      rowKey="id"
      loading={loading}
      dataSource={data}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('wl.none') }}
      pagination={pagination}
      onRow={() => ({ 'data-testid': 'wl-row' }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        {
          key: 'subject',
          title: t('subject.name'),
          render: (_, e) => (
            <Space direction="vertical" size={0}>
              <Link to={subjectHref(e.uscc)}>{e.subjectName || t('subject.unnamed')}</Link>
              <Uscc value={e.uscc} copyable={false} />
            </Space>
          ),
        },
        {
          key: 'category',
          title: t('wl.category'),
          render: (_, e) => <Tag>{pick(e.categoryLabel.zh, e.categoryLabel.en)}</Tag>,
        },
        {
          key: 'reason',
          title: t('wl.reason'),
          render: (_, e) => (
            <Typography.Paragraph
              ellipsis={{ rows: 2, tooltip: e.reason }}
              style={{ margin: 0, maxWidth: 320 }}
            >
              {e.reason}
            </Typography.Paragraph>
          ),
        },
        ...(showOrg
          ? [
              {
                key: 'org',
                title: t('wl.org'),
                render: (_: unknown, e: WhitelistEntry) => e.orgName ?? e.orgId,
                responsive: ['md' as const],
              },
            ]
          : []),
        {
          key: 'status',
          title: t('wl.status'),
          render: (_, e) => (
            <Space direction="vertical" size={0}>
              <WhitelistStatusTag e={e} />
              {(e.closeReason ?? e.decisionNote) && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.closeReason ?? e.decisionNote}
                </Typography.Text>
              )}
            </Space>
          ),
        },
        {
          key: 'valid',
          title: t('wl.validUntil'),
          render: (_, e) => formatDate(e.validUntil),
          responsive: ['lg'],
        },
        {
          key: 'created',
          title: t('wl.recommendedAt'),
          render: (_, e) => formatDate(e.createdAt),
          responsive: ['lg'],
        },
        {
          key: 'act',
          title: '',
          render: (_, e) => (
            <Space size={4} wrap>
              {actions?.(e)}
              <HistoryButton id={e.id} />
            </Space>
          ),
        },
      ]}
    />
  );
}

/**
 * "融资白名单" beside a subject's name when it has an entry in force (for the roles that may see the
 * whitelist: institutions, operators, recommenders, the enterprise itself).
 */
export function WhitelistBadge({ uscc }: { uscc: string }) {
  const { t, pick } = useI18n();
  const res = useApi(
    (signal) =>
      api.get<{ listed: boolean; entries: WhitelistEntry[] }>(
        `/api/v1/subjects/${uscc}/whitelist`,
        undefined,
        signal,
      ),
    [uscc],
  );
  const listed = res.data?.entries.filter((e) => e.status === 'listed') ?? [];
  if (!listed.length) return null;
  return (
    <Tooltip
      title={listed
        .map(
          (e) =>
            `${e.orgName ?? e.orgId} · ${pick(e.categoryLabel.zh, e.categoryLabel.en)} · ${formatDate(e.validUntil)}`,
        )
        .join('；')}
    >
      <Tag color="green" icon={<SafetyCertificateOutlined />} data-testid="whitelist-badge">
        {t('wl.badge')}
      </Tag>
    </Tooltip>
  );
}
