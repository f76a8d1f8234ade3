import { FileAddOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, InputNumber, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { ReportMeta, ReportType } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { issueReport, ReportsTable, useReportDownload } from '../../components/Reports.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/**
 * My reports (信用报告): issue a self report (everything, repaired and disputed records marked) or a
 * special report of penalties and enforcement over up to five years (the kind that replaces paper
 * 无违法违规证明), download any issued report as PDF, HTML or JSON.
 */
export function ReportsPage() {
  const { t, pick } = useI18n();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const uscc = me?.uscc ?? '';
  const list = useApi(
    (signal) => api.get<{ reports: ReportMeta[] }>('/api/v1/reports', { uscc }, signal),
    [uscc],
  );
  const [years, setYears] = useState(3);
  const dl = useReportDownload();
  const issue = useAction(async (type: ReportType) => {
    const r = await issueReport({ uscc, type, ...(type === 'special' ? { windowYears: years } : {}) });
    message.success(t('reports.issued', { number: r.number, type: pick(r.typeLabel.zh, r.typeLabel.en) }));
    list.reload();
    await dl.get(r, 'pdf');
  });
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.ent.reports')} subtitle={t('reports.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Space wrap size={16}>
          <Button
            type="primary"
            icon={<FileAddOutlined />}
            loading={issue.pending}
            onClick={() => void issue.run('self')}
            data-testid="issue-self"
          >
            {t('reports.issueSelf')}
          </Button>
          <Space>
            <Button
              icon={<FileAddOutlined />}
              loading={issue.pending}
              onClick={() => void issue.run('special')}
              data-testid="issue-special"
            >
              {t('reports.issueSpecial')}
            </Button>
            <InputNumber
              min={1}
              max={5}
              value={years}
              onChange={(v) => setYears(v ?? 3)}
              style={{ width: 72 }}
            />
            <Typography.Text>{t('reports.years')}</Typography.Text>
          </Space>
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('reports.specialHint')}
        </Typography.Paragraph>
        <ProblemAlert error={issue.error} style={{ marginTop: 12 }} />
      </Card>
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card title={t('reports.mine')}>
        <ReportsTable reports={list.data?.reports ?? []} loading={list.loading} showSubject={false} />
      </Card>
    </div>
  );
}
