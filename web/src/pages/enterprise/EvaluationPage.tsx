import { Skeleton } from 'antd';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { Evaluation } from '../../api/types.ts';
import { useAuth } from '../../auth/auth.tsx';
import { EvaluationView } from '../../components/EvaluationView.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** My evaluation (信用评价): score, grade and the reasons, in full — the subject sees everything. */
export function EvaluationPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const uscc = me?.uscc ?? '';
  const ev = useApi(
    (signal) =>
      api.get<Evaluation>(`/api/v1/subjects/${encodeURIComponent(uscc)}/evaluation`, undefined, signal),
    [uscc],
    uscc !== '',
  );
  return (
    <div className="xr-page">
      <PageHeader title={t('nav.ent.evaluation')} subtitle={t('eval.subtitle')} />
      <ProblemAlert error={ev.error} onRetry={ev.reload} style={{ marginBottom: 16 }} />
      {ev.loading && <Skeleton active />}
      {ev.data && <EvaluationView e={ev.data} />}
    </div>
  );
}
