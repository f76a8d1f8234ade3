import { UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Input,
  Modal,
  Space,
  Switch,
  Tabs,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { Breach, CalendarStatus, Objection, Repair } from '../../api/types.ts';
import { ObjectionsTable, RepairsTable } from '../../components/CaseTables.tsx';
import { CalendarStatusPanel } from '../../components/Commitments.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { translate, useI18n } from '../../i18n/i18n.tsx';
import { BreachQueue } from './BreachQueue.tsx';

type Step =
  | { kind: 'objection'; action: 'accept' | 'reject' | 'forward' | 'decide'; item: Objection }
  | { kind: 'repair'; action: 'approve' | 'deny'; item: Repair };

/**
 * Objections, repair applications and suspected commitment breaches to handle (异议与修复办理): each
 * open objection offers the next step of its workflow; overdue steps are flagged; repairs under
 * review can be approved or rejected; breaches found by the automatic check are confirmed or
 * rejected. The working-day calendar's state is shown on top: a deadline that runs into a year whose
 * holidays are not loaded is counted Monday–Friday only and marked so.
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
  const breaches = useApi(
    (signal) =>
      api.get<{ items: Breach[] }>(
        '/api/v1/commitments/breaches',
        { status: openOnly ? 'suspected' : undefined, limit: 500 },
        signal,
      ),
    [openOnly],
  );
  const calendar = useApi(
    (signal) => api.get<CalendarStatus>('/api/v1/rights/calendar', undefined, signal),
    [],
  );
  const [tab, setTab] = useState('o');
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
  const check = useAction(async () => {
    const r = await api.post<{ checked: number; flagged: unknown[] }>('/api/v1/commitments/check');
    message.info(t('breach.checked', { checked: r.checked, flagged: r.flagged.length }));
    breaches.reload();
    if (r.flagged.length) setTab('b');
  });
  const importCalendar = useAction(async (file: File) => {
    let body: unknown;
    try {
      body = JSON.parse(await file.text());
    } catch {
      throw new ApiError(
        400,
        'client',
        translate('zh', 'calendar.badJson'),
        translate('en', 'calendar.badJson'),
      );
    }
    const r = await api.post<{ year: number; holidays: number; workdays: number; deadlinesChanged: number }>(
      '/api/v1/rights/calendar',
      body,
    );
    message.success(
      t('calendar.imported', {
        year: r.year,
        holidays: r.holidays,
        workdays: r.workdays,
        changed: r.deadlinesChanged,
      }),
    );
    calendar.reload();
    objections.reload();
    repairs.reload();
  });
  // Open cases whose due date was counted Monday–Friday only (a year of the period has no holidays).
  const provisional =
    (objections.data?.items ?? []).filter((o) => o.dueOn && o.dueOnProvisional).length +
    (repairs.data?.items ?? []).filter((r) => r.dueOn && r.dueOnProvisional).length;
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
            <Button loading={check.pending} onClick={() => void check.run()} data-testid="breach-check">
              {t('breach.checkNow')}
            </Button>
          </Space>
        }
      />
      <ProblemAlert error={overdue.error ?? check.error} style={{ marginBottom: 16 }} />
      <Card
        title={t('calendar.title')}
        size="small"
        style={{ marginBottom: 16 }}
        extra={
          <Upload
            accept="application/json,.json"
            showUploadList={false}
            beforeUpload={(f) => {
              void importCalendar.run(f);
              return false;
            }}
          >
            <Button size="small" icon={<UploadOutlined />} loading={importCalendar.pending}>
              {t('calendar.import')}
            </Button>
          </Upload>
        }
      >
        <ProblemAlert error={calendar.error ?? importCalendar.error} onRetry={calendar.reload} />
        <CalendarStatusPanel status={calendar.data} />
        {provisional > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginTop: 8 }}
            title={t('calendar.provisionalCases', { n: provisional })}
            description={t('calendar.provisionalHint')}
            data-testid="calendar-provisional-cases"
          />
        )}
      </Card>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={setTab}
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
            {
              key: 'b',
              label: `${t('breach.tab')} (${breaches.data?.items.length ?? 0})`,
              children: <BreachQueue breaches={breaches} onChanged={breaches.reload} />,
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
