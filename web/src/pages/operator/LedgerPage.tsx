import { SafetyCertificateOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Result,
  Row,
  Skeleton,
  Space,
  Statistic,
  Typography,
} from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatCount, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** GET /api/v1/ledger/checkpoint (src/ledger/ledger.service.ts CheckpointView). */
interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  hashAlgorithm: string;
  timestamp: string;
  keyName: string;
  keyId: string;
  signatureAlgorithm: string;
  note: string;
}

/** POST /api/v1/ledger/verify (src/ledger/ledger-verify.ts VerifyReport). */
interface VerifyReport {
  ok: boolean;
  hashAlgorithm: string | null;
  treeSize: number;
  leavesChecked: number;
  checkpointsChecked: number;
  sourceChecks: boolean;
  pending: number;
  firstBadLeaf?: {
    leafIndex: number;
    beforeTreeSize?: number;
    entryId?: number;
    refTable?: string;
    refId?: string;
    message: { zh: string; en: string };
  };
  problemCount: number;
  problems: { message?: { zh: string; en: string }; leafIndex?: number; code?: string }[];
  durationMs: number;
  leavesPerSecond: number;
}

/** Ledger status (账本校验): the latest signed checkpoint and a full verification on demand. */
export function LedgerPage() {
  const { t, pick } = useI18n();
  const cp = useApi((signal) => api.get<Checkpoint>('/api/v1/ledger/checkpoint', undefined, signal), []);
  const [sources, setSources] = useState(true);
  const [report, setReport] = useState<VerifyReport | undefined>(undefined);
  const verify = useAction(async () => {
    setReport(undefined);
    setReport(await api.post<VerifyReport>('/api/v1/ledger/verify', { sources }));
    cp.reload();
  });
  const c = cp.data;
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.op.ledger')} subtitle={t('ledger.subtitle')} />
      <Card title={t('ledger.checkpoint')} style={{ marginBottom: 16 }}>
        <ProblemAlert error={cp.error} onRetry={cp.reload} />
        {cp.loading && !c && <Skeleton active />}
        {c && (
          <>
            <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
              <Col xs={12} md={8}>
                <Statistic title={t('ledger.treeSize')} value={c.treeSize} groupSeparator="," />
              </Col>
              <Col xs={12} md={8}>
                <Statistic title={t('ledger.signedAt')} value={formatDateTime(c.timestamp)} />
              </Col>
              <Col xs={24} md={8}>
                <Statistic
                  title={t('ledger.algorithms')}
                  value={`${c.hashAlgorithm} · ${c.signatureAlgorithm}`}
                />
              </Col>
            </Row>
            <Descriptions
              size="small"
              column={1}
              items={[
                {
                  key: 'o',
                  label: t('ledger.origin'),
                  children: <span className="xr-mono">{c.origin}</span>,
                },
                {
                  key: 'r',
                  label: t('ledger.root'),
                  children: (
                    <span className="xr-mono xr-break" data-testid="ledger-root">
                      {c.rootHash}
                    </span>
                  ),
                },
                {
                  key: 'k',
                  label: t('ledger.key'),
                  children: <span className="xr-mono">{`${c.keyName} (${c.keyId})`}</span>,
                },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 4 }}>
              {t('ledger.note')}
            </Typography.Paragraph>
            <pre
              className="xr-mono xr-break"
              style={{
                whiteSpace: 'pre-wrap',
                background: '#f5f7fb',
                padding: 12,
                borderRadius: 8,
                margin: 0,
              }}
            >
              {c.note}
            </pre>
          </>
        )}
      </Card>
      <Card title={t('ledger.verify')}>
        <Space wrap style={{ marginBottom: 16 }}>
          <Checkbox checked={sources} onChange={(e) => setSources(e.target.checked)}>
            {t('ledger.sources')}
          </Checkbox>
          <Button
            type="primary"
            icon={<SafetyCertificateOutlined />}
            loading={verify.pending}
            onClick={() => void verify.run()}
            data-testid="ledger-verify"
          >
            {t('ledger.run')}
          </Button>
        </Space>
        <ProblemAlert error={verify.error} />
        {report && (
          <div data-testid="ledger-report">
            <Result
              style={{ padding: '8px 0' }}
              status={report.ok ? 'success' : 'error'}
              title={report.ok ? t('ledger.ok') : t('ledger.bad', { n: report.problemCount })}
              subTitle={t('ledger.checked', {
                leaves: formatCount(report.leavesChecked),
                checkpoints: formatCount(report.checkpointsChecked),
                ms: formatCount(report.durationMs),
                rate: formatCount(Math.round(report.leavesPerSecond)),
              })}
            />
            {report.pending > 0 && (
              <Alert
                type="info"
                showIcon
                title={t('ledger.pending', { n: report.pending })}
                style={{ marginBottom: 12 }}
              />
            )}
            {report.firstBadLeaf && (
              <Alert
                type="error"
                showIcon
                title={pick(report.firstBadLeaf.message.zh, report.firstBadLeaf.message.en)}
                description={
                  <span className="xr-mono">
                    leaf #{report.firstBadLeaf.leafIndex}
                    {report.firstBadLeaf.refTable
                      ? ` · ${report.firstBadLeaf.refTable} ${report.firstBadLeaf.refId ?? ''}`
                      : ''}
                  </span>
                }
              />
            )}
            {report.problems.length > 0 && (
              <ul style={{ marginTop: 12 }}>
                {report.problems.map((p, i) => (
                  <li key={i}>
                    {p.message ? pick(p.message.zh, p.message.en) : (p.code ?? JSON.stringify(p))}
                    {p.leafIndex !== undefined ? ` (leaf #${p.leafIndex})` : ''}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </Card>
    </div>
  );
}
