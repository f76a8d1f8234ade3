import { App as AntApp, Button, Card, Form, Input, Modal, Radio } from 'antd';
import { useState } from 'react';
import { kindMap, useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { Objection } from '../../api/types.ts';
import { ObjectionsTable } from '../../components/CaseTables.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

interface AnswerForm {
  answer: 'confirm' | 'correct' | 'withdraw';
  note: string;
  changes?: Record<string, string>;
}

/**
 * Objections forwarded to the provider (异议核实): confirm the record, correct it (a new version is
 * stored, nothing deleted) or withdraw it, with a note the enterprise will read.
 */
export function ObjectionsPage() {
  const { t, pick } = useI18n();
  const { message } = AntApp.useApp();
  const kinds = kindMap(useCatalog().catalog);
  const list = useApi(
    (signal) => api.get<{ items: Objection[] }>('/api/v1/objections', { limit: 500 }, signal),
    [],
  );
  const [answering, setAnswering] = useState<Objection | undefined>(undefined);
  const [form] = Form.useForm<AnswerForm>();
  const answer = Form.useWatch('answer', form);
  const kind = answering ? kinds.get(answering.kindCode) : undefined;
  const submit = useAction(
    async (v: AnswerForm) => {
      if (!answering) return;
      const changes = Object.fromEntries(
        Object.entries(v.changes ?? {}).filter(([, x]) => typeof x === 'string' && x.trim() !== ''),
      );
      await api.post(`/api/v1/objections/${answering.id}/answer`, {
        answer: v.answer,
        note: v.note.trim(),
        ...(v.answer === 'correct' ? { changes } : {}),
      });
      message.success(t('rights.answered'));
      setAnswering(undefined);
      form.resetFields();
      list.reload();
    },
    (e) => applyProblemToForm(form, e),
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.prov.objections')} subtitle={t('rights.provSubtitle')} />
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card>
        <ObjectionsTable
          items={list.data?.items ?? []}
          loading={list.loading}
          showSubject
          actions={(o) =>
            o.status === 'forwarded' ? (
              <Button
                size="small"
                type="primary"
                onClick={() => setAnswering(o)}
                data-testid="objection-answer"
              >
                {t('rights.answer')}
              </Button>
            ) : null
          }
        />
      </Card>
      <Modal
        open={!!answering}
        title={answering ? `${t('rights.answer')} · #${answering.id}` : ''}
        onCancel={() => setAnswering(undefined)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={submit.pending}
        destroyOnHidden
        width={620}
      >
        <Form<AnswerForm>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ answer: 'confirm' }}
          onFinish={(v) => void submit.run(v)}
        >
          <Form.Item name="answer" label={t('rights.answer')} rules={[{ required: true }]}>
            <Radio.Group
              options={(['confirm', 'correct', 'withdraw'] as const).map((a) => ({
                value: a,
                label: t(`rights.answer.${a}`),
              }))}
            />
          </Form.Item>
          {answer === 'correct' &&
            (kind?.fields ?? [])
              .filter((f) => !answering?.fieldCode || f.code === answering.fieldCode)
              .map((f) => (
                <Form.Item
                  key={f.code}
                  name={['changes', f.code]}
                  label={`${t('rights.changes')} · ${pick(f.label_zh, f.label_en)}`}
                >
                  <Input />
                </Form.Item>
              ))}
          <Form.Item
            name="note"
            label={t('rights.note')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input.TextArea rows={3} maxLength={2000} data-testid="answer-note" />
          </Form.Item>
          <ProblemAlert error={submit.error} />
        </Form>
      </Modal>
    </div>
  );
}
