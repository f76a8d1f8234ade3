import { Space, Table, Tag, type TableColumnType } from 'antd';
import { Link } from 'react-router-dom';
import type { Loaded } from '../api/hooks.ts';
import type { SubjectSearchResult, SubjectSummary } from '../api/types.ts';
import { formatDate } from '../format/format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { SubjectTypeTag } from './SubjectTypeTag.tsx';
import { Uscc } from './Uscc.tsx';

/** The columns a page can pick, in the order it lists them; `custom` columns are the page's own. */
export type SubjectColumn = 'name' | 'uscc' | 'type' | 'region' | 'industry' | 'established' | 'status';

interface Props {
  result: Loaded<SubjectSearchResult>;
  page: number;
  onPage: (page: number) => void;
  /** Where a subject's name links to (the public page, or the institution's authorised view). */
  subjectHref: (uscc: string) => string;
  /** The columns, by name or as the page's own column definitions. */
  columns: (SubjectColumn | TableColumnType<SubjectSummary>)[];
  /** Responsive breakpoints for the named columns, where a page wants them different. */
  responsive?: Partial<Record<SubjectColumn, TableColumnType<SubjectSummary>['responsive']>>;
  rowTestId: string;
  /** Open the subject when its row is clicked (not only its name). */
  onRowClick?: (s: SubjectSummary) => void;
}

/**
 * A page of subject search results (GET /api/v1/subjects): 20 a page, the total (or "more than" when
 * the search capped its count), the name linking to the subject with the provisional tag. Shared by
 * the institution search and the recommenders' screening page.
 */
export function SubjectResultsTable({
  result,
  page,
  onPage,
  subjectHref,
  columns,
  responsive = {},
  rowTestId,
  onRowClick,
}: Props) {
  const { t } = useI18n();
  const named: Record<SubjectColumn, TableColumnType<SubjectSummary>> = {
    name: {
      key: 'name',
      title: t('subject.name'),
      render: (_, s) => (
        <Space size={4} wrap>
          <Link to={subjectHref(s.uscc)}>{s.name || t('subject.unnamed')}</Link>
          {s.provisional && <Tag color="orange">{t('subject.provisional')}</Tag>}
        </Space>
      ),
    },
    uscc: {
      key: 'uscc',
      title: t('subject.uscc'),
      render: (_, s) => <Uscc value={s.uscc} copyable={false} />,
    },
    type: {
      key: 'type',
      title: t('instSearch.type'),
      render: (_, s) => <SubjectTypeTag label={s.typeLabel} />,
      responsive: ['md'],
    },
    region: {
      key: 'region',
      title: t('subject.region'),
      render: (_, s) => s.region?.name ?? s.region?.code ?? '—',
      responsive: ['md'],
    },
    industry: {
      key: 'industry',
      title: t('subject.industry'),
      render: (_, s) => s.industry?.name ?? s.industry?.code ?? '—',
      responsive: ['lg'],
    },
    established: {
      key: 'est',
      title: t('subject.established'),
      render: (_, s) => formatDate(s.establishedOn),
      responsive: ['lg'],
    },
    status: {
      key: 'status',
      title: t('subject.regStatus'),
      render: (_, s) => s.status ?? '—',
      responsive: ['lg'],
    },
  };
  return (
    <Table<SubjectSummary>
      rowKey="uscc"
      loading={result.loading}
      dataSource={result.data?.items ?? []}
      scroll={{ x: 'max-content' }}
      onRow={(s) =>
        ({
          'data-testid': rowTestId,
          ...(onRowClick ? { onClick: () => onRowClick(s), className: 'xr-clickable' } : {}),
        }) as React.HTMLAttributes<HTMLElement>
      }
      pagination={{
        current: page,
        pageSize: 20,
        total: result.data?.total ?? 0,
        onChange: onPage,
        showSizeChanger: false,
        size: 'small',
        showTotal: (n) => t(result.data?.totalIsLowerBound ? 'lookup.countMore' : 'lookup.count', { n }),
      }}
      columns={columns.map((c) =>
        typeof c === 'string' ? { ...named[c], ...(responsive[c] ? { responsive: responsive[c] } : {}) } : c,
      )}
    />
  );
}
