import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Progress,
  Result,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Typography,
  Upload,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { pushableKinds, useCatalog } from '../../api/catalog.ts';
import { api, ApiError, download, uploadWithProgress } from '../../api/client.ts';
import { asApiError } from '../../api/hooks.ts';
import type { BatchOutcome, BatchView } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { RowErrorsTable } from '../../components/BatchParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatBytes, formatCount } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

type Phase =
  | { step: 'idle' }
  | { step: 'uploading'; percent: number }
  | { step: 'processing'; batch: BatchView | undefined }
  | { step: 'done'; outcome: BatchOutcome }
  | { step: 'failed'; error: ApiError };

const accepted = '.csv,.xlsx,.json,.ndjson,.jsonl,.txt';

/**
 * Upload a file of one kind (上传数据): the bytes go up with a progress bar (XHR upload events),
 * then the page follows the batch on the server (polling the batch list) until the outcome arrives.
 */
export function UploadPage() {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const { me } = useAuth();
  const { catalog, error: catalogError } = useCatalog();
  const [params] = useSearchParams();
  const kinds = pushableKinds(catalog, me?.orgId);
  const [kindCode, setKindCode] = useState<string | undefined>(params.get('kind') ?? undefined);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [file, setFile] = useState<File | undefined>(undefined);
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const abortRef = useRef<() => void>(undefined);
  const kind = kinds.find((k) => k.code === kindCode);

  // While the server works on the file, follow the newest batch of this kind and file name.
  const pollRef = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearInterval(pollRef.current), []);

  const start = async () => {
    if (!file || !kindCode) return;
    const startedAt = Date.now();
    const form = new FormData();
    form.append('file', file, file.name);
    const q = new URLSearchParams({ kind: kindCode, allOrNothing: String(allOrNothing) });
    setPhase({ step: 'uploading', percent: 0 });
    const up = uploadWithProgress<BatchOutcome>(`/api/v1/batches/upload?${q}`, form, (p) => {
      const percent = Math.min(100, Math.round((p.loaded / Math.max(1, p.total)) * 100));
      if (percent < 100) setPhase({ step: 'uploading', percent });
      else {
        setPhase({ step: 'processing', batch: undefined });
        window.clearInterval(pollRef.current);
        pollRef.current = window.setInterval(() => {
          api
            .get<{ batches: BatchView[] }>('/api/v1/batches', { kind: kindCode, limit: 5 })
            .then((r) => {
              const b = r.batches.find(
                (x) => x.filename === file.name && Date.parse(x.createdAt) >= startedAt - 60_000,
              );
              if (b) setPhase((ph) => (ph.step === 'processing' ? { step: 'processing', batch: b } : ph));
            })
            .catch(() => undefined); // progress is a nicety; the upload's own answer decides
        }, 1000);
      }
    });
    abortRef.current = up.abort;
    try {
      const outcome = await up.promise;
      setPhase({ step: 'done', outcome });
    } catch (e) {
      setPhase({ step: 'failed', error: asApiError(e) });
    } finally {
      window.clearInterval(pollRef.current);
      abortRef.current = undefined;
    }
  };

  const busy = phase.step === 'uploading' || phase.step === 'processing';

  return (
    <div className="xr-page">
      <PageHeader
        title={t('upload.title')}
        subtitle={t('upload.subtitle')}
        extra={
          <Link to="/provider/batches">
            <Button>{t('nav.prov.batches')}</Button>
          </Link>
        }
      />
      <ProblemAlert error={catalogError} style={{ marginBottom: 16 }} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card>
            <Form layout="vertical">
              <Form.Item label={t('upload.kind')} required>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  value={kindCode}
                  onChange={setKindCode}
                  placeholder={t('upload.kindPlaceholder')}
                  options={kinds.map((k) => ({ value: k.code, label: pick(k.name_zh, k.name_en) }))}
                  data-testid="upload-kind"
                  disabled={busy}
                />
              </Form.Item>
              {kind && (
                <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
                  {t('upload.kindFields', {
                    n: kind.fields.length,
                    required: kind.fields
                      .filter((f) => f.required)
                      .map((f) => pick(f.label_zh, f.label_en))
                      .join('、'),
                  })}{' '}
                  <Typography.Link
                    onClick={() =>
                      void download(
                        `/api/v1/catalog/kinds/${kind.code}/template.xlsx`,
                        `${kind.code}-template.xlsx`,
                      ).catch((e: unknown) => setPhase({ step: 'failed', error: asApiError(e) }))
                    }
                  >
                    <DownloadOutlined /> {t('upload.template')}
                  </Typography.Link>
                </Typography.Paragraph>
              )}
              <Form.Item label={t('upload.file')} required>
                <Upload.Dragger
                  accept={accepted}
                  multiple={false}
                  maxCount={1}
                  disabled={busy}
                  beforeUpload={(f) => {
                    setFile(f);
                    setPhase({ step: 'idle' });
                    return false; // we upload ourselves, with progress
                  }}
                  onRemove={() => setFile(undefined)}
                  fileList={
                    file
                      ? [{ uid: '1', name: `${file.name}（${formatBytes(file.size)}）`, status: 'done' }]
                      : []
                  }
                  data-testid="upload-dragger"
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">{t('upload.drop')}</p>
                  <p className="ant-upload-hint">{t('upload.formats')}</p>
                </Upload.Dragger>
              </Form.Item>
              <Form.Item label={t('upload.allOrNothing')} extra={t('upload.allOrNothingHint')}>
                <Switch checked={allOrNothing} onChange={setAllOrNothing} disabled={busy} />
              </Form.Item>
              <Space>
                <Button
                  type="primary"
                  icon={<CloudUploadOutlined />}
                  disabled={!file || !kindCode || busy}
                  loading={busy}
                  onClick={() => void start()}
                  data-testid="upload-submit"
                >
                  {t('upload.submit')}
                </Button>
                {phase.step === 'uploading' && (
                  <Button onClick={() => abortRef.current?.()}>{t('action.cancel')}</Button>
                )}
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t('upload.progress')} data-testid="upload-progress">
            {phase.step === 'idle' && (
              <Typography.Text type="secondary">{t('upload.waiting')}</Typography.Text>
            )}
            {phase.step === 'uploading' && (
              <>
                <Typography.Text>{t('upload.sending')}</Typography.Text>
                <Progress percent={phase.percent} status="active" />
              </>
            )}
            {phase.step === 'processing' && (
              <>
                <Progress percent={100} status="active" showInfo={false} />
                <Typography.Paragraph>
                  {phase.batch
                    ? t('upload.processingRows', { id: phase.batch.id, n: formatCount(phase.batch.received) })
                    : t('upload.processing')}
                </Typography.Paragraph>
              </>
            )}
            {phase.step === 'failed' && <ProblemAlert error={phase.error} />}
            {phase.step === 'done' && <Outcome outcome={phase.outcome} />}
          </Card>
        </Col>
      </Row>
      {phase.step === 'done' && phase.outcome.errors.length > 0 && (
        <Card title={t('batch.errors')} style={{ marginTop: 16 }}>
          <RowErrorsTable errors={phase.outcome.errors} kind={kind} />
        </Card>
      )}
    </div>
  );
}

