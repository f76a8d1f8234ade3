import {
  ApiOutlined,
  BankOutlined,
  DashboardOutlined,
  IdcardOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { Button, Card, Col, Input, Row, Skeleton, Statistic, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import type { PublicStats } from '../../api/types.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatDateTime } from '../../format/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

const figures: { key: keyof PublicStats; label: MessageKey; unit: MessageKey }[] = [
  { key: 'subjects', label: 'home.stat.subjects', unit: 'unit.households' },
  { key: 'records', label: 'home.stat.records', unit: 'unit.items' },
  { key: 'providers', label: 'home.stat.providers', unit: 'unit.orgs' },
  { key: 'institutions', label: 'home.stat.institutions', unit: 'unit.orgs' },
];

const portals: { icon: ReactNode; title: MessageKey; text: MessageKey; to: string; color: string }[] = [
  {
    icon: <IdcardOutlined />,
    title: 'home.portal.enterprise',
    text: 'home.portal.enterpriseText',
    to: '/enterprise',
    color: '#1d4ed8',
  },
  {
    icon: <BankOutlined />,
    title: 'home.portal.institution',
    text: 'home.portal.institutionText',
    to: '/institution',
    color: '#0f766e',
  },
  {
    icon: <ApiOutlined />,
    title: 'home.portal.provider',
    text: 'home.portal.providerText',
    to: '/provider',
    color: '#b45309',
  },
  {
    icon: <DashboardOutlined />,
    title: 'home.portal.operator',
    text: 'home.portal.operatorText',
    to: '/operator',
    color: '#7c3aed',
  },
];

export function HomePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const stats = useApi((signal) => api.get<PublicStats>('/api/v1/stats/public', undefined, signal), []);

  return (
    <div className="xr-home">
      <section className="xr-hero">
        <Typography.Title level={1} className="xr-hero-title">
          {t('home.title')}
        </Typography.Title>
        <Typography.Paragraph className="xr-hero-sub">{t('home.subtitle')}</Typography.Paragraph>
        <Input.Search
          size="large"
          enterButton={t('action.search')}
          placeholder={t('lookup.placeholder')}
          allowClear
          className="xr-hero-search"
          data-testid="home-search"
          onSearch={(q) => {
            const v = q.trim();
            if (v) navigate(`/lookup?q=${encodeURIComponent(v)}`);
          }}
        />
      </section>

      <section className="xr-section">
        <ProblemAlert error={stats.error} onRetry={stats.reload} style={{ marginBottom: 16 }} />
        <Row gutter={[16, 16]} data-testid="home-stats">
          {figures.map((f) => (
            <Col xs={12} md={6} key={f.key}>
              <Card className="xr-stat-card">
                {stats.loading ? (
                  <Skeleton active paragraph={false} />
                ) : (
                  <Statistic
                    title={t(f.label)}
                    value={stats.data ? Number(stats.data[f.key]) : '—'}
                    suffix={stats.data ? <span className="xr-stat-unit">{t(f.unit)}</span> : undefined}
                    groupSeparator=","
                  />
                )}
              </Card>
            </Col>
          ))}
        </Row>
        {stats.data && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
            {t('home.asOf', { time: formatDateTime(stats.data.asOf) })}
          </Typography.Paragraph>
        )}
      </section>

      <section className="xr-section">
        <Typography.Title level={4}>{t('home.portals')}</Typography.Title>
        <Row gutter={[16, 16]}>
          {portals.map((p) => (
            <Col xs={24} sm={12} lg={6} key={p.to}>
              <Card hoverable className="xr-portal-card" onClick={() => navigate(p.to)}>
                <div className="xr-portal-icon" style={{ color: p.color, background: `${p.color}14` }}>
                  {p.icon}
                </div>
                <Typography.Title level={5} style={{ marginTop: 12 }}>
                  {t(p.title)}
                </Typography.Title>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                  {t(p.text)}
                </Typography.Paragraph>
              </Card>
            </Col>
          ))}
        </Row>
      </section>

      <section className="xr-section">
        <Row gutter={[16, 16]}>
          <Col xs={24} md={12}>
            <Card
              title={
                <>
                  <ReadOutlined /> {t('nav.catalog')}
                </>
              }
            >
              <Typography.Paragraph>{t('home.catalogText')}</Typography.Paragraph>
              <Link to="/catalog">
                <Button>{t('home.browseCatalog')}</Button>
              </Link>
            </Card>
          </Col>
          <Col xs={24} md={12}>
            <Card
              title={
                <>
                  <SafetyCertificateOutlined /> {t('nav.verify')}
                </>
              }
            >
              <Typography.Paragraph>{t('home.verifyText')}</Typography.Paragraph>
              <Input.Search
                placeholder={t('verify.placeholder')}
                enterButton={t('verify.action')}
                onSearch={(v) => {
                  const n = v.trim();
                  if (n) navigate(`/verify/${encodeURIComponent(n)}`);
                }}
              />
            </Card>
          </Col>
        </Row>
      </section>
    </div>
  );
}
