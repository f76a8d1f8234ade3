import { Button, Card, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { SubjectSearchResult } from '../../api/types.ts';
import { DictCascader } from '../../components/DictCascader.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SubjectResultsTable } from '../../components/SubjectResultsTable.tsx';
import { looksLikeUscc, normalizeUscc } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

const subjectTypes = [
  'enterprise',
  'individual_business',
  'farmer_cooperative',
  'rural_collective',
  'other',
] as const;

interface Filters {
  q?: string;
  region?: string;
  industry?: string;
  type?: string;
  grade?: string;
}

/** Grade bands of the evaluation model in force (public: GET /api/v1/evaluation/model). */
interface ModelGrades {
  document: { grades?: { grade: string; label_zh: string; label_en: string }[] };
}

/** Subject search for institutions (企业查询): name fragment or code, region, industry, type. */
export function SearchPage() {
  const { t, pick } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<Filters>();
  const filters: Filters = {
    q: params.get('q') ?? undefined,
    region: params.get('region') ?? undefined,
    industry: params.get('industry') ?? undefined,
    type: params.get('type') ?? undefined,
    grade: params.get('grade') ?? undefined,
  };
  const model = useApi((signal) => api.get<ModelGrades>('/api/v1/evaluation/model', undefined, signal), []);
  const grades = model.data?.document.grades ?? [];
  const [page, setPage] = useState(1);
  const any = Object.values(filters).some(Boolean);
  const key = params.toString();
  const res = useApi(
    (signal) =>
      api.get<SubjectSearchResult>(
        '/api/v1/subjects',
        {
          q: filters.q && looksLikeUscc(filters.q) ? normalizeUscc(filters.q) : filters.q,
          region: filters.region,
          industry: filters.industry,
          type: filters.type,
          grade: filters.grade,
          page,
          pageSize: 20,
        },
        signal,
      ),
    [key, page],
    any,
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.inst.search')} subtitle={t('instSearch.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form<Filters>
          form={form}
          layout="inline"
          initialValues={filters}
          style={{ rowGap: 12 }}
          onFinish={(v) => {
            setPage(1);
            const next = new URLSearchParams();
            for (const [k, val] of Object.entries(v)) {
              if (typeof val === 'string' && val.trim()) next.set(k, val.trim());
            }
            setParams(next);
          }}
        >
          <Form.Item name="q" label={t('instSearch.q')}>
            <Input
              allowClear
              placeholder={t('lookup.placeholder')}
              style={{ width: 260 }}
              data-testid="inst-q"
            />
          </Form.Item>
          <Form.Item name="region" label={t('subject.region')}>
            <DictCascader
              endpoint="/api/v1/regions"
              leafLevel={3}
              placeholder={t('instSearch.anyRegion')}
              testId="inst-region"
            />
          </Form.Item>
          <Form.Item name="industry" label={t('subject.industry')}>
            <DictCascader
              endpoint="/api/v1/industries"
              leafLevel={4}
              placeholder={t('instSearch.anyIndustry')}
            />
          </Form.Item>
          <Form.Item name="type" label={t('instSearch.type')}>
            <Select
              allowClear
              style={{ width: 160 }}
              placeholder={t('common.all')}
              options={subjectTypes.map((s) => ({ value: s, label: t(`subjectType.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="grade" label={t('eval.grade')}>
            <Select
              allowClear
              style={{ width: 160 }}
              placeholder={t('common.all')}
              loading={model.loading}
              data-testid="inst-grade"
              options={grades.map((g) => ({
                value: g.grade,
                label: `${g.grade} · ${pick(g.label_zh, g.label_en)}`,
              }))}
            />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" data-testid="inst-search">
                {t('action.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setParams(new URLSearchParams());
                }}
              >
                {t('instSearch.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <ProblemAlert error={res.error ?? model.error} onRetry={res.reload} style={{ marginBottom: 16 }} />
      <Card>
        {!any ? (
          <Typography.Text type="secondary">{t('instSearch.hint')}</Typography.Text>
        ) : (
          <SubjectResultsTable
            result={res}
            page={page}
            onPage={setPage}
            subjectHref={(uscc) => `/institution/subjects/${uscc}`}
            onRowClick={(s) => navigate(`/institution/subjects/${s.uscc}`)}
            rowTestId="inst-result"
            responsive={{ status: ['xl'] }}
            columns={[
              'name',
              'uscc',
              {
                key: 'grade',
                title: t('eval.grade'),
                render: (_, s) =>
                  s.grade ? (
                    <Tag color="blue" data-testid="result-grade">
                      {s.grade}
                    </Tag>
                  ) : (
                    <Typography.Text type="secondary">{t('instSearch.notGraded')}</Typography.Text>
                  ),
              },
              'type',
              'region',
              'industry',
              'established',
              'status',
            ]}
          />
        )}
      </Card>
    </div>
  );
}
