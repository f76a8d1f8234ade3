import { App as AntApp, Button, Card, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import {
  whitelistStatuses,
  WhitelistTable,
  type WhitelistEntry,
  type WhitelistPage,
  type WhitelistStatus,
} from '../../components/Whitelist.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

/** The recommending organisation's entries (本单位推荐): status of each, withdrawal with a reason. */
export function EntriesPage() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [status, setStatus] = useState<WhitelistStatus | undefined>(undefined);
  const [page, setPage] = useState(1);
  const list = useApi(
    (signal) => api.get<WhitelistPage>('/api/v1/whitelist', { status, page, pageSize: 20 }, signal),
    [status, page],
  );
  const [target, setTarget] = useState<WhitelistEntry | undefined>(undefined);
  const [reason, setReason] = useState('');
  const withdraw = useAction(async () => {
    if (!target) return;
    await api.post(`/api/v1/whitelist/${target.id}/withdraw`, { reason: reason.trim() });
    message.success(t('wl.withdrawn'));
    setTarget(undefined);
    setReason('');
    list.reload();
  });
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.rec.entries')} subtitle={t('wl.entriesSubtitle')} />
      <Card>
        <Space style={{ marginBottom: 12 }} wrap>
          <Typography.Text>{t('wl.status')}</Typography.Text>
          <Select<WhitelistStatus>
            allowClear
            style={{ width: 160 }}
            placeholder={t('common.all')}
            value={status}
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
          showOrg={false}
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
            e.status === 'pending' || e.status === 'listed' ? (
              <Button size="small" danger onClick={() => setTarget(e)} data-testid="wl-withdraw">
                {t('wl.withdraw')}
              </Button>
            ) : null
          }
        />
      </Card>
      <Modal
        open={!!target}
        title={t('wl.withdrawTitle', { name: target?.subjectName ?? '' })}
        onCancel={() => setTarget(undefined)}
        onOk={() => void withdraw.run()}
        okButtonProps={{ disabled: !reason.trim(), danger: true }}
        okText={t('wl.withdraw')}
        cancelText={t('action.cancel')}
        confirmLoading={withdraw.pending}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('wl.withdrawHint')}</Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={2000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="wl-note"
        />
        <ProblemAlert error={withdraw.error} style={{ marginTop: 12 }} />
      </Modal>
    </div>
  );
}
