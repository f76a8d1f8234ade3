import { Card, Skeleton } from 'antd';
import { useNavigate, useParams } from 'react-router-dom';
import { useCatalog } from '../../api/catalog.ts';
import { CatalogBrowser } from '../../components/CatalogBrowser.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** What the platform collects (信用信息共享清单), open to anyone. */
export function CatalogPage() {
  const { t } = useI18n();
  const { kind } = useParams();
  const navigate = useNavigate();
  const { catalog, error } = useCatalog();
  return (
    <div className="xr-page">
      <PageHeader title={t('catalog.title')} subtitle={t('catalog.subtitle')} />
      <ProblemAlert error={error} />
      <Card>
        {catalog ? (
          <CatalogBrowser
            catalog={catalog}
            selectedKind={kind}
            onSelectKind={(k) => navigate(k ? `/catalog/${k}` : '/catalog')}
          />
        ) : (
          !error && <Skeleton active />
        )}
      </Card>
    </div>
  );
}
