import { FilePdfOutlined, FileTextOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, download } from '../api/client.ts';
import { asApiError } from '../api/hooks.ts';
import type { ReportMeta, ReportType } from '../api/types.ts';
import { formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Uscc } from './Uscc.tsx';

/** Downloads one rendition of a report, showing the API's error if it fails. */
export function useReportDownload() {
  const { t, pick } = useI18n();
  const { notification } = AntApp.useApp();
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const get = async (r: Pick<ReportMeta, 'number' | 'links'>, format: 'pdf' | 'html' | 'json') => {
    setBusy(`${r.number}.${format}`);
    try {
      await download(r.links[format], `${r.number}.${format}`);
    } catch (e) {
      const err = asApiError(e);
      notification.error({ title: t('reports.downloadFailed'), description: pick(err.zh, err.en) });
    } finally {
      setBusy(undefined);
    }
  };
  return { get, busy };
}

/** Issues a report (frozen, numbered, in the ledger) and returns its metadata. */
export async function issueReport(input: {
  uscc: string;
  type: ReportType;
  consentId?: string;
  purpose?: string;
  windowYears?: number;
}): Promise<ReportMeta> {
  return api.post<ReportMeta>('/api/v1/reports', { ...input, format: 'pdf' });
}

export function ReportsTable({
  reports,
  loading,
  showSubject,
}: {
  reports: ReportMeta[];
  loading: boolean;
  showSubject: boolean;
}) {
  const { t, pick } = useI18n();
  const dl = useReportDownload();
  return (
    <Table<ReportMeta>
      rowKey="number"
      loading={loading}
      dataSource={reports}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
      onRow={() => ({ 'data-testid': 'report-row' }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        {
          key: 'n',
          title: t('verify.number'),
          render: (_, r) => (
            <Link to={`/verify/${encodeURIComponent(r.number)}`} className="xr-mono">
              {r.number}
            </Link>
          ),
        },
        {
          key: 't',
          title: t('verify.type'),
          render: (_, r) => <Tag>{pick(r.typeLabel.zh, r.typeLabel.en)}</Tag>,
        },
        ...(showSubject
          ? [
              {
                key: 's',
                title: t('subject.name'),
                render: (_: unknown, r: ReportMeta) => (
                  <Space orientation="vertical" size={0}>
                    <span>{r.subjectName}</span>
                    <Uscc value={r.uscc} copyable={false} />
                  </Space>
                ),
              },
            ]
          : []),
        { key: 'at', title: t('verify.issuedAt'), render: (_, r) => formatDateTime(r.issuedAt) },
        {
          key: 'c',
          title: t('accessLog.records'),
          align: 'right',
          render: (_, r) => r.recordCount,
          responsive: ['md'],
        },
        {
          key: 'dl',
          title: '',
          render: (_, r) => (
            <Space wrap size={4}>
              <Button
                size="small"
                icon={<FilePdfOutlined />}
                loading={dl.busy === `${r.number}.pdf`}
                onClick={() => void dl.get(r, 'pdf')}
                data-testid="report-pdf"
              >
                PDF
              </Button>
              <Button
                size="small"
                icon={<FileTextOutlined />}
                loading={dl.busy === `${r.number}.html`}
                onClick={() => void dl.get(r, 'html')}
              >
                HTML
              </Button>
              <Typography.Link onClick={() => void dl.get(r, 'json')}>JSON</Typography.Link>
            </Space>
          ),
        },
      ]}
    />
  );
}

/** A button that issues a report and downloads its PDF; the number links to its verification page. */
export function IssueReportButton({
  input,
  label,
  testId,
}: {
  input: Parameters<typeof issueReport>[0];
  label: string;
  testId?: string;
}) {
  const { t, pick } = useI18n();
  const { notification } = AntApp.useApp();
  const dl = useReportDownload();
  const [pending, setPending] = useState(false);
  const [issued, setIssued] = useState<ReportMeta | undefined>(undefined);
  const run = async () => {
    setPending(true);
    try {
      const r = await issueReport(input);
      setIssued(r);
      await dl.get(r, 'pdf');
    } catch (e) {
      const err = asApiError(e);
      notification.error({ title: t('reports.issueFailed'), description: pick(err.zh, err.en) });
    } finally {
      setPending(false);
    }
  };
  return (
    <Space wrap>
      <Button icon={<FilePdfOutlined />} loading={pending} onClick={() => void run()} data-testid={testId}>
        {label}
      </Button>
      {issued && (
        <Link
          to={`/verify/${encodeURIComponent(issued.number)}`}
          className="xr-mono"
          data-testid="issued-number"
        >
          {issued.number}
        </Link>
      )}
    </Space>
  );
}
