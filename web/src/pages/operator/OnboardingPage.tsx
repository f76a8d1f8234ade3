import { KeyOutlined, PlusOutlined, UserAddOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useCatalog } from '../../api/catalog.ts';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { ConsentPurpose } from '../../api/types.ts';
import { purposeKey } from '../../components/ConsentParts.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { DictCascader } from '../../components/DictCascader.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatDate } from '../../format/format.ts';
import { normalizeCode, usccRule } from '../../format/validators.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

/** GET /api/v1/institutions | /api/v1/providers (src/accounts/accounts.routes.ts). */
interface Organisation {
  id: string;
  kind: string;
  institutionType: string | null;
  nameZh: string;
  nameEn: string;
  uscc: string | null;
  regionCode: string | null;
  status: string;
  createdAt: string;
  agreements: {
    id: number;
    scope: { kinds: string[]; categories: string[] };
    purposes: string[];
    purposeText: string;
    validFrom: string;
    validUntil: string;
    documentRef: string | null;
    inForce: boolean;
  }[];
}

interface UserRow {
  id: string;
  username: string;
  role: string;
  displayName: string;
  orgId: string | null;
  orgName: string | null;
}

type OrgKind = 'institution' | 'provider';

/** Roles an operator creates users for (enterprises register themselves; systems get keys). */
const userRoles = ['institution', 'provider', 'operator', 'recommender'] as const;
type UserRole = (typeof userRoles)[number];

/** Which organisations a user of each role may belong to (operators: the platform, optional). */
const roleOrgKinds: Record<UserRole, string[]> = {
  institution: ['institution'],
  provider: ['provider'],
  operator: ['platform'],
  recommender: ['district', 'department'],
};

const institutionTypes = ['bank', 'insurer', 'guarantor', 'credit_service'] as const;

interface OrgForm {
  id: string;
  nameZh: string;
  nameEn?: string;
  uscc?: string;
  regionCode?: string;
  institutionType?: string;
  categories?: string[];
  purposes?: ConsentPurpose[];
  purposeText: string;
  term: [Dayjs, Dayjs];
  documentRef?: string;
}

interface UserForm {
  username: string;
  displayName?: string;
  role: UserRole;
  orgId?: string;
}

/** A secret shown once (signing key, initial password, TOTP secret): copy it now or never. */
function showOnce(
  modal: ReturnType<typeof AntApp.useApp>['modal'],
  t: (k: MessageKey) => string,
  title: string,
  rows: [string, string][],
) {
  modal.success({
    title,
    width: 560,
    content: (
      <>
        <Alert type="warning" showIcon title={t('onboard.shownOnce')} style={{ margin: '8px 0 12px' }} />
        {rows.map(([label, value]) => (
          <div key={label} style={{ marginBottom: 8 }}>
            <Typography.Text type="secondary">{label}</Typography.Text>
            <Typography.Paragraph
              copyable
              className="xr-mono xr-break"
              style={{ margin: 0 }}
              data-testid="secret"
            >
              {value}
            </Typography.Paragraph>
          </div>
        ))}
      </>
    ),
  });
}

