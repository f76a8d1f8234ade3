import { Card, DatePicker, Space, Switch, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { AccessLogEntry } from '../../api/types.ts';
import { AccessLogTable } from '../../components/AccessLogTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** Who looked at my information, when, why and under which consent (查询记录). */
export function AccessLogPage() {
  const { t } = useI18n();
  const [nonPublicOnly, setNonPublicOnly] = useState(false);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const from = range?.[0]?.startOf('day').toISOString();
  const to = range?.[1]?.endOf('day').toISOString();
  const log = useApi(
    (signal) =>
      api.get<AccessLogEntry[]>(
        '/api/v1/me/access-log',
        { nonPublicOnly: nonPublicOnly ? 'true' : undefined, from, to, limit: 500 },
        signal,
      ),
    [nonPublicOnly, from, to],
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.ent.accessLog')} subtitle={t('accessLog.entSubtitle')} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <DatePicker.RangePicker allowEmpty={[true, true]} onChange={(v) => setRange(v)} />
          <Space>
            <Switch checked={nonPublicOnly} onChange={setNonPublicOnly} />
            <Typography.Text>{t('accessLog.nonPublicOnly')}</Typography.Text>
          </Space>
        </Space>
        <ProblemAlert error={log.error} onRetry={log.reload} style={{ marginBottom: 12 }} />
        <AccessLogTable entries={log.data ?? []} loading={log.loading} showSubject={false} />
      </Card>
    </div>
  );
}
