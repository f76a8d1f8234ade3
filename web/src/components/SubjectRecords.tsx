import { Alert, Card, Skeleton, Space, Tag } from 'antd';
import type { ReactNode } from 'react';
import { kindMap, useCatalog } from '../api/catalog.ts';
import { api, type Query } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import type { ReadResult } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';
import { RecordsView, recordsOfSections, type RecordActions } from './RecordsView.tsx';

/**
 * A subject's records as the one read path returns them for the current viewer (public, self,
 * consent or operator), grouped by category, with what was withheld and why.
 */
export function SubjectRecords({
  uscc,
  query,
  title,
  allCategories = false,
  emptyText,
  extra,
  onLoaded,
  actions,
  reloadKey,
}: {
  uscc: string;
  query?: Query;
  title: ReactNode;
  allCategories?: boolean;
  emptyText?: string;
  extra?: ReactNode;
  onLoaded?: (r: ReadResult) => void;
  actions?: RecordActions;
  /** Change it to read again (after filing an objection, the record is marked). */
  reloadKey?: number;
}) {
  const { t, pick } = useI18n();
  const { catalog, error: catalogError } = useCatalog();
  const key = JSON.stringify(query ?? {});
  const res = useApi(
    async (signal) => {
      const r = await api.get<ReadResult>(
        `/api/v1/subjects/${encodeURIComponent(uscc)}/records`,
        query,
        signal,
      );
      onLoaded?.(r);
      return r;
    },
    [uscc, key, reloadKey],
  );
  const kinds = kindMap(catalog);
  return (
    <Card title={title} extra={extra} data-testid="subject-records">
      <ProblemAlert error={res.error ?? catalogError} onRetry={res.reload} style={{ marginBottom: 16 }} />
      {res.loading && !res.data ? (
        <Skeleton active />
      ) : res.data ? (
        <>
          <RecordsView
            records={recordsOfSections(res.data.sections)}
            catalog={catalog}
            allCategories={allCategories}
            emptyText={emptyText}
            actions={actions}
          />
          {res.data.withheld.length > 0 && (
            <Alert
              style={{ marginTop: 16 }}
              type="info"
              showIcon
              title={t('record.withheld')}
              data-testid="withheld"
              description={
                <Space wrap size={[4, 4]}>
                  {res.data.withheld.map((w) => {
                    const k = kinds.get(w.kind);
                    return (
                      <Tag key={w.kind} title={pick(w.reason.zh, w.reason.en)}>
                        {k ? pick(k.name_zh, k.name_en) : w.kind}
                      </Tag>
                    );
                  })}
                </Space>
              }
            />
          )}
        </>
      ) : null}
    </Card>
  );
}
