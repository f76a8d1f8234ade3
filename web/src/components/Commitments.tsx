import { Alert, Descriptions, Grid, Skeleton, Space, Tag, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { kindMap, useCatalog } from '../api/catalog.ts';
import { api } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import type { Bilingual, Breach, CalendarStatus, ReadResult } from '../api/types.ts';
import { formatDate, formatDateTime } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ProblemAlert } from './ProblemAlert.tsx';
import { formatFieldValue, MarkTags, recordsOfSections } from './RecordsView.tsx';

const commitmentStatus: Record<string, { key: MessageKey; color: string }> = {
  in_force: { key: 'decl.commitmentStatus.active', color: 'green' },
  flagged: { key: 'decl.commitmentStatus.flagged', color: 'orange' },
  broken: { key: 'decl.commitmentStatus.broken', color: 'red' },
};

/**
 * A commitment's state: 有效 / 疑似违诺，待核实 / 已违诺. Only the subject and operators are ever sent
 * `flagged` (the API shows the public a flagged commitment as in force: a suspicion is not published).
 */
export function CommitmentStatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  const s = commitmentStatus[status];
  return (
    <Tag color={s?.color ?? 'default'} data-testid="commitment-status">
      {s ? t(s.key) : status}
    </Tag>
  );
}

const breachColor: Record<string, string> = {
  suspected: 'orange',
  confirmed: 'red',
  rejected: 'default',
  superseded: 'default',
};

export function BreachStatusTag({ b }: { b: Breach }) {
  const { pick } = useI18n();
  return (
    <Tag color={breachColor[b.status] ?? 'default'} data-testid="breach-status">
      {pick(b.statusLabel.zh, b.statusLabel.en)}
    </Tag>
  );
}

/** The evidence the automatic check stored with a suspected breach (see rights.service.ts). */
export interface AutoEvidence {
  record?: {
    kindCode?: string;
    recordId?: number;
    versionId?: number;
    occurredOn?: string;
    providerId?: string;
  };
  matched?: { field?: string; text?: string };
}

export function evidenceOf(b: Breach): AutoEvidence {
  return b.evidence && typeof b.evidence === 'object' ? (b.evidence as AutoEvidence) : {};
}

/** A due date, marked when it was counted Monday–Friday only (its year's holidays not loaded yet). */
export function DueDate({
  dueOn,
  provisional,
  warning,
}: {
  dueOn: string | null;
  provisional: boolean;
  warning: Bilingual | null;
}) {
  const { t, pick } = useI18n();
  if (!dueOn) return <>—</>;
  return (
    <Space size={4} wrap>
      <span>{formatDate(dueOn)}</span>
      {provisional && (
        <Tooltip title={warning ? pick(warning.zh, warning.en) : t('calendar.provisionalHint')}>
          <Tag color="warning" data-testid="due-provisional">
            {t('calendar.provisional')}
          </Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/**
 * One record of a subject, read through the one read path for the current viewer (the subject
 * itself, an operator, or anyone for a public kind), shown field by field with its marks. Used for a
 * breach's evidence and for the negative record a broken commitment produced.
 */
export function RecordCard({
  uscc,
  kindCode,
  recordId,
  testId,
}: {
  uscc: string;
  kindCode: string;
  recordId: number;
  testId?: string;
}) {
  const i18n = useI18n();
  const { t, pick } = i18n;
  const { catalog } = useCatalog();
  const screens = Grid.useBreakpoint();
  const res = useApi(
    (signal) =>
      api.get<ReadResult>(
        `/api/v1/subjects/${encodeURIComponent(uscc)}/records`,
        { kinds: kindCode },
        signal,
      ),
    [uscc, kindCode],
  );
  const kind = kindMap(catalog).get(kindCode);
  const record = res.data
    ? recordsOfSections(res.data.sections).find((r) => r.id === String(recordId))
    : undefined;
  const own = new Set([kind?.subject_field ?? 'uscc', kind?.subject_name_field ?? 'name']);
  return (
    <div data-testid={testId ?? 'record-card'}>
      <ProblemAlert error={res.error} onRetry={res.reload} />
      {res.loading && !res.data && <Skeleton active paragraph={{ rows: 2 }} />}
      {res.data && !record && (
        <Typography.Text type="secondary">{t('breach.recordNotShown', { id: recordId })}</Typography.Text>
      )}
      {record && (
        <Descriptions
          size="small"
          bordered
          // Phones: label above value, so long Chinese labels are not squeezed into a narrow column.
          layout={(screens.md ?? true) ? 'horizontal' : 'vertical'}
          column={{ xs: 1, md: 2 }}
          title={
            <Space wrap>
              <span>
                {kind ? pick(kind.name_zh, kind.name_en) : kindCode} · #{recordId}
              </span>
              {kind?.negative && <Tag color="red">{t('record.negative')}</Tag>}
              <MarkTags marks={record.marks} publicityUntil={record.publicityUntil} />
            </Space>
          }
          items={[
            ...(kind?.fields ?? [])
              .filter((f) => f.code in record.data && !own.has(f.code))
              .map((f) => ({
                key: f.code,
                label: pick(f.label_zh, f.label_en),
                children: formatFieldValue(f, record.data[f.code], i18n),
              })),
            { key: '_updated', label: t('record.updatedAt'), children: formatDateTime(record.updatedAt) },
          ]}
        />
      )}
    </div>
  );
}

/** Link to a subject's public view (where a confirmed breach record is published). */
export function PublicViewLink({ uscc }: { uscc: string }) {
  const { t } = useI18n();
  return <Link to={`/subjects/${uscc}`}>{t('breach.publicView')}</Link>;
}

/**
 * The working-day calendar as operators need it: the years whose holidays are loaded, and a warning
 * when the current (or, from November, the next) year is missing, so deadlines running into it are
 * counted Monday–Friday only until the State Council's notice is imported.
 */
export function CalendarStatusPanel({ status }: { status: CalendarStatus | undefined }) {
  const { t, pick } = useI18n();
  if (!status) return null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="calendar-status">
      <Space wrap size={[8, 4]}>
        <Typography.Text>{t('calendar.loaded')}</Typography.Text>
        {status.coveredYears.map((y) => (
          <Tag key={y} color="blue">
            {y}
          </Tag>
        ))}
        <Typography.Text type="secondary">
          {t('calendar.rules', {
            accept: String(status.objectionDeadlines.acceptWorkingDays ?? '—'),
            provider: String(status.objectionDeadlines.providerAnswerWorkingDays ?? '—'),
            repair: String(status.repairDeadlines.reviewWorkingDays ?? '—'),
            green: String(status.repairDeadlines.greenChannelReviewWorkingDays ?? '—'),
          })}
        </Typography.Text>
      </Space>
      {status.warning && (
        <Alert
          type="warning"
          showIcon
          title={t('calendar.missing', { years: status.missingYears.join('、') })}
          description={pick(status.warning.zh, status.warning.en)}
          data-testid="calendar-warning"
        />
      )}
    </Space>
  );
}
