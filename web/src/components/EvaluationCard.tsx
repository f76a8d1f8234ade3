import { Button, Card, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import type { Evaluation } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { EvaluationView, GradeTag, scoreColor } from './EvaluationView.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';

/**
 * An institution's view of a subject's evaluation: score and grade without consent; the reasons
 * only when the user asks for them under a consent (each such read counts as a use of it).
 */
export function EvaluationCard({ uscc, consentId }: { uscc: string; consentId: string | undefined }) {
  const { t } = useI18n();
  const [withReasons, setWithReasons] = useState(false);
  const ev = useApi(
    (signal) =>
      api.get<Evaluation>(
        `/api/v1/subjects/${encodeURIComponent(uscc)}/evaluation`,
        { consent_id: withReasons ? consentId : undefined },
        signal,
      ),
    [uscc, withReasons, consentId],
  );
  const e = ev.data;
  if (withReasons && e) {
    return (
      <div style={{ marginBottom: 16 }} data-testid="evaluation">
        <EvaluationView e={e} />
      </div>
    );
  }
  return (
    <Card title={t('eval.card')} style={{ marginBottom: 16 }} data-testid="evaluation">
      <ProblemAlert error={ev.error} onRetry={ev.reload} />
      {ev.loading && !e && <Skeleton active paragraph={{ rows: 1 }} />}
      {e && (
        <Space wrap size={16}>
          <Typography.Text
            style={{ fontSize: 28, fontWeight: 600, color: scoreColor(e.score) }}
            data-testid="score"
          >
            {e.score}
          </Typography.Text>
          <GradeTag e={e} />
          {consentId && e.reasons === null && (
            <Button onClick={() => setWithReasons(true)} data-testid="eval-reasons">
              {t('eval.showReasons')}
            </Button>
          )}
        </Space>
      )}
    </Card>
  );
}
