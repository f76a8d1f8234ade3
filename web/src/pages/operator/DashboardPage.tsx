import { Card, Col, Empty, Row, Segmented, Skeleton, Statistic, Table, Tag, Tooltip } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { PublicStats } from '../../api/types.ts';
import { EChart, type ChartOption } from '../../components/EChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatCount, formatDateTime, formatPercent } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

interface Series {
  code: string;
  nameZh: string;
  nameEn: string;
  accepted: number[];
}

interface Trend {
  months: string[];
  byCategory: Series[];
  byProvider: Series[];
  totals: { batches: number; received: number; accepted: number; rejected: number };
}

type Timeliness = 'on_time' | 'late' | 'stale' | 'never';

interface ProviderHealth {
  id: string;
  nameZh: string;
  nameEn: string;
  status: string;
  kinds: string[];
  batches: number;
  received: number;
  rejected: number;
  failed: number;
  rejectionRate: number | null;
  medianSeconds: number | null;
  lastBatch: { id: number; status: string; at: string } | null;
  lastCompletedAt: string | null;
  daysSinceCompleted: number | null;
  timeliness: Timeliness;
}

const timelinessTag: Record<Timeliness, { key: MessageKey; color: string }> = {
  on_time: { key: 'dash.timeliness.on_time', color: 'green' },
  late: { key: 'dash.timeliness.late', color: 'orange' },
  stale: { key: 'dash.timeliness.stale', color: 'red' },
  never: { key: 'dash.timeliness.never', color: 'default' },
};

const palette = [
  '#1d4ed8',
  '#0f766e',
  '#b45309',
  '#7c3aed',
  '#be123c',
  '#0369a1',
  '#4d7c0f',
  '#a16207',
  '#9333ea',
  '#475569',
];

/** At most `n` series; the rest summed as "others" so the legend stays readable on a phone. */
function topSeries(series: Series[], n: number, othersName: string): { name: string; data: number[] }[] {
  const sorted = [...series].sort(
    (a, b) => b.accepted.reduce((x, y) => x + y, 0) - a.accepted.reduce((x, y) => x + y, 0),
  );
  const head = sorted.slice(0, n);
  const rest = sorted.slice(n);
  const out = head.map((s) => ({ name: s.code, data: s.accepted }));
  if (rest.length) {
    out.push({
      name: othersName,
      data: rest[0]!.accepted.map((_, i) => rest.reduce((sum, s) => sum + (s.accepted[i] ?? 0), 0)),
    });
  }
  return out;
}

