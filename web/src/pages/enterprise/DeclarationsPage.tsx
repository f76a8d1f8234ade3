import { PlusOutlined } from '@ant-design/icons';
import {
  App as AntApp,
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { Commitment, CommitmentText, Declaration } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { CommitmentStatusTag, RecordCard } from '../../components/Commitments.tsx';
import { formatDate, formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

/**
 * The declaration types of src/rights/rights.config.json (the API lists none yet; an unknown type is
 * refused by the server with its own message).
 */
const declarationTypes = ['qualification', 'contract_fulfilment', 'social_contribution'] as const;

interface DeclForm {
  type: string;
  title: string;
  number?: string;
  issuer?: string;
  date?: Dayjs;
  description?: string;
}

/**
 * Public credit commitments (信用承诺) and voluntary declarations (自愿填报) made under them. Every
 * commitment is listed with its state (有效 / 疑似违诺，待核实 / 已违诺); a broken one shows why and the
 * negative record (违背信用承诺信息) the platform wrote for it.
 */
export function DeclarationsPage() {
  const { t, pick } = useI18n();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const uscc = me?.uscc ?? '';
  const text = useApi((signal) => api.get<CommitmentText>('/api/v1/commitments/text', undefined, signal), []);
  const commitments = useApi(
    (signal) => api.get<{ items: Commitment[] }>(`/api/v1/subjects/${uscc}/commitments`, undefined, signal),
    [uscc],
    uscc !== '',
  );
  const declarations = useApi(
    (signal) => api.get<{ items: Declaration[] }>(`/api/v1/subjects/${uscc}/declarations`, undefined, signal),
    [uscc],
    uscc !== '',
  );
  const active = (commitments.data?.items ?? []).find((c) => c.status === 'in_force');
  const [expandedSet, setExpanded] = useState<number[] | undefined>(undefined);
  const expanded =
    expandedSet ?? (commitments.data?.items ?? []).filter((c) => c.status !== 'in_force').map((c) => c.id);
  const [signer, setSigner] = useState('');
  const sign = useAction(async () => {
    if (!text.data) return;
    await api.post<Commitment>('/api/v1/commitments', {
      purpose: 'declaration',
      signerName: signer.trim(),
      textVersion: text.data.version,
    });
    message.success(t('decl.signed'));
    commitments.reload();
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<DeclForm>();
  const declare = useAction(
    async (v: DeclForm) => {
      if (!active) return;
      const data: Record<string, unknown> = { title: v.title.trim() };
      if (v.number?.trim()) data.number = v.number.trim();
      if (v.issuer?.trim()) data.issuer = v.issuer.trim();
      if (v.date) data.date = v.date.format('YYYY-MM-DD');
      if (v.description?.trim()) data.description = v.description.trim();
      await api.post<Declaration>('/api/v1/declarations', { type: v.type, data, commitmentId: active.id });
      message.success(t('decl.declared'));
      setOpen(false);
      form.resetFields();
      declarations.reload();
    },
    (e) => applyProblemToForm(form, e),
  );

  return (
    <div className="xr-page">
      <PageHeader title={t('decl.title')} subtitle={t('decl.subtitle')} />
      <Card title={t('rights.commitment')} style={{ marginBottom: 16 }}>
        <ProblemAlert error={text.error ?? commitments.error} />
        {text.data && (
          <Typography.Paragraph
            style={{ background: '#f5f7fb', padding: 12, borderRadius: 8 }}
            data-testid="commitment-text"
          >
            {pick(text.data.zh, text.data.en)}
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('rights.commitmentVersion', { v: text.data.version })}
            </Typography.Text>
          </Typography.Paragraph>
        )}
        {active ? (
          <Alert
            type="success"
            showIcon
            title={t('decl.signed')}
            description={`${active.signerName} · ${formatDateTime(active.signedAt)} · ${t('rights.commitmentVersion', { v: active.textVersion })}`}
            data-testid="commitment-active"
          />
        ) : (
          <Space wrap>
            <Input
              placeholder={t('rights.signerName')}
              value={signer}
              onChange={(e) => setSigner(e.target.value)}
              maxLength={100}
              style={{ width: 240 }}
              data-testid="decl-signer"
            />
            <Button
              type="primary"
              disabled={!signer.trim() || !text.data}
              loading={sign.pending}
              onClick={() => void sign.run()}
              data-testid="decl-sign"
            >
              {t('decl.sign')}
            </Button>
          </Space>
        )}
        <ProblemAlert error={sign.error} style={{ marginTop: 12 }} />
      </Card>
      <Card title={t('decl.commitments')} style={{ marginBottom: 16 }} data-testid="my-commitments">
        <Typography.Paragraph type="secondary">{t('decl.commitmentsHint')}</Typography.Paragraph>
        <Table<Commitment>
          rowKey="id"
          loading={commitments.loading}
          dataSource={commitments.data?.items ?? []}
          // No sideways scroll: the expanded negative record would widen the table beyond the card.
          pagination={false}
          locale={{ emptyText: t('decl.noCommitments') }}
          onRow={() => ({ 'data-testid': 'commitment-row' }) as React.HTMLAttributes<HTMLElement>}
          expandable={{
            rowExpandable: (c) => c.status !== 'in_force',
            // A broken commitment opens on its negative record: the enterprise should not have to look for it.
            expandedRowKeys: expanded,
            onExpandedRowsChange: (keys) => setExpanded(keys as number[]),
            expandedRowRender: (c) =>
              c.status === 'flagged' ? (
                <Alert type="warning" showIcon title={t('commitment.flaggedNotice')} />
              ) : (
                <>
                  {c.brokenReason && (
                    <Typography.Paragraph>
                      <Typography.Text strong>{t('commitment.brokenReason')}：</Typography.Text>
                      {c.brokenReason}
                    </Typography.Paragraph>
                  )}
                  {c.breachRecordId !== null && (
                    <>
                      <Typography.Text strong>{t('commitment.negativeRecord')}</Typography.Text>
                      <RecordCard
                        uscc={c.uscc}
                        kindCode="commitment_breach"
                        recordId={c.breachRecordId}
                        testId="commitment-negative-record"
                      />
                    </>
                  )}
                </>
              ),
          }}
          columns={[
            { key: 'no', title: t('commitment.no'), render: (_, c) => `CMT-${c.id}` },
            {
              key: 'purpose',
              title: t('commitment.purpose'),
              render: (_, c) => t(`commitment.purpose.${c.purpose}` as MessageKey),
            },
            {
              key: 'matter',
              title: t('commitment.matter'),
              render: (_, c) => c.matterRef ?? '—',
              responsive: ['md'],
            },
            {
              key: 'status',
              title: t('commitment.status'),
              render: (_, c) => <CommitmentStatusTag status={c.status} />,
            },
            { key: 'signer', title: t('commitment.signer'), dataIndex: 'signerName', responsive: ['md'] },
            { key: 'at', title: t('commitment.signedAt'), render: (_, c) => formatDateTime(c.signedAt) },
          ]}
        />
      </Card>
      <Card
        title={t('decl.mine')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            disabled={!active}
            onClick={() => setOpen(true)}
            data-testid="decl-new"
          >
            {t('decl.declare')}
          </Button>
        }
      >
        {!active && (
          <Alert type="info" showIcon title={t('decl.needCommitment')} style={{ marginBottom: 12 }} />
        )}
        <ProblemAlert error={declarations.error} onRetry={declarations.reload} />
        <Table<Declaration>
          rowKey="id"
          loading={declarations.loading}
          dataSource={declarations.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={false}
          onRow={() => ({ 'data-testid': 'declaration-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'type', title: t('decl.type'), render: (_, d) => pick(d.typeLabel.zh, d.typeLabel.en) },
            { key: 'title', title: t('decl.itemTitle'), render: (_, d) => String(d.data.title ?? '—') },
            {
              key: 'date',
              title: t('decl.date'),
              render: (_, d) => formatDate(d.data.date as string | undefined),
            },
            {
              key: 'mark',
              title: '',
              render: (_, d) => (
                <Space size={4} wrap>
                  <Tag color="purple">{pick(d.mark.zh, d.mark.en)}</Tag>
                  {d.status === 'contradicted' && (
                    <Tag color="red" data-testid="declaration-contradicted">
                      {t('decl.status.contradicted')}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              key: 'at',
              title: t('batch.createdAt'),
              render: (_, d) => formatDateTime(d.declaredAt),
              responsive: ['md'],
            },
          ]}
        />
      </Card>
      <Modal
        open={open}
        title={t('decl.declare')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={declare.pending}
        destroyOnHidden
      >
        <Form<DeclForm> form={form} layout="vertical" preserve={false} onFinish={(v) => void declare.run(v)}>
          <Form.Item
            name="type"
            label={t('decl.type')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Select
              options={declarationTypes.map((x) => ({ value: x, label: t(`decl.type.${x}` as MessageKey) }))}
              data-testid="decl-type"
            />
          </Form.Item>
          <Form.Item
            name="title"
            label={t('decl.itemTitle')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input maxLength={200} data-testid="decl-title" />
          </Form.Item>
          <Form.Item name="number" label={t('decl.number')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="issuer" label={t('decl.issuer')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="date" label={t('decl.date')}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="description" label={t('decl.description')}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
          <ProblemAlert error={declare.error} />
        </Form>
      </Modal>
    </div>
  );
}
