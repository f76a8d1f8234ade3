import { InboxOutlined } from '@ant-design/icons';
import { Card, Descriptions, Input, List, Result, Skeleton, Tabs, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { FileVerification, ReportVerification } from '../../api/types.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatCount, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

function ByNumber({ number }: { number: string }) {
  const { t, pick } = useI18n();
  const navigate = useNavigate();
  const res = useApi(
    (signal) =>
      api.get<ReportVerification>(`/api/v1/reports/${encodeURIComponent(number)}/verify`, undefined, signal),
    [number],
    number.length > 0,
  );
  const v = res.data;
  const ok = v ? v.authentic && v.valid : false;
  return (
    <>
      <Input.Search
        size="large"
        defaultValue={number}
        key={number}
        enterButton={t('verify.action')}
        placeholder={t('verify.placeholder')}
        data-testid="verify-input"
        onSearch={(s) => {
          const n = s.trim();
          if (n === number) res.reload();
          else if (n) navigate(`/verify/${encodeURIComponent(n)}`);
        }}
        style={{ marginBottom: 16 }}
      />
      {res.loading && <Skeleton active />}
      {res.error && ['report_not_found', 'report_number_invalid'].includes(res.error.code) ? (
        <Result
          status="error"
          title={t('verify.notFound')}
          subTitle={pick(res.error.zh, res.error.en)}
          data-testid="verify-result"
        />
      ) : (
        <ProblemAlert error={res.error} onRetry={res.reload} />
      )}
      {v && (
        <Card>
          <Result
            style={{ paddingTop: 8 }}
            status={ok ? 'success' : 'error'}
            title={ok ? t('verify.authentic') : t('verify.notAuthentic')}
            subTitle={pick(v.reason.zh, v.reason.en)}
            data-testid="verify-result"
          />
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'n', label: t('verify.number'), children: <span className="xr-mono">{v.number}</span> },
              { key: 't', label: t('verify.type'), children: pick(v.typeLabel.zh, v.typeLabel.en) },
              { key: 's', label: t('subject.name'), children: v.subjectName },
              { key: 'u', label: t('subject.uscc'), children: <Uscc value={v.uscc} /> },
              { key: 'i', label: t('verify.issuedAt'), children: formatDateTime(v.issuedAt) },
              { key: 'd', label: 'SHA-256', children: <span className="xr-mono xr-break">{v.digest}</span> },
              { key: 'm', label: 'SM3', children: <span className="xr-mono xr-break">{v.sm3}</span> },
              {
                key: 'l',
                label: t('verify.ledger'),
                children: t('verify.ledgerText', {
                  leaf: formatCount(v.leafIndex),
                  size: formatCount(v.treeSize),
                }),
              },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
            {t('verify.contentNotShown')}
          </Typography.Paragraph>
        </Card>
      )}
    </>
  );
}

function ByFile() {
  const { t, pick } = useI18n();
  const [result, setResult] = useState<FileVerification | undefined>(undefined);
  const check = useAction(async (file: File) => {
    setResult(undefined);
    const form = new FormData();
    form.append('file', file, file.name);
    setResult(await api.post<FileVerification>('/api/v1/reports/verify', form));
  });
  return (
    <>
      <Upload.Dragger
        accept=".pdf,.json"
        multiple={false}
        showUploadList={false}
        beforeUpload={(f) => {
          void check.run(f);
          return false;
        }}
        disabled={check.pending}
        data-testid="verify-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('verify.fileDrop')}</p>
        <p className="ant-upload-hint">{t('verify.fileHint')}</p>
      </Upload.Dragger>
      {check.pending && <Skeleton active style={{ marginTop: 16 }} />}
      <ProblemAlert error={check.error} style={{ marginTop: 16 }} />
      {result && (
        <Card style={{ marginTop: 16 }}>
          <Result
            style={{ paddingTop: 8 }}
            status={result.valid ? 'success' : 'error'}
            title={pick(result.message.zh, result.message.en)}
            data-testid="verify-file-result"
          />
          <List
            size="small"
            dataSource={result.checks}
            renderItem={(c) => (
              <List.Item key={c.code}>
                <Tag color={c.ok ? 'green' : 'red'}>{c.ok ? '✓' : '✗'}</Tag>{' '}
                {pick(c.message.zh, c.message.en)}
              </List.Item>
            )}
          />
        </Card>
      )}
    </>
  );
}

/** Report verification (报告验证): anyone checks a report by its number (or QR code), or by its file. */
export function VerifyPage() {
  const { t } = useI18n();
  const { number = '' } = useParams();
  return (
    <div className="xr-page xr-narrow">
      <PageHeader title={t('verify.title')} subtitle={t('verify.subtitle')} />
      <Tabs
        items={[
          { key: 'number', label: t('verify.byNumber'), children: <ByNumber number={number} /> },
          { key: 'file', label: t('verify.byFile'), children: <ByFile /> },
        ]}
      />
    </div>
  );
}
