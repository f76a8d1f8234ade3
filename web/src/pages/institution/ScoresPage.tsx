import { Card, Table } from 'antd';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { Consent, Evaluation } from '../../api/types.ts';
import { GradeTag, scoreColor } from '../../components/EvaluationView.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatDate } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface Row {
  uscc: string;
  consent: Consent;
  evaluation: Evaluation | undefined;
  failed: boolean;
}

/**
 * Scores of the subjects the institution holds an active consent for. Score and grade are read
 * without using the consent; the reasons are one click away on the subject page.
 */
export function ScoresPage() {
  const { t } = useI18n();
  const rows = useApi(async (signal) => {
    const consents = await api.get<Consent[]>('/api/v1/consents', { limit: 1000 }, signal);
    const byUscc = new Map<string, Consent>();
    for (const c of consents) if (c.state === 'ACTIVE' && !byUscc.has(c.uscc)) byUscc.set(c.uscc, c);
    const list = [...byUscc.values()].slice(0, 100);
    return Promise.all(
      list.map(async (c): Promise<Row> => {
        try {
          const evaluation = await api.get<Evaluation>(
            `/api/v1/subjects/${c.uscc}/evaluation`,
            undefined,
            signal,
          );
          return { uscc: c.uscc, consent: c, evaluation, failed: false };
        } catch {
          return { uscc: c.uscc, consent: c, evaluation: undefined, failed: true };
        }
      }),
    );
  }, []);
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.inst.scores')} subtitle={t('scores.subtitle')} />
      <ProblemAlert error={rows.error} onRetry={rows.reload} style={{ marginBottom: 16 }} />
      <Card>
        <Table<Row>
          rowKey="uscc"
          loading={rows.loading}
          dataSource={rows.data ?? []}
          locale={{ emptyText: t('scores.none') }}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, size: 'small', showSizeChanger: false }}
          onRow={() => ({ 'data-testid': 'score-row' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              key: 'uscc',
              title: t('subject.uscc'),
              render: (_, r) => (
                <Link to={`/institution/subjects/${r.uscc}?consent=${encodeURIComponent(r.consent.id)}`}>
                  <Uscc value={r.uscc} copyable={false} />
                </Link>
              ),
            },
            {
              key: 'score',
              title: t('eval.score'),
              align: 'right',
              sorter: (a, b) => (a.evaluation?.score ?? -1) - (b.evaluation?.score ?? -1),
              render: (_, r) =>
                r.evaluation ? (
                  <span style={{ color: scoreColor(r.evaluation.score), fontWeight: 600 }}>
                    {r.evaluation.score}
                  </span>
                ) : r.failed ? (
                  t('scores.unavailable')
                ) : (
                  '—'
                ),
            },
            {
              key: 'grade',
              title: t('eval.grade'),
              render: (_, r) => (r.evaluation ? <GradeTag e={r.evaluation} /> : '—'),
            },
            { key: 'asof', title: t('eval.asOfShort'), render: (_, r) => formatDate(r.evaluation?.asOf) },
            {
              key: 'valid',
              title: t('consent.validUntil'),
              render: (_, r) => formatDate(r.consent.validUntil),
              responsive: ['md'],
            },
          ]}
        />
      </Card>
    </div>
  );
}
