import { PlusOutlined } from '@ant-design/icons';
import {
  App as AntApp,
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { useInstitutions } from '../../api/directory.ts';
import type { Consent, ConsentMode, ConsentPurpose } from '../../api/types.ts';
import { ConsentStateTag, modeKey, purposeKey, useScopeText } from '../../components/ConsentParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDate } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface GrantForm {
  institutionId: string;
  purpose: ConsentPurpose;
  mode: ConsentMode;
  categories: string[];
  kinds: string[];
  validUntil: Dayjs;
  maxUses?: number | null;
  dataRange?: [Dayjs | null, Dayjs | null] | null;
}

/** Consents (授权管理): grant an institution access, see every consent, revoke at once. */
export function ConsentsPage() {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const { message } = AntApp.useApp();
  const { catalog } = useCatalog();
  const institutions = useInstitutions();
  const scopeText = useScopeText();
  const list = useApi((signal) => api.get<Consent[]>('/api/v1/consents', undefined, signal), []);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<GrantForm>();
  const instName = (id: string) => {
    const x = institutions.find((i) => i.id === id);
    return x ? pick(x.nameZh, x.nameEn) : id;
  };

  const grant = useAction(
    async (v: GrantForm) => {
      await api.post<Consent>('/api/v1/consents', {
        institutionId: v.institutionId,
        purpose: v.purpose,
        mode: v.mode,
        scope: { categories: v.categories ?? [], kinds: v.kinds ?? [] },
        validUntil: v.validUntil.format('YYYY-MM-DD'),
        maxUses: v.maxUses ?? null,
        dataFrom: v.dataRange?.[0]?.format('YYYY-MM-DD') ?? null,
        dataTo: v.dataRange?.[1]?.format('YYYY-MM-DD') ?? null,
      });
      message.success(t('consent.granted'));
      setOpen(false);
      form.resetFields();
      list.reload();
    },
    (e) => applyProblemToForm(form, e),
  );
  const revoke = useAction(async (id: string) => {
    await api.post(`/api/v1/consents/${encodeURIComponent(id)}/revoke`, {});
    message.success(t('consent.revoked'));
    list.reload();
  });

  return (
    <div className="xr-page">
      <PageHeader
        title={t('nav.ent.consents')}
        subtitle={t('consent.entSubtitle')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setOpen(true)}
            data-testid="consent-new"
          >
            {t('consent.new')}
          </Button>
        }
      />
      <ProblemAlert error={list.error ?? revoke.error} onRetry={list.reload} style={{ marginBottom: 16 }} />
      <Card>
        <Table<Consent>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
          onRow={() => ({ 'data-testid': 'consent-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'inst', title: t('consent.institution'), render: (_, c) => instName(c.institutionId) },
            { key: 'purpose', title: t('consent.purpose'), render: (_, c) => t(purposeKey[c.purpose]) },
            {
              key: 'mode',
              title: t('consent.mode'),
              render: (_, c) => t(modeKey[c.mode]),
              responsive: ['md'],
            },
            {
              key: 'scope',
              title: t('consent.scope'),
              render: (_, c) => (
                <Typography.Text style={{ maxWidth: 200 }} ellipsis={{ tooltip: true }}>
                  {scopeText(c.scope, catalog)}
                </Typography.Text>
              ),
              responsive: ['lg'],
            },
            {
              key: 'valid',
              title: t('consent.validity'),
              render: (_, c) => `${formatDate(c.validFrom)} ~ ${formatDate(c.validUntil)}`,
              responsive: ['sm'],
            },
            {
              key: 'uses',
              title: t('consent.uses'),
              render: (_, c) => (c.maxUses ? `${c.useCount} / ${c.maxUses}` : String(c.useCount)),
              responsive: ['md'],
            },
            {
              key: 'state',
              title: t('consent.state'),
              render: (_, c) => <ConsentStateTag state={c.state} />,
            },
            {
              key: 'act',
              title: '',
              render: (_, c) =>
                c.state === 'ACTIVE' ? (
                  <Popconfirm
                    title={t('consent.revokeConfirm')}
                    description={t('consent.revokeHint')}
                    okText={t('consent.revoke')}
                    cancelText={t('action.cancel')}
                    okButtonProps={{ danger: true }}
                    onConfirm={() => revoke.run(c.id)}
                  >
                    <Button size="small" danger data-testid="consent-revoke">
                      {t('consent.revoke')}
                    </Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
      </Card>

      <Modal
        open={open}
        title={t('consent.new')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('consent.grant')}
        cancelText={t('action.cancel')}
        confirmLoading={grant.pending}
        destroyOnHidden
        width={640}
      >
        <Alert type="info" showIcon title={t('consent.grantNotice')} style={{ marginBottom: 16 }} />
        <Form<GrantForm>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{
            purpose: 'loan_application',
            mode: 'full_report',
            categories: [],
            kinds: [],
            validUntil: dayjs().add(90, 'day'),
          }}
          onFinish={async (v) => {
            await grant.run(v);
          }}
        >
          <Form.Item
            name="institutionId"
            label={t('consent.institution')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('consent.chooseInstitution')}
              options={institutions.map((i) => ({ value: i.id, label: pick(i.nameZh, i.nameEn) }))}
              data-testid="consent-institution"
            />
          </Form.Item>
          <Form.Item name="purpose" label={t('consent.purpose')} rules={[{ required: true }]}>
            <Radio.Group
              options={(Object.keys(purposeKey) as ConsentPurpose[]).map((p) => ({
                value: p,
                label: t(purposeKey[p]),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="mode"
            label={t('consent.mode')}
            rules={[{ required: true }]}
            extra={t('consent.modeHint')}
          >
            <Radio.Group
              options={(Object.keys(modeKey) as ConsentMode[]).map((m) => ({
                value: m,
                label: t(modeKey[m]),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="categories"
            label={t('consent.scopeCategories')}
            dependencies={['kinds']}
            rules={[
              ({ getFieldValue }) => ({
                validator: async (_r, v: string[] | undefined) => {
                  if (
                    (v?.length ?? 0) + ((getFieldValue('kinds') as string[] | undefined)?.length ?? 0) ===
                    0
                  ) {
                    throw new Error(t('consent.scopeRequired'));
                  }
                },
              }),
            ]}
          >
            <Select
              mode="multiple"
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('consent.scopePlaceholder')}
              options={[...(catalog?.categories ?? [])]
                .sort((a, b) => a.order - b.order)
                .map((c) => ({ value: c.code, label: pick(c.name_zh, c.name_en) }))}
              data-testid="consent-categories"
            />
          </Form.Item>
          <Form.Item name="kinds" label={t('consent.scopeKinds')}>
            <Select
              mode="multiple"
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={(catalog?.kinds ?? []).map((k) => ({
                value: k.code,
                label: pick(k.name_zh, k.name_en),
              }))}
            />
          </Form.Item>
          <Space wrap size={16} style={{ width: '100%' }}>
            <Form.Item
              name="validUntil"
              label={t('consent.validUntil')}
              rules={[{ required: true, message: t('validate.required') }]}
            >
              <DatePicker
                // the consent service accepts up to 1,098 days (three years) ahead
                disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(1098, 'day'), 'day')}
              />
            </Form.Item>
            <Form.Item name="maxUses" label={t('consent.maxUses')} extra={t('consent.maxUsesHint')}>
              <InputNumber min={1} max={100000} precision={0} style={{ width: 140 }} />
            </Form.Item>
          </Space>
          <Form.Item name="dataRange" label={t('consent.dataRange')} extra={t('consent.dataRangeHint')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <ProblemAlert error={grant.error} />
        </Form>
      </Modal>
    </div>
  );
}
