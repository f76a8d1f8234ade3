import {
  ApiOutlined,
  AuditOutlined,
  BankOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  CloudUploadOutlined,
  DashboardOutlined,
  DownloadOutlined,
  ExceptionOutlined,
  FileProtectOutlined,
  FileSearchOutlined,
  FormOutlined,
  HistoryOutlined,
  HomeOutlined,
  IdcardOutlined,
  LogoutOutlined,
  MenuOutlined,
  ProfileOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UserOutlined,
} from '@ant-design/icons';
import {
  App as AntApp,
  Button,
  Drawer,
  Dropdown,
  Grid,
  Layout,
  Menu,
  Segmented,
  Space,
  Typography,
} from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { roleHome, useAuth, type PortalRole } from '../auth/auth.tsx';
import { useI18n, type Locale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { PageLoading } from '../components/PageLoading.tsx';

interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
}

export const publicNav: NavItem[] = [
  { path: '/', label: 'nav.home', icon: <HomeOutlined /> },
  { path: '/lookup', label: 'nav.lookup', icon: <SearchOutlined /> },
  { path: '/catalog', label: 'nav.catalog', icon: <ReadOutlined /> },
  { path: '/verify', label: 'nav.verify', icon: <SafetyCertificateOutlined /> },
];

export const roleNav: Record<PortalRole, NavItem[]> = {
  enterprise: [
    { path: '/enterprise', label: 'nav.ent.profile', icon: <ProfileOutlined /> },
    { path: '/enterprise/evaluation', label: 'nav.ent.evaluation', icon: <BarChartOutlined /> },
    { path: '/enterprise/consents', label: 'nav.ent.consents', icon: <FileProtectOutlined /> },
    { path: '/enterprise/access-log', label: 'nav.ent.accessLog', icon: <HistoryOutlined /> },
    { path: '/enterprise/reports', label: 'nav.ent.reports', icon: <DownloadOutlined /> },
    { path: '/enterprise/rights', label: 'nav.ent.rights', icon: <ExceptionOutlined /> },
    { path: '/enterprise/declarations', label: 'nav.ent.declarations', icon: <FormOutlined /> },
  ],
  institution: [
    { path: '/institution', label: 'nav.inst.search', icon: <FileSearchOutlined /> },
    { path: '/institution/consents', label: 'nav.inst.consents', icon: <FileProtectOutlined /> },
    { path: '/institution/scores', label: 'nav.inst.scores', icon: <BarChartOutlined /> },
    { path: '/institution/reports', label: 'nav.inst.reports', icon: <DownloadOutlined /> },
    { path: '/institution/whitelist', label: 'nav.inst.whitelist', icon: <CheckSquareOutlined /> },
  ],
  provider: [
    { path: '/provider', label: 'nav.prov.upload', icon: <CloudUploadOutlined /> },
    { path: '/provider/batches', label: 'nav.prov.batches', icon: <UnorderedListOutlined /> },
    { path: '/provider/templates', label: 'nav.prov.templates', icon: <DownloadOutlined /> },
    { path: '/provider/objections', label: 'nav.prov.objections', icon: <ExceptionOutlined /> },
  ],
  operator: [
    { path: '/operator', label: 'nav.op.dashboard', icon: <DashboardOutlined /> },
    { path: '/operator/catalog', label: 'nav.op.catalog', icon: <ReadOutlined /> },
    { path: '/operator/onboarding', label: 'nav.op.onboarding', icon: <TeamOutlined /> },
    { path: '/provider/batches', label: 'nav.op.batches', icon: <UnorderedListOutlined /> },
    { path: '/operator/rights', label: 'nav.op.rights', icon: <ExceptionOutlined /> },
    { path: '/operator/whitelist', label: 'nav.op.whitelist', icon: <CheckSquareOutlined /> },
    { path: '/operator/ledger', label: 'nav.op.ledger', icon: <AuditOutlined /> },
    { path: '/operator/access-log', label: 'nav.op.accessLog', icon: <HistoryOutlined /> },
  ],
  recommender: [
    { path: '/recommender', label: 'nav.rec.screen', icon: <FileSearchOutlined /> },
    { path: '/recommender/entries', label: 'nav.rec.entries', icon: <CheckSquareOutlined /> },
  ],
};

const roleLabel: Record<PortalRole, MessageKey> = {
  enterprise: 'role.enterprise',
  institution: 'role.institution',
  provider: 'role.provider',
  operator: 'role.operator',
  recommender: 'role.recommender',
};

const roleIcon: Record<PortalRole, ReactNode> = {
  enterprise: <IdcardOutlined />,
  institution: <BankOutlined />,
  provider: <ApiOutlined />,
  operator: <DashboardOutlined />,
  recommender: <TeamOutlined />,
};

/** The menu key for a path: the longest nav path that prefixes it. */
function selectedKey(pathname: string, items: NavItem[]): string | undefined {
  let best: string | undefined;
  for (const it of items) {
    const match =
      it.path === '/' ? pathname === '/' : pathname === it.path || pathname.startsWith(`${it.path}/`);
    if (match && (!best || it.path.length > best.length)) best = it.path;
  }
  return best;
}