function formatSeconds(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** The operator dashboard (运营看板): what arrives, from whom, and which providers need a nudge. */
export function DashboardPage() {
  const { t, pick, locale } = useI18n();
  const [months, setMonths] = useState(12);
  const stats = useApi((signal) => api.get<PublicStats>('/api/v1/stats/public', undefined, signal), []);
  const trend = useApi((signal) => api.get<Trend>('/api/v1/stats/ingestion', { months }, signal), [months]);
  const health = useApi(
    (signal) =>
      api.get<{ windowDays: number; providers: ProviderHealth[] }>(
        '/api/v1/stats/providers',
        { days: 30 },
        signal,
      ),
    [],
  );

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of [...(trend.data?.byCategory ?? []), ...(trend.data?.byProvider ?? [])]) {
      m.set(s.code, pick(s.nameZh, s.nameEn));
    }
    return m;
  }, [trend.data, pick]);

  const chart = (by: Series[], stacked: boolean): ChartOption => {
    const data = topSeries(by, 8, t('dash.others'));
    return {
      color: palette,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: trend.data?.months ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: data.map((s) => ({
        name: names.get(s.name) ?? s.name,
        type: stacked ? 'bar' : 'line',
        stack: stacked ? 'total' : undefined,
        smooth: false,
        showSymbol: !stacked && (trend.data?.months.length ?? 0) <= 12,
        emphasis: { focus: 'series' },
        data: s.data,
      })),
    };
  };

  const totals = trend.data?.totals;
  const hasData = (trend.data?.byCategory.length ?? 0) > 0;

  return (
    <div className="xr-page">
      <PageHeader
        title={t('nav.op.dashboard')}
        subtitle={t('dash.subtitle')}
        extra={
          <Segmented
            value={months}
            onChange={(v) => setMonths(Number(v))}
            options={[
              { value: 6, label: t('dash.months', { n: 6 }) },
              { value: 12, label: t('dash.months', { n: 12 }) },
              { value: 24, label: t('dash.months', { n: 24 }) },
            ]}
          />
        }
      />
      <ProblemAlert error={stats.error ?? trend.error} style={{ marginBottom: 16 }} />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="dash-kpis">
        {(
          [
            ['home.stat.subjects', stats.data?.subjects],
            ['home.stat.records', stats.data?.records],
            ['dash.batches', totals?.batches],
            ['dash.accepted', totals?.accepted],
          ] as [MessageKey, number | undefined][]
        ).map(([label, value]) => (
          <Col xs={12} lg={6} key={label}>
            <Card>
              <Statistic
                title={t(label)}
                value={value ?? '—'}
                groupSeparator=","
                loading={value === undefined && !stats.error}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={t('dash.byCategory')} data-testid="chart-category">
            {trend.loading && !trend.data ? (
              <Skeleton active />
            ) : hasData ? (
              <EChart key={locale} option={chart(trend.data!.byCategory, true)} testId="echart-category" />
            ) : (
              <Empty description={t('dash.noData')} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('dash.byProvider')} data-testid="chart-provider">
            {trend.loading && !trend.data ? (
              <Skeleton active />
            ) : hasData ? (
              <EChart key={locale} option={chart(trend.data!.byProvider, false)} testId="echart-provider" />
            ) : (
              <Empty description={t('dash.noData')} />
            )}
          </Card>
        </Col>
      </Row>
      <Card
        title={t('dash.health')}
        extra={
          totals && totals.received > 0 ? (
            <span>
              {t('dash.overallRejection')} {formatPercent(totals.rejected / totals.received)}
            </span>
          ) : undefined
        }
      >
        <ProblemAlert error={health.error} onRetry={health.reload} style={{ marginBottom: 12 }} />
        <Table<ProviderHealth>
          rowKey="id"
          size="middle"
          loading={health.loading}
          dataSource={health.data?.providers ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 15, size: 'small', showSizeChanger: false }}
          onRow={() => ({ 'data-testid': 'health-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'name', title: t('batch.provider'), render: (_, p) => pick(p.nameZh, p.nameEn) },
            {
              key: 'last',
              title: t('dash.lastBatch'),
              render: (_, p) =>
                p.lastBatch ? (
                  <Link to={`/provider/batches/${p.lastBatch.id}`}>
                    {formatDateTime(p.lastBatch.at)} · #{p.lastBatch.id}
                  </Link>
                ) : (
                  '—'
                ),
            },
            {
              key: 'timely',
              title: t('dash.timeliness'),
              render: (_, p) => {
                const tag = timelinessTag[p.timeliness];
                return (
                  <Tooltip
                    title={
                      p.daysSinceCompleted !== null
                        ? t('dash.daysSince', { n: p.daysSinceCompleted })
                        : t('dash.timeliness.never')
                    }
                  >
                    <Tag color={tag.color}>{t(tag.key)}</Tag>
                  </Tooltip>
                );
              },
            },
            {
              key: 'batches',
              title: t('dash.batches30'),
              align: 'right',
              render: (_, p) => formatCount(p.batches),
            },
            {
              key: 'received',
              title: t('batch.received'),
              align: 'right',
              render: (_, p) => formatCount(p.received),
              responsive: ['md'],
            },
            {
              key: 'rate',
              title: t('batch.rejectionRate'),
              align: 'right',
              render: (_, p) => (
                <span style={{ color: (p.rejectionRate ?? 0) > 0.05 ? '#b91c1c' : undefined }}>
                  {formatPercent(p.rejectionRate)}
                </span>
              ),
            },
            {
              key: 'failed',
              title: t('dash.failed'),
              align: 'right',
              render: (_, p) => p.failed || '—',
              responsive: ['lg'],
            },
            {
              key: 'med',
              title: t('dash.medianTime'),
              align: 'right',
              render: (_, p) => formatSeconds(p.medianSeconds),
              responsive: ['lg'],
            },
          ]}
        />
      </Card>
    </div>
  );
}
