import { Card, Form, Select, Space } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import { DictCascader } from '../../components/DictCascader.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import {
  useWhitelistCategories,
  WhitelistTable,
  type WhitelistPage as Page,
} from '../../components/Whitelist.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/**
 * The financing whitelist as institutions see it (融资白名单): entries in force, with the recommending
 * district or department and its reason, by category and region; each subject opens the institution's
 * subject page.
 */
export function WhitelistPage() {
  const { t, pick } = useI18n();
  const categories = useWhitelistCategories();
  const [filters, setFilters] = useState<{ category?: string; region?: string }>({});
  const [page, setPage] = useState(1);
  const list = useApi(
    (signal) => api.get<Page>('/api/v1/whitelist', { ...filters, page, pageSize: 20 }, signal),
    [filters.category, filters.region, page],
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.inst.whitelist')} subtitle={t('wl.instSubtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form layout="inline" style={{ rowGap: 12 }}>
          <Space wrap>
            <Form.Item label={t('wl.category')}>
              <Select
                allowClear
                style={{ width: 180 }}
                placeholder={t('common.all')}
                value={filters.category}
                onChange={(v?: string) => {
                  setPage(1);
                  setFilters((f) => ({ ...f, category: v }));
                }}
                options={(categories.data ?? []).map((c) => ({ value: c.code, label: pick(c.zh, c.en) }))}
              />
            </Form.Item>
            <Form.Item label={t('subject.region')}>
              <DictCascader
                endpoint="/api/v1/regions"
                leafLevel={3}
                placeholder={t('instSearch.anyRegion')}
                value={filters.region}
                onChange={(v) => {
                  setPage(1);
                  setFilters((f) => ({ ...f, region: v }));
                }}
              />
            </Form.Item>
          </Space>
        </Form>
      </Card>
      <ProblemAlert
        error={list.error ?? categories.error}
        onRetry={list.reload}
        style={{ marginBottom: 16 }}
      />
      <Card>
        <WhitelistTable
          data={list.data?.items ?? []}
          loading={list.loading}
          subjectHref={(uscc) => `/institution/subjects/${uscc}`}
          pagination={{
            current: page,
            pageSize: 20,
            total: list.data?.total ?? 0,
            onChange: setPage,
            showSizeChanger: false,
            size: 'small',
            showTotal: (n) => t('lookup.count', { n }),
          }}
        />
      </Card>
    </div>
  );
}
