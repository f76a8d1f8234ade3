import { lazy, type ComponentType } from 'react';
import { Route, Routes } from 'react-router-dom';
import { RequireRole } from '../auth/RequireRole.tsx';
import type { PortalRole } from '../auth/auth.tsx';
import { AppLayout } from '../layout/AppLayout.tsx';

/** Pages load on demand: a visitor of the public pages never downloads the operator's charts. */
function page<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const HomePage = page(() => import('../pages/public/HomePage.tsx'), 'HomePage');
const LookupPage = page(() => import('../pages/public/LookupPage.tsx'), 'LookupPage');
const SubjectPublicPage = page(() => import('../pages/public/SubjectPublicPage.tsx'), 'SubjectPublicPage');
const CatalogPage = page(() => import('../pages/public/CatalogPage.tsx'), 'CatalogPage');
const VerifyPage = page(() => import('../pages/public/VerifyPage.tsx'), 'VerifyPage');
const LoginPage = page(() => import('../pages/public/LoginPage.tsx'), 'LoginPage');
const RegisterPage = page(() => import('../pages/public/RegisterPage.tsx'), 'RegisterPage');
const NotFoundPage = page(() => import('../pages/public/NotFoundPage.tsx'), 'NotFoundPage');

const EntProfilePage = page(() => import('../pages/enterprise/ProfilePage.tsx'), 'ProfilePage');
const EntEvaluationPage = page(() => import('../pages/enterprise/EvaluationPage.tsx'), 'EvaluationPage');
const EntConsentsPage = page(() => import('../pages/enterprise/ConsentsPage.tsx'), 'ConsentsPage');
const EntAccessLogPage = page(() => import('../pages/enterprise/AccessLogPage.tsx'), 'AccessLogPage');
const EntReportsPage = page(() => import('../pages/enterprise/ReportsPage.tsx'), 'ReportsPage');
const EntRightsPage = page(() => import('../pages/enterprise/RightsPage.tsx'), 'RightsPage');
const EntDeclarationsPage = page(
  () => import('../pages/enterprise/DeclarationsPage.tsx'),
  'DeclarationsPage',
);

const InstSearchPage = page(() => import('../pages/institution/SearchPage.tsx'), 'SearchPage');
const InstSubjectPage = page(() => import('../pages/institution/SubjectPage.tsx'), 'SubjectPage');
const InstConsentsPage = page(() => import('../pages/institution/ConsentsPage.tsx'), 'ConsentsPage');
const InstScoresPage = page(() => import('../pages/institution/ScoresPage.tsx'), 'ScoresPage');
const InstReportsPage = page(() => import('../pages/institution/ReportsPage.tsx'), 'ReportsPage');
const InstWhitelistPage = page(() => import('../pages/institution/WhitelistPage.tsx'), 'WhitelistPage');

const ProvUploadPage = page(() => import('../pages/provider/UploadPage.tsx'), 'UploadPage');
const ProvBatchesPage = page(() => import('../pages/provider/BatchesPage.tsx'), 'BatchesPage');
const ProvBatchPage = page(() => import('../pages/provider/BatchPage.tsx'), 'BatchPage');
const ProvObjectionsPage = page(() => import('../pages/provider/ObjectionsPage.tsx'), 'ObjectionsPage');
const ProvTemplatesPage = page(() => import('../pages/provider/TemplatesPage.tsx'), 'TemplatesPage');

const OpDashboardPage = page(() => import('../pages/operator/DashboardPage.tsx'), 'DashboardPage');
const OpCatalogPage = page(() => import('../pages/operator/CatalogAdminPage.tsx'), 'CatalogAdminPage');
const OpOnboardingPage = page(() => import('../pages/operator/OnboardingPage.tsx'), 'OnboardingPage');
const OpRightsPage = page(() => import('../pages/operator/RightsPage.tsx'), 'RightsPage');
const OpLedgerPage = page(() => import('../pages/operator/LedgerPage.tsx'), 'LedgerPage');
const OpAccessLogPage = page(() => import('../pages/operator/AccessLogPage.tsx'), 'AccessLogPage');
const OpWhitelistPage = page(() => import('../pages/operator/WhitelistPage.tsx'), 'WhitelistPage');

const RecScreenPage = page(() => import('../pages/recommender/ScreenPage.tsx'), 'ScreenPage');
const RecEntriesPage = page(() => import('../pages/recommender/EntriesPage.tsx'), 'EntriesPage');

function guard(roles: PortalRole[], Page: ComponentType) {
  return (
    <RequireRole roles={roles}>
      <Page />
    </RequireRole>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<HomePage />} />
        <Route path="lookup" element={<LookupPage />} />
        <Route path="subjects/:uscc" element={<SubjectPublicPage />} />
        <Route path="catalog" element={<CatalogPage />} />
        <Route path="catalog/:kind" element={<CatalogPage />} />
        <Route path="verify" element={<VerifyPage />} />
        <Route path="verify/:number" element={<VerifyPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="register" element={<RegisterPage />} />

        <Route path="enterprise" element={guard(['enterprise'], EntProfilePage)} />
        <Route path="enterprise/evaluation" element={guard(['enterprise'], EntEvaluationPage)} />
        <Route path="enterprise/consents" element={guard(['enterprise'], EntConsentsPage)} />
        <Route path="enterprise/access-log" element={guard(['enterprise'], EntAccessLogPage)} />
        <Route path="enterprise/reports" element={guard(['enterprise'], EntReportsPage)} />
        <Route path="enterprise/rights" element={guard(['enterprise'], EntRightsPage)} />
        <Route path="enterprise/declarations" element={guard(['enterprise'], EntDeclarationsPage)} />

        <Route path="institution" element={guard(['institution'], InstSearchPage)} />
        <Route path="institution/subjects/:uscc" element={guard(['institution'], InstSubjectPage)} />
        <Route path="institution/consents" element={guard(['institution'], InstConsentsPage)} />
        <Route path="institution/scores" element={guard(['institution'], InstScoresPage)} />
        <Route path="institution/reports" element={guard(['institution'], InstReportsPage)} />
        <Route path="institution/whitelist" element={guard(['institution'], InstWhitelistPage)} />

        <Route path="provider" element={guard(['provider'], ProvUploadPage)} />
        <Route path="provider/batches" element={guard(['provider', 'operator'], ProvBatchesPage)} />
        <Route path="provider/batches/:id" element={guard(['provider', 'operator'], ProvBatchPage)} />
        <Route path="provider/templates" element={guard(['provider'], ProvTemplatesPage)} />
        <Route path="provider/objections" element={guard(['provider'], ProvObjectionsPage)} />

        <Route path="operator" element={guard(['operator'], OpDashboardPage)} />
        <Route path="operator/catalog" element={guard(['operator'], OpCatalogPage)} />
        <Route path="operator/onboarding" element={guard(['operator'], OpOnboardingPage)} />
        <Route path="operator/ledger" element={guard(['operator'], OpLedgerPage)} />
        <Route path="operator/rights" element={guard(['operator'], OpRightsPage)} />
        <Route path="operator/access-log" element={guard(['operator'], OpAccessLogPage)} />
        <Route path="operator/whitelist" element={guard(['operator'], OpWhitelistPage)} />

        <Route path="recommender" element={guard(['recommender'], RecScreenPage)} />
        <Route path="recommender/entries" element={guard(['recommender'], RecEntriesPage)} />

        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
