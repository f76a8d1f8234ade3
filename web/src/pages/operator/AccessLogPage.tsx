import { Button, Card, DatePicker, Form, Input, Select, Switch } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useInstitutions } from '../../api/directory.ts';
import { useApi } from '../../api/hooks.ts';
import type { AccessLogEntry } from '../../api/types.ts';
import { AccessLogTable } from '../../components/AccessLogTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { normalizeUscc } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface Filters {
  uscc?: string;
  orgId?: string;
  consentId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  nonPublicOnly?: boolean;
}

/** Access-log search for audits (查询日志). */
export function AccessLogPage() {
  const { t, pick } = useI18n();
  const institutions = useInstitutions();
  const [filters, setFilters] = useState<Filters>({});
  const query = {
    uscc: filters.uscc ? normalizeUscc(filters.uscc) : undefined,
    orgId: filters.orgId,
    consentId: filters.consentId?.trim() || undefined,
    from: filters.range?.[0]?.startOf('day').toISOString(),
    to: filters.range?.[1]?.endOf('day').toISOString(),
    nonPublicOnly: filters.nonPublicOnly ? 'true' : undefined,
    limit: 500,
  };
  const key = JSON.stringify(query);
  const log = useApi((signal) => api.get<AccessLogEntry[]>('/api/v1/access-log', query, signal), [key]);
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.op.accessLog')} subtitle={t('accessLog.opSubtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form<Filters> layout="inline" onFinish={setFilters} style={{ rowGap: 12 }}>
          <Form.Item name="uscc" label={t('subject.uscc')}>
            <Input className="xr-mono" allowClear style={{ width: 210 }} data-testid="log-uscc" />
          </Form.Item>
          <Form.Item name="orgId" label={t('consent.institution')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: 200 }}
              options={institutions.map((i) => ({ value: i.id, label: pick(i.nameZh, i.nameEn) }))}
            />
          </Form.Item>
          <Form.Item name="consentId" label={t('accessLog.consent')}>
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="range" label={t('accessLog.time')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item name="nonPublicOnly" label={t('accessLog.nonPublic')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" data-testid="log-search">
              {t('action.search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <Card>
        <ProblemAlert error={log.error} onRetry={log.reload} style={{ marginBottom: 12 }} />
        <AccessLogTable entries={log.data ?? []} loading={log.loading} showSubject />
      </Card>
    </div>
  );
}