function Outcome({ outcome }: { outcome: BatchOutcome }) {
  const { t } = useI18n();
  const allRejected = outcome.received > 0 && outcome.accepted + outcome.unchanged === 0;
  return (
    <div data-testid="upload-outcome">
      <Result
        style={{ padding: '8px 0' }}
        status={outcome.rejected === 0 ? 'success' : allRejected ? 'error' : 'warning'}
        title={
          outcome.rejected === 0
            ? t('upload.ok')
            : allRejected
              ? t('upload.allRejected')
              : t('upload.someRejected', { n: formatCount(outcome.rejected) })
        }
        subTitle={t('upload.batchNo', { id: outcome.batch })}
      />
      <Row gutter={8}>
        <Col span={6}>
          <Statistic title={t('batch.received')} value={outcome.received} groupSeparator="," />
        </Col>
        <Col span={6}>
          <Statistic
            title={t('batch.accepted')}
            value={outcome.accepted}
            groupSeparator=","
            styles={{ content: { color: '#15803d' } }}
          />
        </Col>
        <Col span={6}>
          <Statistic title={t('batch.unchanged')} value={outcome.unchanged} groupSeparator="," />
        </Col>
        <Col span={6}>
          <Statistic
            title={t('batch.rejected')}
            value={outcome.rejected}
            groupSeparator=","
            styles={{ content: { color: outcome.rejected ? '#b91c1c' : undefined } }}
          />
        </Col>
      </Row>
      {outcome.rejected > 0 && (
        <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('upload.fixHint')} />
      )}
      <div style={{ marginTop: 12 }}>
        <Link to={`/provider/batches/${outcome.batch}`}>{t('upload.viewBatch')}</Link>
      </div>
    </div>
  );
}
