import { App as AntApp, Button, Card, Input, Modal, Space, Switch, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { Objection, Repair } from '../../api/types.ts';
import { ObjectionsTable, RepairsTable } from '../../components/CaseTables.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

type Step =
  | { kind: 'objection'; action: 'accept' | 'reject' | 'forward' | 'decide'; item: Objection }
  | { kind: 'repair'; action: 'approve' | 'deny'; item: Repair };

/**
 * Objections and repair applications to handle (异议与修复办理): each open objection offers the next
 * step of its workflow; overdue steps are flagged; repairs under review can be approved or rejected.
 */
export function RightsPage() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [openOnly, setOpenOnly] = useState(true);
  const objections = useApi(
    (signal) =>
      api.get<{ items: Objection[] }>(
        '/api/v1/objections',
        { open: openOnly ? 'true' : undefined, limit: 500 },
        signal,
      ),
    [openOnly],
  );
  const repairs = useApi(
    (signal) =>
      api.get<{ items: Repair[] }>(
        '/api/v1/repairs',
        { status: openOnly ? 'under_review' : undefined, limit: 500 },
        signal,
      ),
    [openOnly],
  );
  const [step, setStep] = useState<Step | undefined>(undefined);
  const [note, setNote] = useState('');
  const run = useAction(async () => {
    if (!step) return;
    const id = step.item.id;
    const body = note.trim() ? { note: note.trim() } : {};
    if (step.kind === 'objection') {
      if (step.action === 'accept' || step.action === 'reject') {
        await api.post(`/api/v1/objections/${id}/accept`, { accept: step.action === 'accept', ...body });
      } else await api.post(`/api/v1/objections/${id}/${step.action}`, body);
      objections.reload();
    } else {
      await api.post(`/api/v1/repairs/${id}/review`, { approve: step.action === 'approve', ...body });
      repairs.reload();
    }
    message.success(t('rights.done'));
    setStep(undefined);
    setNote('');
  });
  const overdue = useAction(async () => {
    const r = await api.post<{ escalated: number[] }>('/api/v1/objections/check-overdue');
    message.info(t('rights.escalated', { n: r.escalated.length }));
    objections.reload();
  });
  const stepLabel = (s: Step) =>
    ({
      accept: t('rights.accept'),
      reject: t('rights.reject'),
      forward: t('rights.forward'),
      decide: t('rights.decide'),
      approve: t('rights.approve'),
      deny: t('rights.deny'),
    })[s.action];

  return (
    <div className="xr-page">
      <PageHeader
        title={t('nav.op.rights')}
        subtitle={t('rights.opSubtitle')}
        extra={
          <Space wrap>
            <Space>
              <Switch checked={openOnly} onChange={setOpenOnly} />
              <Typography.Text>{t('rights.openOnly')}</Typography.Text>
            </Space>
            <Button loading={overdue.pending} onClick={() => void overdue.run()}>
              {t('rights.checkOverdue')}
            </Button>
          </Space>
        }
      />
      <ProblemAlert error={overdue.error} style={{ marginBottom: 16 }} />
      <Card>
        <Tabs
          items={[
            {
              key: 'o',
              label: `${t('rights.objections')} (${objections.data?.items.length ?? 0})`,
              children: (
                <>
                  <ProblemAlert error={objections.error} onRetry={objections.reload} />
                  <ObjectionsTable
                    items={objections.data?.items ?? []}
                    loading={objections.loading}
                    showSubject
                    actions={(o) => (
                      <Space size={4}>
                        {o.status === 'filed' && (
                          <>
                            <Button
                              size="small"
                              type="primary"
                              onClick={() => setStep({ kind: 'objection', action: 'accept', item: o })}
                              data-testid="objection-accept"
                            >
                              {t('rights.accept')}
                            </Button>
                            <Button
                              size="small"
                              onClick={() => setStep({ kind: 'objection', action: 'reject', item: o })}
                            >
                              {t('rights.reject')}
                            </Button>
                          </>
                        )}
                        {o.status === 'accepted' && (
                          <Button
                            size="small"
                            type="primary"
                            onClick={() => setStep({ kind: 'objection', action: 'forward', item: o })}
                            data-testid="objection-forward"
                          >
                            {t('rights.forward')}
                          </Button>
                        )}
                        {o.status === 'answered' && (
                          <Button
                            size="small"
                            type="primary"
                            onClick={() => setStep({ kind: 'objection', action: 'decide', item: o })}
                            data-testid="objection-decide"
                          >
                            {t('rights.decide')}
                          </Button>
                        )}
                      </Space>
                    )}
                  />
                </>
              ),
            },
            {
              key: 'r',
              label: `${t('rights.repairs')} (${repairs.data?.items.length ?? 0})`,
              children: (
                <>
                  <ProblemAlert error={repairs.error} onRetry={repairs.reload} />
                  <RepairsTable
                    items={repairs.data?.items ?? []}
                    loading={repairs.loading}
                    showSubject
                    actions={(r) =>
                      r.status === 'under_review' ? (
                        <Space size={4}>
                          <Button
                            size="small"
                            type="primary"
                            onClick={() => setStep({ kind: 'repair', action: 'approve', item: r })}
                            data-testid="repair-approve"
                          >
                            {t('rights.approve')}
                          </Button>
                          <Button
                            size="small"
                            danger
                            onClick={() => setStep({ kind: 'repair', action: 'deny', item: r })}
                          >
                            {t('rights.deny')}
                          </Button>
                        </Space>
                      ) : null
                    }
                  />
                </>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={!!step}
        title={step ? `${stepLabel(step)} · #${step.item.id}` : ''}
        onCancel={() => setStep(undefined)}
        onOk={() => void run.run()}
        okText={step ? stepLabel(step) : ''}
        cancelText={t('action.cancel')}
        confirmLoading={run.pending}
        destroyOnHidden
      >
        <Input.TextArea
          rows={3}
          maxLength={2000}
          placeholder={t('rights.note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="step-note"
        />
        <ProblemAlert error={run.error} style={{ marginTop: 12 }} />
      </Modal>
    </div>
  );
}
