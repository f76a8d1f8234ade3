import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { systemRoutes } from './system.routes.ts';
import { evaluationRoutes } from '../evaluation/evaluation.routes.ts';
import { safeRoomRoutes } from '../saferoom/saferoom.routes.ts';
import { profilesRoutes } from '../profiles/profiles.routes.ts';
import { accountsRoutes } from '../accounts/accounts.routes.ts';
import { consentRoutes } from '../consent/consent.routes.ts';
import { accessRoutes } from '../access/access.routes.ts';
import { ingestRoutes } from '../ingest/ingest.routes.ts';
import { recordsRoutes } from '../records/records.routes.ts';
import { catalogRoutes } from '../catalog/catalog.routes.ts';
import { subjectsRoutes } from '../subjects/subjects.routes.ts';
import { statsRoutes } from '../web/stats.routes.ts';
import { templateRoutes } from '../web/template.routes.ts';
import { webRoutes } from '../web/web.routes.ts';
import { connectorsRoutes } from '../connectors/connectors.routes.ts';
import { reportsRoutes } from '../reports/reports.routes.ts';
import { ledgerRoutes } from '../ledger/ledger.routes.ts';
import { rightsRoutes } from '../rights/rights.routes.ts';
import { whitelistRoutes } from '../whitelist/whitelist.routes.ts';

/**
 * Every domain's routes, registered in one place (no auto-loading): a newcomer reads this list to
 * find what the API offers. Each plugin receives the AppContext.
 */
export async function registerDomainRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(systemRoutes, { ctx });
  await app.register(accountsRoutes, { ctx });
  await app.register(consentRoutes, { ctx });
  await app.register(accessRoutes, { ctx });
  await app.register(ingestRoutes, { ctx });
  await app.register(recordsRoutes, { ctx });
  await app.register(catalogRoutes, { ctx });
  await app.register(subjectsRoutes, { ctx });
  await app.register(statsRoutes, { ctx });
  await app.register(templateRoutes, { ctx });
  await app.register(connectorsRoutes, { ctx });
  await app.register(evaluationRoutes, { ctx });
  await app.register(safeRoomRoutes, { ctx });
  await app.register(profilesRoutes, { ctx });
  await app.register(reportsRoutes, { ctx });
  await app.register(ledgerRoutes, { ctx });
  await app.register(rightsRoutes, { ctx });
  await app.register(whitelistRoutes, { ctx });
  // Last: the web app's catch-all GET /* (static routes above always win over the wildcard).
  await app.register(webRoutes, { ctx });
}
