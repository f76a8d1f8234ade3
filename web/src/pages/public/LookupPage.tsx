import { Card, Empty, Input, List, Space, Tag, Typography } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { SubjectSearchResult, SubjectSummary } from '../../api/types.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SubjectTypeTag } from '../../components/SubjectTypeTag.tsx';
import { Uscc } from '../../components/Uscc.tsx';
import { formatDate, normalizeUscc, looksLikeUscc } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** Public credit lookup (信用查询): by any fragment of the name or by USCC (or its prefix). */
export function LookupPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q')?.trim() ?? '';
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const result = useApi(
    async (signal) => {
      return api.get<SubjectSearchResult>(
        '/api/v1/subjects',
        { q: looksLikeUscc(q) ? normalizeUscc(q) : q, page, pageSize: 20 },
        signal,
      );
    },
    [q, page],
    q.length > 0,
  );

  return (
    <div className="xr-page">
      <PageHeader title={t('lookup.title')} subtitle={t('lookup.subtitle')} />
      <Input.Search
        size="large"
        defaultValue={q}
        key={q}
        allowClear
        enterButton={t('action.search')}
        placeholder={t('lookup.placeholder')}
        loading={result.loading}
        data-testid="lookup-input"
        onSearch={(v) => {
          const s = v.trim();
          if (looksLikeUscc(s) && q === normalizeUscc(s)) result.reload();
          setParams(s ? { q: s } : {});
        }}
        style={{ marginBottom: 16 }}
      />
      <ProblemAlert error={result.error} onRetry={result.reload} style={{ marginBottom: 16 }} />
      {q && !result.error && (
        <Card>
          <List<SubjectSummary>
            loading={result.loading}
            dataSource={result.data?.items ?? []}
            pagination={
              (result.data?.total ?? 0) > 20
                ? {
                    current: page,
                    pageSize: 20,
                    total: result.data?.total ?? 0,
                    showSizeChanger: false,
                    size: 'small',
                    onChange: (p) => setParams({ q, page: String(p) }),
                  }
                : false
            }
            locale={{ emptyText: <Empty description={t('lookup.none', { q })} /> }}
            header={
              result.data && (
                <Typography.Text type="secondary">
                  {t(result.data.totalIsLowerBound ? 'lookup.countMore' : 'lookup.count', {
                    n: result.data.total,
                  })}
                </Typography.Text>
              )
            }
            renderItem={(s) => (
              <List.Item
                key={s.uscc}
                className="xr-clickable"
                onClick={() => navigate(`/subjects/${s.uscc}`)}
                data-testid="lookup-result"
              >
                <List.Item.Meta
                  title={
                    <Space wrap size={4}>
                      <Link to={`/subjects/${s.uscc}`}>{s.name || t('subject.unnamed')}</Link>
                      <SubjectTypeTag label={s.typeLabel} />
                      {s.provisional && <Tag color="orange">{t('subject.provisional')}</Tag>}
                    </Space>
                  }
                  description={
                    <Space wrap size={[16, 4]}>
                      <Uscc value={s.uscc} copyable={false} />
                      {s.legalRepName && (
                        <span>
                          {t('subject.legalRep')}：{s.legalRepName}
                        </span>
                      )}
                      {s.establishedOn && (
                        <span>
                          {t('subject.established')}：{formatDate(s.establishedOn)}
                        </span>
                      )}
                      {s.region && <span>{s.region.name ?? s.region.code}</span>}
                      {s.status && <span>{s.status}</span>}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      )}
      {!q && <Empty description={t('lookup.hint')} style={{ marginTop: 48 }} />}
    </div>
  );
}
