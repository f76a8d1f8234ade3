import { Card, Descriptions, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { SubjectSummary } from '../api/types.ts';
import { formatDate } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { SubjectTypeTag } from './SubjectTypeTag.tsx';
import { Uscc } from './Uscc.tsx';

/** The registration basics of a subject (照面信息): name, code, type, representative, capital… */
export function SubjectCard({
  subject,
  extra,
  badges,
}: {
  subject: SubjectSummary;
  extra?: ReactNode;
  /** Tags beside the name that need a signed-in viewer (e.g. the whitelist badge). */
  badges?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Card
      style={{ marginBottom: 16 }}
      title={
        <Space wrap size={8} style={{ whiteSpace: 'normal' }}>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="subject-name">
            {subject.name || t('subject.unnamed')}
          </Typography.Title>
          <SubjectTypeTag label={subject.typeLabel} />
          {subject.provisional && <Tag color="orange">{t('subject.provisional')}</Tag>}
          {subject.grade && <Tag color="blue">{t('subject.grade', { grade: subject.grade })}</Tag>}
          {badges}
        </Space>
      }
      extra={extra}
    >
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 1, md: 2, lg: 3 }}
        items={[
          { key: 'uscc', label: t('subject.uscc'), children: <Uscc value={subject.uscc} /> },
          { key: 'rep', label: t('subject.legalRep'), children: subject.legalRepName ?? '—' },
          { key: 'status', label: t('subject.regStatus'), children: subject.status ?? '—' },
          { key: 'est', label: t('subject.established'), children: formatDate(subject.establishedOn) },
          {
            key: 'region',
            label: t('subject.region'),
            children: subject.region?.name ?? subject.region?.code ?? '—',
          },
          {
            key: 'industry',
            label: t('subject.industry'),
            children: subject.industry?.name ?? subject.industry?.code ?? '—',
          },
          ...(subject.formerNames && subject.formerNames.length > 1
            ? [
                {
                  key: 'former',
                  label: t('subject.formerNames'),
                  children: subject.formerNames
                    .filter((n) => n.name !== subject.name)
                    .map((n) => `${n.name}（${formatDate(n.since)}）`)
                    .join('；'),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
