import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Row, Skeleton, Space, Statistic } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { kindMap, useCatalog } from '../../api/catalog.ts';
import { api, download } from '../../api/client.ts';
import { asApiError, useApi } from '../../api/hooks.ts';
import type { BatchView, ErrorsPage, RowError } from '../../api/types.ts';
import { BatchStatusTag, finishedStatuses, RowErrorsTable } from '../../components/BatchParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatBytes, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Up to this many row errors are shown on the page; the CSV download has all of them. */
const shownErrors = 5000;

/** One batch: status (followed while it runs), counters, digests, row errors (view and download). */
export function BatchPage() {
  const { t, pick } = useI18n();
  const { notification } = AntApp.useApp();
  const { id = '' } = useParams();
  const { catalog } = useCatalog();
  const batch = useApi((signal) => api.get<BatchView>(`/api/v1/batches/${id}`, undefined, signal), [id]);
  const running = batch.data ? !finishedStatuses.has(batch.data.status) : false;
  useEffect(() => {
    if (!running) return;
    const timer = window.setTimeout(batch.reload, 1500);
    return () => window.clearTimeout(timer);
  }, [running, batch.data, batch.reload]);

  const errors = useApi(
    async (signal) => {
      const all: RowError[] = [];
      let after: ErrorsPage['next'] = null;
      do {
        const page: ErrorsPage = await api.get<ErrorsPage>(
          `/api/v1/batches/${id}/errors`,
          { limit: 1000, afterRow: after?.afterRow, afterId: after?.afterId },
          signal,
        );
        all.push(...page.errors);
        after = page.next;
      } while (after && all.length < shownErrors);
      return { errors: all, more: after !== null };
    },
    [id, batch.data?.status],
    !!batch.data && !running,
  );
  const [downloading, setDownloading] = useState<string | undefined>(undefined);
  const save = async (format: 'csv' | 'json') => {
    setDownloading(format);
    try {
      await download(
        `/api/v1/batches/${id}/errors?format=${format}&limit=10000`,
        `batch-${id}-errors.${format}`,
      );
    } catch (e) {
      const err = asApiError(e);
      notification.error({ title: t('batch.downloadFailed'), description: pick(err.zh, err.en) });
    } finally {
      setDownloading(undefined);
    }
  };

  const b = batch.data;
  const kind = b ? kindMap(catalog).get(b.kindCode) : undefined;
  return (
    <div className="xr-page">
      <PageHeader
        title={t('batch.title', { id })}
        extra={
          b && b.rejected > 0 ? (
            <Space wrap>
              <Button
                icon={<DownloadOutlined />}
                loading={downloading === 'csv'}
                onClick={() => void save('csv')}
                data-testid="errors-csv"
              >
                {t('batch.downloadCsv')}
              </Button>
              <Button
                icon={<DownloadOutlined />}
                loading={downloading === 'json'}
                onClick={() => void save('json')}
              >
                {t('batch.downloadJson')}
              </Button>
            </Space>
          ) : undefined
        }
      />
      <ProblemAlert error={batch.error} onRetry={batch.reload} style={{ marginBottom: 16 }} />
      {!b && batch.loading && <Skeleton active />}
      {b && (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Row gutter={[16, 16]}>
              <Col xs={12} md={6}>
                <Statistic title={t('batch.received')} value={b.received} groupSeparator="," />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('batch.accepted')}
                  value={b.accepted}
                  groupSeparator=","
                  styles={{ content: { color: '#15803d' } }}
                />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('batch.unchanged')} value={b.unchanged} groupSeparator="," />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('batch.rejected')}
                  value={b.rejected}
                  groupSeparator=","
                  styles={{ content: { color: b.rejected ? '#b91c1c' : undefined } }}
                />
              </Col>
            </Row>
          </Card>
          {b.errorMessage && (
            <Alert
              type="error"
              showIcon
              role="alert"
              title={pick(b.errorMessage.zh, b.errorMessage.en)}
              style={{ marginBottom: 16 }}
            />
          )}
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'status', label: t('batch.status'), children: <BatchStatusTag batch={b} /> },
                {
                  key: 'kind',
                  label: t('upload.kind'),
                  children: kind ? pick(kind.name_zh, kind.name_en) : b.kindCode,
                },
                { key: 'prov', label: t('batch.provider'), children: b.providerId },
                { key: 'file', label: t('batch.file'), children: b.filename ?? '—' },
                {
                  key: 'fmt',
                  label: t('batch.format'),
                  children: `${b.format.toUpperCase()} · ${formatBytes(b.byteSize)}`,
                },
                {
                  key: 'mode',
                  label: t('upload.allOrNothing'),
                  children: b.allOrNothing ? t('common.yes') : t('common.no'),
                },
                { key: 'created', label: t('batch.createdAt'), children: formatDateTime(b.createdAt) },
                { key: 'finished', label: t('batch.finishedAt'), children: formatDateTime(b.finishedAt) },
                { key: 'cat', label: t('batch.catalogVersion'), children: b.catalogVersion ?? '—' },
                {
                  key: 'sha',
                  label: 'SHA-256',
                  children: <span className="xr-mono xr-break">{b.sha256 ?? '—'}</span>,
                },
                {
                  key: 'sm3',
                  label: 'SM3',
                  children: <span className="xr-mono xr-break">{b.sm3 ?? '—'}</span>,
                },
              ]}
            />
          </Card>
          {(b.rejected > 0 || (errors.data?.errors.length ?? 0) > 0) && (
            <Card title={t('batch.errors')}>
              <ProblemAlert error={errors.error} onRetry={errors.reload} style={{ marginBottom: 12 }} />
              {errors.data?.more && (
                <Alert
                  type="info"
                  showIcon
                  title={t('batch.moreErrors', { n: shownErrors })}
                  style={{ marginBottom: 12 }}
                />
              )}
              <RowErrorsTable errors={errors.data?.errors ?? []} kind={kind} loading={errors.loading} />
            </Card>
          )}
        </>
      )}
    </div>
  );
}