function OrgTab({ kind }: { kind: OrgKind }) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const { message, modal } = AntApp.useApp();
  const { catalog } = useCatalog();
  const path = kind === 'institution' ? '/api/v1/institutions' : '/api/v1/providers';
  const list = useApi((signal) => api.get<Organisation[]>(path, undefined, signal), [path]);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<OrgForm>();
  // Providers must be one of the catalog's responsible units (责任单位).
  const catalogProviders = useMemo(() => {
    const m = new Map<string, string>();
    for (const k of catalog?.kinds ?? []) for (const p of k.providers) m.set(p.id, p.name_zh);
    return [...m].map(([id, name]) => ({ id, name }));
  }, [catalog]);

  const create = useAction(
    async (v: OrgForm) => {
      await api.post(path, {
        id: v.id.trim(),
        nameZh: v.nameZh.trim(),
        nameEn: v.nameEn?.trim() || undefined,
        uscc: v.uscc ? normalizeCode(v.uscc) : null,
        regionCode: v.regionCode?.trim() || null,
        ...(kind === 'institution' ? { institutionType: v.institutionType } : {}),
        agreement: {
          scope: { categories: v.categories ?? [] },
          purposes: v.purposes ?? [],
          purposeText: v.purposeText.trim(),
          validFrom: v.term[0].format('YYYY-MM-DD'),
          validUntil: v.term[1].format('YYYY-MM-DD'),
          documentRef: v.documentRef?.trim() || null,
        },
      });
      message.success(t('onboard.created'));
      setOpen(false);
      form.resetFields();
      list.reload();
    },
    (e) => applyProblemToForm(form, e),
  );

  const issueKey = useAction(async (org: Organisation) => {
    const r = await api.post<{ key: { keyId: string }; secret: string }>(
      `${path}/${encodeURIComponent(org.id)}/keys`,
      {
        label: t('onboard.keyLabel'),
      },
    );
    showOnce(modal, t, t('onboard.keyIssued'), [
      [t('onboard.keyId'), r.key.keyId],
      [t('onboard.secret'), r.secret],
    ]);
  });

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setOpen(true)}
          data-testid={`onboard-new-${kind}`}
        >
          {kind === 'institution' ? t('onboard.newInstitution') : t('onboard.newProvider')}
        </Button>
      </Space>
      <ProblemAlert error={list.error ?? issueKey.error} onRetry={list.reload} style={{ marginBottom: 12 }} />
      <Table<Organisation>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
        onRow={() => ({ 'data-testid': `org-row-${kind}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'name', title: t('onboard.name'), render: (_, o) => pick(o.nameZh, o.nameEn) },
          { key: 'id', title: t('onboard.id'), render: (_, o) => <span className="xr-mono">{o.id}</span> },
          ...(kind === 'institution'
            ? [
                {
                  key: 'type',
                  title: t('onboard.institutionType'),
                  render: (_: unknown, o: Organisation) =>
                    o.institutionType ? t(`onboard.itype.${o.institutionType}` as MessageKey) : '—',
                },
              ]
            : []),
          {
            key: 'uscc',
            title: t('subject.uscc'),
            render: (_, o) => <Uscc value={o.uscc} copyable={false} />,
            responsive: ['lg'],
          },
          {
            key: 'agreement',
            title: t('onboard.agreement'),
            render: (_, o) => {
              const a = o.agreements.find((x) => x.inForce) ?? o.agreements[0];
              if (!a) return <Tag color="red">{t('onboard.noAgreement')}</Tag>;
              return (
                <Space size={4} wrap>
                  <Tag color={a.inForce ? 'green' : 'default'}>
                    {a.inForce ? t('onboard.inForce') : t('onboard.notInForce')}
                  </Tag>
                  <span>
                    {formatDate(a.validFrom)} ~ {formatDate(a.validUntil)}
                  </span>
                </Space>
              );
            },
          },
          {
            key: 'status',
            title: t('onboard.status'),
            render: (_, o) => <Tag>{o.status}</Tag>,
            responsive: ['md'],
          },
          {
            key: 'act',
            title: '',
            render: (_, o) => (
              <Button size="small" icon={<KeyOutlined />} onClick={() => void issueKey.run(o)}>
                {t('onboard.issueKey')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title={kind === 'institution' ? t('onboard.newInstitution') : t('onboard.newProvider')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={create.pending}
        destroyOnHidden
        width={680}
      >
        <Form<OrgForm>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ term: [dayjs(), dayjs().add(3, 'year')], purposes: ['loan_application'] }}
          onFinish={async (v) => {
            await create.run(v);
          }}
        >
          {kind === 'provider' ? (
            <Form.Item
              name="id"
              label={t('onboard.catalogProvider')}
              rules={[{ required: true, message: t('validate.required') }]}
            >
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={catalogProviders.map((p) => ({ value: p.id, label: `${p.name}（${p.id}）` }))}
                onChange={(id: string) => {
                  const p = catalogProviders.find((x) => x.id === id);
                  if (p && !form.getFieldValue('nameZh')) form.setFieldValue('nameZh', p.name);
                }}
              />
            </Form.Item>
          ) : (
            <Form.Item
              name="id"
              label={t('onboard.id')}
              extra={t('onboard.idHint')}
              rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,62}$/, message: t('onboard.idInvalid') }]}
            >
              <Input className="xr-mono" maxLength={63} data-testid="org-id" />
            </Form.Item>
          )}
          <Form.Item
            name="nameZh"
            label={t('onboard.nameZh')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input maxLength={200} data-testid="org-name" />
          </Form.Item>
          <Form.Item name="nameEn" label={t('onboard.nameEn')}>
            <Input maxLength={200} />
          </Form.Item>
          {kind === 'institution' && (
            <Form.Item
              name="institutionType"
              label={t('onboard.institutionType')}
              rules={[{ required: true, message: t('validate.required') }]}
            >
              <Select
                options={institutionTypes.map((x) => ({ value: x, label: t(`onboard.itype.${x}`) }))}
                data-testid="org-type"
              />
            </Form.Item>
          )}
          <Form.Item name="uscc" label={t('subject.uscc')} rules={[usccRule(i18n)]} validateTrigger="onBlur">
            <Input className="xr-mono" maxLength={24} />
          </Form.Item>
          <Typography.Title level={5}>{t('onboard.agreement')}</Typography.Title>
          <Form.Item
            name="categories"
            label={t('onboard.agreementScope')}
            extra={t('onboard.agreementScopeHint')}
          >
            <Select
              mode="multiple"
              allowClear
              options={[...(catalog?.categories ?? [])]
                .sort((a, b) => a.order - b.order)
                .map((c) => ({ value: c.code, label: pick(c.name_zh, c.name_en) }))}
            />
          </Form.Item>
          {kind === 'institution' && (
            <Form.Item name="purposes" label={t('onboard.agreementPurposes')}>
              <Select
                mode="multiple"
                options={(Object.keys(purposeKey) as ConsentPurpose[]).map((p) => ({
                  value: p,
                  label: t(purposeKey[p]),
                }))}
              />
            </Form.Item>
          )}
          <Form.Item
            name="purposeText"
            label={t('onboard.purposeText')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input.TextArea rows={2} maxLength={2000} data-testid="org-purpose" />
          </Form.Item>
          <Space wrap size={16}>
            <Form.Item
              name="term"
              label={t('onboard.term')}
              rules={[{ required: true, message: t('validate.required') }]}
            >
              <DatePicker.RangePicker />
            </Form.Item>
            <Form.Item name="documentRef" label={t('onboard.documentRef')}>
              <Input maxLength={500} style={{ width: 220 }} />
            </Form.Item>
          </Space>
          <ProblemAlert error={create.error} />
        </Form>
      </Modal>
    </>
  );
}

function UsersTab() {
  const { t } = useI18n();
  const { message, modal } = AntApp.useApp();
  const list = useApi((signal) => api.get<UserRow[]>('/api/v1/users', undefined, signal), []);
  const orgs = useApi((signal) => api.get<Organisation[]>('/api/v1/organisations', undefined, signal), []);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<UserForm>();
  const role = Form.useWatch('role', form);
  const create = useAction(
    async (v: UserForm) => {
      const r = await api.post<{
        user: UserRow;
        initialPassword: string | null;
        totp: { secret: string; uri: string } | null;
      }>('/api/v1/users', {
        username: v.username.trim(),
        role: v.role,
        orgId: v.orgId ?? null,
        displayName: v.displayName?.trim() || undefined,
      });
      message.success(t('onboard.userCreated'));
      setOpen(false);
      form.resetFields();
      list.reload();
      const rows: [string, string][] = [[t('auth.username'), r.user.username]];
      if (r.initialPassword) rows.push([t('onboard.initialPassword'), r.initialPassword]);
      if (r.totp) rows.push([t('onboard.totpSecret'), r.totp.secret], ['otpauth URI', r.totp.uri]);
      showOnce(modal, t, t('onboard.userCreated'), rows);
    },
    (e) => applyProblemToForm(form, e),
  );
  const orgOptions = (orgs.data ?? [])
    .filter((o) => roleOrgKinds[role ?? 'institution'].includes(o.kind))
    .map((o) => ({ value: o.id, label: `${o.nameZh}（${o.id}）` }));
  return (
    <>
      <Button
        type="primary"
        icon={<UserAddOutlined />}
        onClick={() => setOpen(true)}
        style={{ marginBottom: 12 }}
        data-testid="user-new"
      >
        {t('onboard.newUser')}
      </Button>
      <ProblemAlert error={list.error ?? orgs.error} onRetry={list.reload} style={{ marginBottom: 12 }} />
      <Table<UserRow>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
        onRow={() => ({ 'data-testid': 'user-row' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            key: 'u',
            title: t('auth.username'),
            render: (_, u) => <span className="xr-mono">{u.username}</span>,
          },
          { key: 'n', title: t('onboard.displayName'), dataIndex: 'displayName' },
          { key: 'r', title: t('onboard.role'), render: (_, u) => t(`role.${u.role}` as MessageKey) },
          { key: 'o', title: t('onboard.org'), render: (_, u) => u.orgName ?? u.orgId ?? '—' },
        ]}
      />
      <Modal
        open={open}
        title={t('onboard.newUser')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={create.pending}
        destroyOnHidden
      >
        <Alert type="info" showIcon title={t('onboard.userHint')} style={{ marginBottom: 12 }} />
        <Form<UserForm>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ role: 'institution' }}
          onFinish={async (v) => {
            await create.run(v);
          }}
        >
          <Form.Item name="role" label={t('onboard.role')} rules={[{ required: true }]}>
            <Select
              data-testid="user-role"
              options={userRoles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
              onChange={() => form.setFieldValue('orgId', undefined)}
            />
          </Form.Item>
          <Form.Item
            name="orgId"
            label={t('onboard.org')}
            rules={[{ required: role !== 'operator', message: t('validate.required') }]}
          >
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={orgOptions}
              data-testid="user-org"
            />
          </Form.Item>
          <Form.Item
            name="username"
            label={t('auth.username')}
            rules={[{ required: true, pattern: /^[A-Za-z0-9_.@-]{3,64}$/, message: t('validate.username') }]}
          >
            <Input autoComplete="off" data-testid="user-username" />
          </Form.Item>
          <Form.Item name="displayName" label={t('onboard.displayName')}>
            <Input maxLength={100} />
          </Form.Item>
          <ProblemAlert error={create.error} />
        </Form>
      </Modal>
    </>
  );
}

interface RecommenderOrgForm {
  id: string;
  kind: 'district' | 'department';
  nameZh: string;
  nameEn?: string;
  regionCode?: string;
}

/**
 * Recommending organisations (推荐单位): district governments, whose recommendations are limited to
 * enterprises registered in their region, and industry departments. Their users are added on the
 * users tab with the role 推荐单位.
 */
function RecommenderOrgsTab() {
  const { t, pick } = useI18n();
  const { message } = AntApp.useApp();
  const list = useApi((signal) => api.get<Organisation[]>('/api/v1/organisations', undefined, signal), []);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<RecommenderOrgForm>();
  const kind = Form.useWatch('kind', form);
  const create = useAction(
    async (v: RecommenderOrgForm) => {
      await api.post('/api/v1/organisations', {
        id: v.id.trim(),
        kind: v.kind,
        nameZh: v.nameZh.trim(),
        nameEn: v.nameEn?.trim() || undefined,
        regionCode: v.regionCode || null,
      });
      message.success(t('onboard.created'));
      setOpen(false);
      form.resetFields();
      list.reload();
    },
    (e) => applyProblemToForm(form, e),
  );
  const rows = (list.data ?? []).filter((o) => o.kind === 'district' || o.kind === 'department');
  return (
    <>
      <Button
        type="primary"
        icon={<PlusOutlined />}
        onClick={() => setOpen(true)}
        style={{ marginBottom: 12 }}
        data-testid="onboard-new-recommender"
      >
        {t('onboard.newRecommenderOrg')}
      </Button>
      <ProblemAlert error={list.error} onRetry={list.reload} style={{ marginBottom: 12 }} />
      <Table<Organisation>
        rowKey="id"
        loading={list.loading}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
        onRow={() => ({ 'data-testid': 'org-row-recommender' }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { key: 'name', title: t('onboard.name'), render: (_, o) => pick(o.nameZh, o.nameEn) },
          { key: 'id', title: t('onboard.id'), render: (_, o) => <span className="xr-mono">{o.id}</span> },
          {
            key: 'kind',
            title: t('onboard.orgKind'),
            render: (_, o) => t(o.kind === 'district' ? 'onboard.kind.district' : 'onboard.kind.department'),
          },
          {
            key: 'region',
            title: t('onboard.recommendArea'),
            render: (_, o) => o.regionCode ?? t('onboard.anyArea'),
          },
          {
            key: 'status',
            title: t('onboard.status'),
            render: (_, o) => <Tag>{o.status}</Tag>,
            responsive: ['md'],
          },
        ]}
      />
      <Modal
        open={open}
        title={t('onboard.newRecommenderOrg')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={create.pending}
        destroyOnHidden
      >
        <Form<RecommenderOrgForm>
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ kind: 'district' }}
          onFinish={async (v) => {
            await create.run(v);
          }}
        >
          <Form.Item name="kind" label={t('onboard.orgKind')} rules={[{ required: true }]}>
            <Select
              options={(['district', 'department'] as const).map((k) => ({
                value: k,
                label: t(k === 'district' ? 'onboard.kind.district' : 'onboard.kind.department'),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="id"
            label={t('onboard.id')}
            extra={t('onboard.idHint')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,62}$/, message: t('onboard.idInvalid') }]}
          >
            <Input className="xr-mono" maxLength={63} />
          </Form.Item>
          <Form.Item
            name="nameZh"
            label={t('onboard.nameZh')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="nameEn" label={t('onboard.nameEn')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="regionCode"
            label={t('onboard.recommendArea')}
            extra={t('onboard.recommendAreaHint')}
            rules={[{ required: kind === 'district', message: t('validate.required') }]}
          >
            <DictCascader endpoint="/api/v1/regions" leafLevel={3} placeholder={t('onboard.anyArea')} />
          </Form.Item>
          <ProblemAlert error={create.error} />
        </Form>
      </Modal>
    </>
  );
}

/** Onboarding (机构接入): institutions and providers with their data-sharing agreements, keys, users. */
export function OnboardingPage() {
  const { t } = useI18n();
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.op.onboarding')} subtitle={t('onboard.subtitle')} />
      <Card>
        <Tabs
          items={[
            { key: 'inst', label: t('onboard.institutions'), children: <OrgTab kind="institution" /> },
            { key: 'prov', label: t('onboard.providers'), children: <OrgTab kind="provider" /> },
            { key: 'rec', label: t('onboard.recommenders'), children: <RecommenderOrgsTab /> },
            { key: 'users', label: t('onboard.users'), children: <UsersTab /> },
          ]}
        />
      </Card>
    </div>
  );
}
