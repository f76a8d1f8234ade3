import { Card, List, Space, Tag, Typography } from 'antd';
import { api } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import type { Commitment, Declaration } from '../api/types.ts';
import { formatDate } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CommitmentStatusTag } from './Commitments.tsx';

/**
 * What the subject declared itself under a public credit commitment (自愿申报), always marked so,
 * and its commitments with their state. The public and institutions are sent a commitment under
 * review as in force (a suspicion is not published); a broken one is shown broken, and its negative
 * record appears with the subject's other records.
 */
export function DeclarationsCard({ uscc }: { uscc: string }) {
  const { t, pick } = useI18n();
  const declarations = useApi(
    (signal) => api.get<{ items: Declaration[] }>(`/api/v1/subjects/${uscc}/declarations`, undefined, signal),
    [uscc],
  );
  const commitments = useApi(
    (signal) => api.get<{ items: Commitment[] }>(`/api/v1/subjects/${uscc}/commitments`, undefined, signal),
    [uscc],
  );
  const d = declarations.data?.items ?? [];
  const c = commitments.data?.items ?? [];
  if (d.length === 0 && c.length === 0) return null;
  return (
    <Card title={t('decl.title')} style={{ marginTop: 16 }} data-testid="declarations">
      {c.length > 0 && (
        <Typography.Paragraph type="secondary">
          {c.map((x) => (
            <span key={x.id} style={{ marginInlineEnd: 16 }}>
              {t('rights.commitment')} · {formatDate(x.signedAt)} · <CommitmentStatusTag status={x.status} />
            </span>
          ))}
        </Typography.Paragraph>
      )}
      <List
        dataSource={d}
        renderItem={(x) => (
          <List.Item key={x.id}>
            <Space wrap>
              <Tag color="purple">{pick(x.mark.zh, x.mark.en)}</Tag>
              <Typography.Text strong>{pick(x.typeLabel.zh, x.typeLabel.en)}</Typography.Text>
              <span>{String(x.data.title ?? '')}</span>
              {typeof x.data.date === 'string' && (
                <Typography.Text type="secondary">{formatDate(x.data.date)}</Typography.Text>
              )}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
