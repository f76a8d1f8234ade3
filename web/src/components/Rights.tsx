import { UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntApp,
  Button,
  Checkbox,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Switch,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import type { UploadFile } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useAction, useApi } from '../api/hooks.ts';
import type {
  AttachmentInput,
  CaseEvent,
  CatalogKind,
  Commitment,
  CommitmentText,
  Objection,
  Repair,
} from '../api/types.ts';
import { formatDate, formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { applyProblemToForm, ProblemAlert } from './ProblemAlert.tsx';
import type { CreditRecord } from './RecordsView.tsx';

/** The rights service takes at most five attachments of 5 MB each (base64 in the JSON body). */
const maxFiles = 5;
const maxBytes = 5 * 1024 * 1024;

export function toAttachment(file: File): Promise<AttachmentInput> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({
        fileName: file.name,
        contentType: file.type || 'application/octet-stream',
        content: url.slice(url.indexOf(',') + 1),
      });
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

function AttachmentsInput({ files, onChange }: { files: File[]; onChange: (f: File[]) => void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const list: UploadFile[] = files.map((f, i) => ({ uid: String(i), name: f.name, status: 'done' }));
  return (
    <Upload
      multiple
      fileList={list}
      beforeUpload={(f) => {
        if (f.size > maxBytes) message.warning(t('rights.fileTooLarge', { name: f.name }));
        else if (files.length >= maxFiles) message.warning(t('rights.tooManyFiles', { n: maxFiles }));
        else onChange([...files, f]);
        return false;
      }}
      onRemove={(u) => onChange(files.filter((_, i) => String(i) !== u.uid))}
    >
      <Button icon={<UploadOutlined />}>{t('rights.attach')}</Button>
    </Upload>
  );
}

const objectionColor: Record<string, string> = {
  filed: 'processing',
  accepted: 'processing',
  forwarded: 'processing',
  answered: 'gold',
  rejected: 'default',
  decided: 'success',
};
const repairColor: Record<string, string> = {
  refused: 'default',
  under_review: 'processing',
  repaired: 'success',
  rejected: 'error',
};

export function CaseStatusTag({ c, kind }: { c: Objection | Repair; kind: 'objection' | 'repair' }) {
  const { t, pick } = useI18n();
  const color = (kind === 'objection' ? objectionColor : repairColor)[c.status] ?? 'default';
  return (
    <Space size={4} wrap>
      <Tag color={color} data-testid="case-status">
        {pick(c.statusLabel.zh, c.statusLabel.en)}
      </Tag>
      {c.overdue && <Tag color="red">{t('rights.overdue')}</Tag>}
      {'greenChannel' in c && c.greenChannel && <Tag color="green">{t('rights.greenChannel')}</Tag>}
    </Space>
  );
}

const eventKey: Record<string, MessageKey> = {
  filed: 'rights.event.filed',
  accepted: 'rights.event.accepted',
  rejected: 'rights.event.rejected',
  forwarded: 'rights.event.forwarded',
  answered: 'rights.event.answered',
  decided: 'rights.event.decided',
  escalated: 'rights.event.escalated',
  notified: 'rights.event.notified',
  applied: 'rights.event.applied',
  refused: 'rights.event.refused',
  reviewed: 'rights.event.reviewed',
  repaired: 'rights.event.repaired',
  deadline_changed: 'rights.event.deadline_changed',
};

/** The whole history of a case, oldest first (every step is also a ledger entry). */
export function CaseHistory({ history }: { history: CaseEvent[] }) {
  const { t } = useI18n();
  return (
    <Timeline
      style={{ marginTop: 8 }}
      items={history.map((h) => ({
        content: (
          <>
            <Typography.Text strong>{eventKey[h.event] ? t(eventKey[h.event]!) : h.event}</Typography.Text>{' '}
            <Typography.Text type="secondary">{formatDateTime(h.at)}</Typography.Text>
            {h.note && <div>{h.note}</div>}
          </>
        ),
      }))}
    />
  );
}

/** Files an objection against one record (or one of its fields). */
export function ObjectionModal({
  record,
  kind,
  onClose,
  onDone,
}: {
  record: CreditRecord;
  kind: CatalogKind | undefined;
  onClose: () => void;
  onDone: (o: Objection) => void;
}) {
  const { t, pick } = useI18n();
  const [form] = Form.useForm<{ fieldCode?: string; reasons: string }>();
  const [files, setFiles] = useState<File[]>([]);
  const submit = useAction(
    async (v: { fieldCode?: string; reasons: string }) => {
      const attachments = await Promise.all(files.map(toAttachment));
      const o = await api.post<Objection>('/api/v1/objections', {
        recordId: Number(record.id),
        ...(v.fieldCode ? { fieldCode: v.fieldCode } : {}),
        reasons: v.reasons.trim(),
        ...(attachments.length ? { attachments } : {}),
      });
      onDone(o);
    },
    (e) => applyProblemToForm(form, e),
  );
  return (
    <Modal
      open
      title={t('rights.objectTitle', { kind: kind ? pick(kind.name_zh, kind.name_en) : record.kind })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('rights.fileObjection')}
      cancelText={t('action.cancel')}
      confirmLoading={submit.pending}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={t('rights.objectionNotice')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" onFinish={(v) => void submit.run(v)}>
        <Form.Item name="fieldCode" label={t('rights.field')} extra={t('rights.fieldHint')}>
          <Select
            allowClear
            options={(kind?.fields ?? [])
              .filter((f) => f.code in record.data)
              .map((f) => ({ value: f.code, label: pick(f.label_zh, f.label_en) }))}
          />
        </Form.Item>
        <Form.Item
          name="reasons"
          label={t('rights.reasons')}
          rules={[{ required: true, message: t('validate.required') }]}
        >
          <Input.TextArea rows={4} maxLength={5000} showCount data-testid="objection-reasons" />
        </Form.Item>
        <Form.Item label={t('rights.attachments')} extra={t('rights.attachmentsHint', { n: maxFiles })}>
          <AttachmentsInput files={files} onChange={setFiles} />
        </Form.Item>
        <ProblemAlert error={submit.error} />
      </Form>
    </Modal>
  );
}

interface RepairForm {
  penaltyFulfilled: boolean;
  fulfilmentNote?: string;
  greenChannel: boolean;
  signerName: string;
  agree: boolean;
}

/**
 * Applies for credit repair of one negative record: the penalty fulfilled, evidence, and a public
 * credit commitment signed here (its text comes from the platform's configuration). The platform
 * checks eligibility at once and explains any refusal.
 */
export function RepairModal({
  record,
  kind,
  onClose,
  onDone,
}: {
  record: CreditRecord;
  kind: CatalogKind | undefined;
  onClose: () => void;
  onDone: (r: Repair) => void;
}) {
  const { t, pick } = useI18n();
  const [form] = Form.useForm<RepairForm>();
  const [files, setFiles] = useState<File[]>([]);
  const text = useApi((signal) => api.get<CommitmentText>('/api/v1/commitments/text', undefined, signal), []);
  const submit = useAction(
    async (v: RepairForm) => {
      if (!text.data) return;
      const commitment = await api.post<Commitment>('/api/v1/commitments', {
        purpose: 'repair',
        signerName: v.signerName.trim(),
        textVersion: text.data.version,
      });
      const evidence = await Promise.all(files.map(toAttachment));
      const r = await api.post<Repair>('/api/v1/repairs', {
        recordId: Number(record.id),
        penaltyFulfilled: v.penaltyFulfilled,
        ...(v.fulfilmentNote?.trim() ? { fulfilmentNote: v.fulfilmentNote.trim() } : {}),
        ...(evidence.length ? { evidence } : {}),
        commitmentId: commitment.id,
        greenChannel: v.greenChannel,
      });
      onDone(r);
    },
    (e) => applyProblemToForm(form, e),
  );
  return (
    <Modal
      open
      title={t('rights.repairTitle', { kind: kind ? pick(kind.name_zh, kind.name_en) : record.kind })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('rights.applyRepair')}
      cancelText={t('action.cancel')}
      confirmLoading={submit.pending}
      destroyOnHidden
      width={620}
    >
      <Form<RepairForm>
        form={form}
        layout="vertical"
        initialValues={{ penaltyFulfilled: true, greenChannel: false, agree: false }}
        onFinish={(v) => void submit.run(v)}
      >
        <Form.Item name="penaltyFulfilled" label={t('rights.penaltyFulfilled')} valuePropName="checked">
          <Switch data-testid="repair-fulfilled" />
        </Form.Item>
        <Form.Item name="fulfilmentNote" label={t('rights.fulfilmentNote')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t('rights.evidence')} extra={t('rights.attachmentsHint', { n: maxFiles })}>
          <AttachmentsInput files={files} onChange={setFiles} />
        </Form.Item>
        <Form.Item
          name="greenChannel"
          label={t('rights.greenChannel')}
          valuePropName="checked"
          extra={t('rights.greenChannelHint')}
        >
          <Switch />
        </Form.Item>
        <Typography.Title level={5}>{t('rights.commitment')}</Typography.Title>
        <ProblemAlert error={text.error} />
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
        <Form.Item
          name="signerName"
          label={t('rights.signerName')}
          rules={[{ required: true, message: t('validate.required') }]}
        >
          <Input maxLength={100} data-testid="repair-signer" />
        </Form.Item>
        <Form.Item
          name="agree"
          valuePropName="checked"
          rules={[
            {
              validator: async (_r, v) => {
                if (!v) throw new Error(t('rights.mustCommit'));
              },
            },
          ]}
        >
          <Checkbox data-testid="repair-agree">{t('rights.iCommit')}</Checkbox>
        </Form.Item>
        <ProblemAlert error={submit.error} />
      </Form>
    </Modal>
  );
}

/** What an enterprise is told about a repair application the moment it applies. */
export function RepairOutcome({ r }: { r: Repair }) {
  const { t, pick } = useI18n();
  if (r.status === 'refused') {
    return (
      <Alert
        type="warning"
        showIcon
        title={t('rights.refused')}
        description={
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {r.refusals.map((x) => (
              <li key={x.code}>{pick(x.zh, x.en)}</li>
            ))}
          </ul>
        }
        data-testid="repair-refused"
      />
    );
  }
  return (
    <Alert
      type="success"
      showIcon
      title={pick(r.statusLabel.zh, r.statusLabel.en)}
      description={
        r.dueOn ? (
          <>
            {t('rights.dueOn', { date: formatDate(r.dueOn) })}
            {r.dueOnProvisional && r.calendarWarning && (
              <div data-testid="due-provisional">{pick(r.calendarWarning.zh, r.calendarWarning.en)}</div>
            )}
          </>
        ) : undefined
      }
    />
  );
}
