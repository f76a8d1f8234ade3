import { App as AntApp, Button, Card, DatePicker, Input, Modal, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import {
  whitelistStatuses,
  WhitelistTable,
  type WhitelistEntry,
  type WhitelistPage as Page,
  type WhitelistStatus,
} from '../../components/Whitelist.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

type Step = { action: 'approve' | 'reject' | 'remove'; entry: WhitelistEntry };

/**
 * Whitelist management (白名单管理) for operators: recommendations waiting for review (approve with a
 * term, reject with a note), listed entries (remove with a reason), and every entry's history.
 */
export function WhitelistPage() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState<WhitelistStatus | undefined>('pending');
  const [page, setPage] = useState(1);
  const list = useApi(
    (signal) => api.get<Page>('/api/v1/whitelist', { status, page, pageSize: 20 }, signal),
    [status, page],
  );
  const [step, setStep] = useState<Step | undefined>(undefined);
  const [note, setNote] = useState('');
  const [until, setUntil] = useState<Dayjs | null>(null);
  const run = useAction(async () => {
    if (!step) return;
    const id = step.entry.id;
    if (step.action === 'remove') {
      await api.post(`/api/v1/whitelist/${id}/remove`, { reason: note.trim() });
    } else {
      await api.post(`/api/v1/whitelist/${id}/review`, {
        decision: step.action,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(step.action === 'approve' && until ? { validUntil: until.format('YYYY-MM-DD') } : {}),
      });
    }
    message.success(t('wl.done'));
    setStep(undefined);
    setNote('');
    setUntil(null);
    list.reload();
  });
  const noteRequired = step?.action !== 'approve';
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.op.whitelist')} subtitle={t('wl.opSubtitle')} />
      <Card>
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text>{t('wl.status')}</Typography.Text>
          <Select<WhitelistStatus>
            allowClear
            style={{ width: 160 }}
            placeholder={t('common.all')}
            value={status}
            data-testid="wl-filter"
            onChange={(v) => {
              setPage(1);
              setStatus(v);
            }}
            options={whitelistStatuses.map((s) => ({ value: s, label: t(`wl.status.${s}` as MessageKey) }))}
          />
        </Space>
        <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 12 }} />
        <WhitelistTable
          data={list.data?.items ?? []}
          loading={list.loading}
          subjectHref={(uscc) => `/subjects/${uscc}`}
          pagination={{
            current: page,
            pageSize: 20,
            total: list.data?.total ?? 0,
            onChange: setPage,
            showSizeChanger: false,
            size: 'small',
          }}
          actions={(e) =>
            e.status === 'pending' ? (
              <>
                <Button
                  size="small"
                  type="primary"
                  onClick={() => setStep({ action: 'approve', entry: e })}
                  data-testid="wl-approve"
                >
                  {t('wl.approve')}
                </Button>
                <Button
                  size="small"
                  danger
                  onClick={() => setStep({ action: 'reject', entry: e })}
                  data-testid="wl-reject"
                >
                  {t('wl.reject')}
                </Button>
              </>
            ) : e.status === 'listed' ? (
              <Button
                size="small"
                danger
                onClick={() => setStep({ action: 'remove', entry: e })}
                data-testid="wl-remove"
              >
                {t('wl.remove')}
              </Button>
            ) : null
          }
        />
      </Card>
      <Modal
        open={!!step}
        title={
          step ? `${t(`wl.${step.action}` as MessageKey)} · ${step.entry.subjectName ?? step.entry.uscc}` : ''
        }
        onCancel={() => setStep(undefined)}
        onOk={() => void run.run()}
        okButtonProps={{ disabled: noteRequired && !note.trim(), danger: step?.action !== 'approve' }}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={run.pending}
        destroyOnHidden
      >
        {step && (
          <Typography.Paragraph>
            <Typography.Text type="secondary">{t('wl.reason')}：</Typography.Text>
            {step.entry.reason}
          </Typography.Paragraph>
        )}
        {step?.action === 'approve' && (
          <div style={{ marginBottom: 12 }}>
            <Typography.Text type="secondary">{t('wl.validUntilHint')}</Typography.Text>
            <div>
              <DatePicker
                value={until}
                onChange={setUntil}
                disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(24, 'month'))}
              />
            </div>
          </div>
        )}
        <Typography.Text type="secondary">
          {noteRequired ? t('wl.noteRequired') : t('wl.noteOptional')}
        </Typography.Text>
        <Input.TextArea
          rows={3}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="wl-note"
        />
        <ProblemAlert error={run.error} style={{ marginTop: 12 }} />
      </Modal>
    </div>
  );
}
