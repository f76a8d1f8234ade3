import { LikeOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { SubjectSearchResult, SubjectSummary } from '../../api/types.ts';
import { DictCascader } from '../../components/DictCascader.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SubjectResultsTable } from '../../components/SubjectResultsTable.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { useWhitelistCategories } from '../../components/Whitelist.tsx';
import { looksLikeUscc, normalizeUscc } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface Filters {
  q?: string;
  region?: string;
  industry?: string;
}

interface RecommendForm {
  category: string;
  reason: string;
}

/**
 * Screening (企业筛选推荐) for district governments and industry departments: find enterprises by
 * name, code, region or industry (public registration basics), open a subject's public credit
 * information, and recommend it to the financing whitelist with a category and a reason.
 */
export function ScreenPage() {
  const { t, pick } = useI18n();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const any = Object.values(filters).some(Boolean);
  const res = useApi(
    (signal) =>
      api.get<SubjectSearchResult>(
        '/api/v1/subjects',
        {
          q: filters.q && looksLikeUscc(filters.q) ? normalizeUscc(filters.q) : filters.q,
          region: filters.region,
          industry: filters.industry,
          page,
          pageSize: 20,
        },
        signal,
      ),
    [JSON.stringify(filters), page],
    any,
  );
  const categories = useWhitelistCategories();
  const [target, setTarget] = useState<SubjectSummary | undefined>(undefined);
  const [form] = Form.useForm<RecommendForm>();
  const recommend = useAction(
    async (v: RecommendForm) => {
      if (!target) return;
      await api.post('/api/v1/whitelist', {
        uscc: target.uscc,
        category: v.category,
        reason: v.reason.trim(),
      });
      message.success(t('wl.recommended'));
      setTarget(undefined);
      form.resetFields();
      navigate('/recommender/entries');
    },
    (e) => applyProblemToForm(form, e),
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.rec.screen')} subtitle={t('wl.screenSubtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form<Filters>
          layout="inline"
          style={{ rowGap: 12 }}
          onFinish={(v) => {
            setPage(1);
            setFilters({ q: v.q?.trim() || undefined, region: v.region, industry: v.industry });
          }}
        >
          <Form.Item name="q" label={t('instSearch.q')}>
            <Input
              allowClear
              placeholder={t('lookup.placeholder')}
              style={{ width: 260 }}
              data-testid="rec-q"
            />
          </Form.Item>
          <Form.Item name="region" label={t('subject.region')}>
            <DictCascader endpoint="/api/v1/regions" leafLevel={3} placeholder={t('instSearch.anyRegion')} />
          </Form.Item>
          <Form.Item name="industry" label={t('subject.industry')}>
            <DictCascader
              endpoint="/api/v1/industries"
              leafLevel={4}
              placeholder={t('instSearch.anyIndustry')}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" data-testid="rec-search">
              {t('action.search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <ProblemAlert error={res.error ?? categories.error} onRetry={res.reload} style={{ marginBottom: 16 }} />
      <Card>
        {!any ? (
          <Typography.Text type="secondary">{t('instSearch.hint')}</Typography.Text>
        ) : (
          <SubjectResultsTable
            result={res}
            page={page}
            onPage={setPage}
            subjectHref={(uscc) => `/subjects/${uscc}`}
            rowTestId="rec-result"
            columns={[
              'name',
              'uscc',
              'type',
              'region',
              'status',
              {
                key: 'act',
                title: '',
                render: (_, s) => (
                  <Button
                    size="small"
                    type="primary"
                    ghost
                    icon={<LikeOutlined />}
                    onClick={() => setTarget(s)}
                    data-testid="rec-recommend"
                  >
                    {t('wl.recommend')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        open={!!target}
        title={t('wl.recommendTitle', { name: target?.name ?? '' })}
        onCancel={() => setTarget(undefined)}
        onOk={() => form.submit()}
        okText={t('action.submit')}
        cancelText={t('action.cancel')}
        confirmLoading={recommend.pending}
        destroyOnHidden
      >
        {target && (
          <Typography.Paragraph>
            <Uscc value={target.uscc} copyable={false} />
          </Typography.Paragraph>
        )}
        <Form<RecommendForm>
          form={form}
          layout="vertical"
          preserve={false}
          onFinish={async (v) => {
            await recommend.run(v);
          }}
        >
          <Form.Item
            name="category"
            label={t('wl.category')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Select
              data-testid="rec-category"
              loading={categories.loading}
              options={(categories.data ?? []).map((c) => ({ value: c.code, label: pick(c.zh, c.en) }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('wl.reason')}
            extra={t('wl.reasonHint')}
            rules={[{ required: true, whitespace: true, message: t('validate.required') }]}
          >
            <Input.TextArea rows={4} maxLength={2000} showCount data-testid="rec-reason" />
          </Form.Item>
          <ProblemAlert error={recommend.error} />
        </Form>
      </Modal>
    </div>
  );
}
