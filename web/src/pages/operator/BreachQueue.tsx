import {
  Alert,
  App as AntApp,
  Button,
  Descriptions,
  Drawer,
  Grid,
  Input,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { kindMap, useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useAction, useApi, type Loaded } from '../../api/hooks.ts';
import type { Breach, Commitment } from '../../api/types.ts';
import {
  BreachStatusTag,
  CommitmentStatusTag,
  evidenceOf,
  PublicViewLink,
  RecordCard,
} from '../../components/Commitments.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatDate, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

/**
 * Suspected breaches of public credit commitments (违背承诺线索): the automatic check flagged a
 * commitment because a later record matched a contradiction rule. The operator reads the commitment,
 * the contradicting record and the rule, then confirms (the platform writes the negative record) or
 * rejects, with a note. Every step is a history row and a ledger entry (rights decision 0103).
 */
export function BreachQueue({
  breaches,
  onChanged,
}: {
  breaches: Loaded<{ items: Breach[] }>;
  onChanged: () => void;
}) {
  const { t, pick } = useI18n();
  const kinds = kindMap(useCatalog().catalog);
  const [open, setOpen] = useState<Breach | undefined>(undefined);
  return (
    <>
      <ProblemAlert error={breaches.error} onRetry={breaches.reload} />
      <Table<Breach>
        rowKey="id"
        loading={breaches.loading}
        dataSource={breaches.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('breach.none') }}
        pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
        onRow={() => ({ 'data-testid': 'breach-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'id', title: '#', dataIndex: 'id' },
          {
            key: 'uscc',
            title: t('subject.uscc'),
            render: (_, b) => <Uscc value={b.uscc} copyable={false} />,
          },
          { key: 'c', title: t('breach.commitment'), render: (_, b) => `CMT-${b.commitmentId}` },
          {
            key: 'rule',
            title: t('breach.rule'),
            render: (_, b) =>
              b.rule ? (
                <Typography.Text style={{ maxWidth: 260 }} ellipsis={{ tooltip: pick(b.rule.zh, b.rule.en) }}>
                  {pick(b.rule.zh, b.rule.en)}
                </Typography.Text>
              ) : (
                t(`breach.source.${b.source}` as MessageKey)
              ),
          },
          {
            key: 'ev',
            title: t('breach.evidence'),
            render: (_, b) => {
              const r = evidenceOf(b).record;
              if (!r || !b.kindCode) return '—';
              const k = kinds.get(b.kindCode);
              return `${k ? pick(k.name_zh, k.name_en) : b.kindCode} #${b.recordId} · ${formatDate(r.occurredOn)}`;
            },
            responsive: ['md'],
          },
          { key: 'status', title: t('record.status'), render: (_, b) => <BreachStatusTag b={b} /> },
          {
            key: 'at',
            title: t('breach.foundAt'),
            render: (_, b) => formatDateTime(b.foundAt),
            responsive: ['lg'],
          },
          {
            key: 'act',
            title: '',
            render: (_, b) => (
              <Button
                size="small"
                type={b.status === 'suspected' ? 'primary' : 'default'}
                onClick={() => setOpen(b)}
                data-testid="breach-open"
              >
                {b.status === 'suspected' ? t('breach.review') : t('breach.view')}
              </Button>
            ),
          },
        ]}
      />
      {open && (
        <BreachDrawer
          breach={open}
          onClose={() => setOpen(undefined)}
          onReviewed={(b) => {
            setOpen(b);
            onChanged();
          }}
        />
      )}
    </>
  );
}

function BreachDrawer({
  breach,
  onClose,
  onReviewed,
}: {
  breach: Breach;
  onClose: () => void;
  onReviewed: (b: Breach) => void;
}) {
  const { t, pick } = useI18n();
  const { message } = AntApp.useApp();
  const screens = Grid.useBreakpoint();
  const kinds = kindMap(useCatalog().catalog);
  const [note, setNote] = useState('');
  // The subject's commitments as an operator sees them (flagged shown as flagged).
  const commitments = useApi(
    (signal) =>
      api.get<{ items: Commitment[] }>(`/api/v1/subjects/${breach.uscc}/commitments`, undefined, signal),
    [breach.uscc, breach.status],
  );
  const c = commitments.data?.items.find((x) => x.id === breach.commitmentId);
  const review = useAction(async (confirm: boolean) => {
    const r = await api.post<{ breach: Breach; commitment: Commitment }>(
      `/api/v1/commitments/breaches/${breach.id}/review`,
      { confirm, ...(note.trim() ? { note: note.trim() } : {}) },
    );
    message.success(confirm ? t('breach.confirmed') : t('breach.rejected'));
    setNote('');
    onReviewed(r.breach);
  });
  const ev = evidenceOf(breach);
  const matchedField = kinds.get(breach.kindCode ?? '')?.fields.find((f) => f.code === ev.matched?.field);
  return (
    <Drawer
      open
      onClose={onClose}
      size={screens.md ? 760 : '100%'}
      title={
        <Space wrap>
          <span>
            {t('breach.tab')} #{breach.id}
          </span>
          <BreachStatusTag b={breach} />
        </Space>
      }
      data-testid="breach-drawer"
      destroyOnHidden
    >
      <Typography.Title level={5}>{t('breach.commitment')}</Typography.Title>
      <ProblemAlert error={commitments.error} onRetry={commitments.reload} />
      {c && (
        <Descriptions
          size="small"
          bordered
          column={{ xs: 1, md: 2 }}
          data-testid="breach-commitment"
          items={[
            { key: 'no', label: t('commitment.no'), children: `CMT-${c.id}` },
            { key: 'st', label: t('commitment.status'), children: <CommitmentStatusTag status={c.status} /> },
            {
              key: 'p',
              label: t('commitment.purpose'),
              children: t(`commitment.purpose.${c.purpose}` as MessageKey),
            },
            { key: 'm', label: t('commitment.matter'), children: c.matterRef ?? '—' },
            { key: 's', label: t('commitment.signer'), children: c.signerName },
            { key: 'at', label: t('commitment.signedAt'), children: formatDateTime(c.signedAt) },
            {
              key: 'v',
              label: t('rights.commitmentVersion', { v: '' }).trim(),
              children: c.textVersion,
            },
            { key: 'u', label: t('subject.uscc'), children: <Uscc value={c.uscc} copyable={false} /> },
          ]}
        />
      )}

      <Typography.Title level={5} style={{ marginTop: 20 }}>
        {t('breach.rule')}
      </Typography.Title>
      <Typography.Paragraph data-testid="breach-rule">
        {breach.rule
          ? pick(breach.rule.zh, breach.rule.en)
          : t(`breach.source.${breach.source}` as MessageKey)}
        {ev.matched?.text && (
          <>
            <br />
            <Typography.Text type="secondary">
              {t('breach.matched')}：<Typography.Text mark>{ev.matched.text}</Typography.Text>
              {matchedField ? `（${pick(matchedField.label_zh, matchedField.label_en)}）` : ''}
            </Typography.Text>
          </>
        )}
      </Typography.Paragraph>

      {breach.recordId !== null && breach.kindCode && (
        <>
          <Typography.Title level={5}>{t('breach.evidence')}</Typography.Title>
          <RecordCard
            uscc={breach.uscc}
            kindCode={breach.kindCode}
            recordId={breach.recordId}
            testId="breach-evidence"
          />
        </>
      )}

      {breach.status === 'suspected' ? (
        <div style={{ marginTop: 20 }}>
          <Alert type="warning" showIcon title={t('breach.confirmHint')} style={{ marginBottom: 8 }} />
          <Alert type="info" showIcon title={t('breach.rejectHint')} style={{ marginBottom: 12 }} />
          <Input.TextArea
            rows={3}
            maxLength={2000}
            showCount
            placeholder={t('breach.noteLabel')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="breach-note"
          />
          <ProblemAlert error={review.error} style={{ marginTop: 12 }} />
          <Space style={{ marginTop: 12 }} wrap>
            <Button
              danger
              type="primary"
              loading={review.pending}
              onClick={() => void review.run(true)}
              data-testid="breach-confirm"
            >
              {t('breach.confirm')}
            </Button>
            <Button
              loading={review.pending}
              onClick={() => void review.run(false)}
              data-testid="breach-reject"
            >
              {t('breach.reject')}
            </Button>
          </Space>
        </div>
      ) : (
        <div style={{ marginTop: 20 }}>
          <Descriptions
            size="small"
            column={1}
            items={[
              {
                key: 'by',
                label: t('breach.reviewedBy'),
                children: `${breach.reviewedBy ?? '—'} · ${formatDateTime(breach.reviewedAt)}`,
              },
              { key: 'n', label: t('breach.noteLabel'), children: breach.reviewNote ?? '—' },
            ]}
          />
          {breach.status === 'confirmed' && c && c.breachRecordId !== null && (
            <>
              <Typography.Title level={5} style={{ marginTop: 12 }}>
                {t('commitment.negativeRecord')}
              </Typography.Title>
              <RecordCard
                uscc={breach.uscc}
                kindCode="commitment_breach"
                recordId={c.breachRecordId}
                testId="breach-negative-record"
              />
              <div style={{ marginTop: 8 }}>
                <PublicViewLink uscc={breach.uscc} />
              </div>
            </>
          )}
        </div>
      )}
    </Drawer>
  );
}