function LanguageSwitch() {
  const { locale, setLocale } = useI18n();
  return (
    <Segmented<Locale>
      size="small"
      value={locale}
      onChange={setLocale}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'EN', value: 'en' },
      ]}
      aria-label="language / 语言"
      data-testid="lang-switch"
    />
  );
}

export function AppLayout() {
  const { t } = useI18n();
  const { me, logout } = useAuth();
  const { message } = AntApp.useApp();
  const screens = Grid.useBreakpoint();
  const isDesktop = screens.md ?? true;
  const location = useLocation();
  const navigate = useNavigate();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);

  const portalItems = me ? roleNav[me.role] : [];
  const inPortal = portalItems.some((it) => selectedKey(location.pathname, [it]));

  const toMenu = (items: NavItem[]): MenuProps['items'] =>
    items.map((it) => ({ key: it.path, icon: it.icon, label: <Link to={it.path}>{t(it.label)}</Link> }));

  const publicKey = selectedKey(location.pathname, publicNav);
  const portalKey = selectedKey(location.pathname, portalItems);

  const doLogout = async () => {
    try {
      await logout();
      message.success(t('auth.loggedOut'));
    } catch {
      message.warning(t('auth.logoutFailed'));
    }
    navigate('/');
  };

  const userMenu: MenuProps['items'] = me
    ? [
        {
          key: 'portal',
          icon: roleIcon[me.role],
          label: <Link to={roleHome[me.role]}>{t('nav.myPortal')}</Link>,
        },
        { type: 'divider' },
        { key: 'logout', icon: <LogoutOutlined />, label: t('auth.logout'), onClick: () => void doLogout() },
      ]
    : [];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="xr-header">
        {!isDesktop && (
          <Button
            type="text"
            icon={<MenuOutlined />}
            onClick={() => setDrawerOpen(true)}
            aria-label={t('nav.openMenu')}
            data-testid="menu-toggle"
            className="xr-header-btn"
          />
        )}
        <Link to="/" className="xr-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span className="xr-brand-name">{t('app.name')}</span>
          {(screens.lg ?? false) && <span className="xr-brand-sub">{t('app.tagline')}</span>}
        </Link>
        {isDesktop && (
          <Menu
            mode="horizontal"
            theme="dark"
            selectedKeys={publicKey ? [publicKey] : []}
            items={toMenu(publicNav)}
            className="xr-top-menu"
          />
        )}
        <div style={{ flex: isDesktop ? 'none' : 1 }} />
        <Space size={isDesktop ? 12 : 6}>
          <LanguageSwitch />
          {me ? (
            <Dropdown menu={{ items: userMenu }} trigger={['click']}>
              <Button type="text" className="xr-header-btn" icon={<UserOutlined />} data-testid="user-menu">
                {isDesktop && (
                  <span>
                    {me.displayName}
                    <Typography.Text style={{ color: 'rgba(255,255,255,0.65)', marginInlineStart: 6 }}>
                      {t(roleLabel[me.role])}
                    </Typography.Text>
                  </span>
                )}
              </Button>
            </Dropdown>
          ) : (
            <Button
              type="primary"
              ghost
              size={isDesktop ? 'middle' : 'small'}
              onClick={() => navigate('/login')}
            >
              {t('auth.login')}
            </Button>
          )}
        </Space>
      </Layout.Header>
      <Layout>
        {isDesktop && inPortal && me && (
          <Layout.Sider
            theme="light"
            collapsible
            collapsed={collapsed}
            onCollapse={setCollapsed}
            width={208}
            className="xr-sider"
            style={{ position: 'sticky', top: 64, height: 'calc(100vh - 64px)', overflow: 'auto' }}
          >
            <div className="xr-sider-title">{collapsed ? roleIcon[me.role] : t(roleLabel[me.role])}</div>
            <Menu mode="inline" selectedKeys={portalKey ? [portalKey] : []} items={toMenu(portalItems)} />
          </Layout.Sider>
        )}
        <Layout.Content className="xr-content">
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      <Layout.Footer className="xr-footer">
        <div>{t('app.footer')}</div>
        <div>
          <a href="/docs">{t('app.apiDocs')}</a>
        </div>
      </Layout.Footer>
      <Drawer
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        placement="left"
        size={272}
        title={t('app.name')}
        styles={{ body: { padding: 0 } }}
      >
        <div onClick={() => setDrawerOpen(false)} data-testid="mobile-menu">
          <Menu mode="inline" selectedKeys={publicKey ? [publicKey] : []} items={toMenu(publicNav)} />
          {me && portalItems.length > 0 && (
            <>
              <div className="xr-drawer-section">{t(roleLabel[me.role])}</div>
              <Menu mode="inline" selectedKeys={portalKey ? [portalKey] : []} items={toMenu(portalItems)} />
            </>
          )}
        </div>
      </Drawer>
    </Layout>
  );
}
