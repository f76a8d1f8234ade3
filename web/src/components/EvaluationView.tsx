import { Card, Col, Empty, List, Progress, Row, Space, Table, Tag, Typography } from 'antd';
import type { Evaluation } from '../api/types.ts';
import { formatDate } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { EChart } from './EChart.tsx';

/** Colour of a score on the 0–1000 scale. */
export function scoreColor(score: number): string {
  if (score >= 800) return '#15803d';
  if (score >= 650) return '#1d4ed8';
  if (score >= 500) return '#b45309';
  return '#b91c1c';
}

export function GradeTag({ e }: { e: Pick<Evaluation, 'grade' | 'gradeZh' | 'gradeEn' | 'score'> }) {
  const { pick } = useI18n();
  return (
    <Tag color={scoreColor(e.score)} data-testid="grade">
      {e.grade} · {pick(e.gradeZh, e.gradeEn)}
    </Tag>
  );
}

/**
 * A subject's credit evaluation: score and grade, the reasons that cost the most points (with
 * disputed records flagged), every indicator, and the score history.
 */
export function EvaluationView({ e }: { e: Evaluation }) {
  const { t, pick } = useI18n();
  return (
    <>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} md={9}>
          <Card style={{ height: '100%', textAlign: 'center' }}>
            <Progress
              type="dashboard"
              percent={e.score / 10}
              strokeColor={scoreColor(e.score)}
              format={() => (
                <span data-testid="score" style={{ color: scoreColor(e.score) }}>
                  {e.score}
                </span>
              )}
              size={180}
            />
            <div style={{ marginTop: 8 }}>
              <GradeTag e={e} />
            </div>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
              {t('eval.asOf', { date: formatDate(e.asOf), model: e.modelLabel || String(e.modelVersion) })}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} md={15}>
          <Card title={t('eval.reasons')} style={{ height: '100%' }}>
            {e.reasons === null ? (
              <Typography.Text type="secondary">{t('eval.reasonsWithheld')}</Typography.Text>
            ) : e.reasons.length === 0 ? (
              <Empty description={t('eval.noReasons')} />
            ) : (
              <List
                dataSource={e.reasons}
                data-testid="reasons"
                renderItem={(r) => (
                  <List.Item key={r.code}>
                    <Space orientation="vertical" size={0} style={{ width: '100%' }}>
                      <Space wrap>
                        <Typography.Text strong>{pick(r.zh, r.en)}</Typography.Text>
                        {r.disputed && <Tag color="orange">{t('mark.disputed')}</Tag>}
                      </Space>
                      <Typography.Text type="secondary">
                        {t('eval.pointsLost', { n: r.pointsLost })} ·{' '}
                        <span className="xr-mono">{r.code}</span>
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
      {e.history.length > 1 && (
        <Card title={t('eval.history')} style={{ marginBottom: 16 }}>
          <EChart
            height={220}
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 48, right: 16, top: 16, bottom: 32 },
              xAxis: { type: 'category', data: e.history.map((h) => formatDate(h.asOf)) },
              yAxis: { type: 'value', min: 0, max: 1000 },
              series: [{ type: 'line', data: e.history.map((h) => h.score), smooth: true, color: '#1d4ed8' }],
            }}
          />
        </Card>
      )}
      {e.indicators && (
        <Card title={t('eval.indicators')}>
          <Table
            size="small"
            rowKey="code"
            dataSource={e.indicators}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'n', title: t('eval.indicator'), render: (_, i) => pick(i.nameZh, i.nameEn) },
              {
                key: 'v',
                title: t('eval.bin'),
                render: (_, i) => (
                  <Space size={4}>
                    {pick(i.binZh, i.binEn) || (i.value === null ? '—' : String(i.value))}
                    {i.disputed && <Tag color="orange">{t('mark.disputed')}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'p',
                title: t('eval.points'),
                align: 'right',
                render: (_, i) => (
                  <span style={{ color: i.points < i.max ? '#b45309' : undefined }}>
                    {i.points} / {i.max}
                  </span>
                ),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
