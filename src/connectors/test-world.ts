import type { Actor } from '../access/actor.ts';
import { insertAgreement, insertOrganisation } from '../accounts/organisations.repository.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import type { ConsentPurpose } from '../consent/consent.types.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import type { ConnectorOptions, ConnectorService } from './connector.service.ts';
import type { CreateInterfaceInput } from './connectors.schemas.ts';
import { createConnectors } from './connectors.wiring.ts';
import { sandboxUscc } from './sandbox/sandbox.data.ts';
import { startSandboxProvider, type SandboxOptions, type SandboxProvider } from './sandbox/sandbox.server.ts';

/**
 * Test world for the connectors (not a test file): a real app on a fresh database with the seed
 * catalog, an institution with a data-sharing agreement, a subject, its enterprise user, and helpers
 * to grant consents, register interfaces and start sandbox providers on loopback (port 0).
 */

export const operator: Actor = { type: 'operator', id: 'op-1' };

export interface PullWorld {
  t: TestApp;
  catalog: Catalog;
  uscc: string;
  otherUscc: string;
  institutionId: string;
  /** The institution's machine client. */
  bank: Actor;
  enterprise: Actor & { type: 'enterprise' };
  sandboxes: SandboxProvider[];
  /** A connector service with test-friendly timings (short cooldown and backoff, no registry cache). */
  service(options?: Partial<ConnectorOptions>): ConnectorService;
  grant(
    kinds: string[],
    opts?: { purpose?: ConsentPurpose; maxUses?: number; mode?: 'query' | 'verify' },
  ): Promise<string>;
  revoke(consentId: string): Promise<void>;
  sandbox(opts?: Partial<SandboxOptions>): Promise<SandboxProvider>;
  register(
    svc: ConnectorService,
    kind: string,
    providerId: string,
    sandbox: SandboxProvider,
    extra?: Partial<CreateInterfaceInput>,
  ): Promise<number>;
  /** Deletes every interface (between tests). */
  clearInterfaces(svc: ConnectorService): Promise<void>;
  close(): Promise<void>;
}

export const testConnectorOptions: Partial<ConnectorOptions> = {
  breaker: { failureThreshold: 3, cooldownMs: 300, minCalls: 1_000 },
  backoff: { baseMs: 10, capMs: 40 },
  registryTtlMs: 0,
};

export async function createPullWorld(): Promise<PullWorld> {
  const t = await createTestApp();
  const catalog = await t.ctx.catalog.ensureSeedCatalog();
  const institutionId = 'bank_test';
  await insertOrganisation(t.db, {
    id: institutionId,
    kind: 'institution',
    institution_type: 'bank',
    name_zh: '测试银行',
    uscc: null,
    region_code: null,
    created_by: 'test',
  });
  await insertAgreement(t.db, {
    org_id: institutionId,
    scope_kinds: [],
    scope_categories: [],
    purposes: ['loan_application', 'post_loan_monitoring', 'product_matching'],
    purpose_text: '测试 / test',
    valid_from: '2020-01-01',
    valid_until: '2099-12-31',
    document_ref: null,
    created_by: 'test',
  });
  const uscc = sandboxUscc(424_242);
  const otherUscc = sandboxUscc(777_777);
  const enterprise = { type: 'enterprise' as const, id: 'ent-user-1', uscc };
  const bank: Actor = { type: 'institution_system', id: institutionId, orgId: institutionId };
  const sandboxes: SandboxProvider[] = [];

  return {
    t,
    catalog,
    uscc,
    otherUscc,
    institutionId,
    bank,
    enterprise,
    sandboxes,
    service: (options) =>
      createConnectors({
        db: t.db,
        catalog: t.ctx.catalog,
        fieldCrypto: t.ctx.fieldCrypto,
        keyring: t.ctx.keyring,
        options: { ...testConnectorOptions, ...options },
      }),
    async grant(kinds, opts = {}) {
      // The grant reads the catalog service inside its transaction; refresh its cache first so that
      // read never goes to the database (on PGlite it would wait for ever: reported to the consent owner).
      await t.ctx.catalog.getCurrent();
      const c = await t.ctx.consent.grantConsent(enterprise, {
        institutionId,
        purpose: opts.purpose ?? 'loan_application',
        scope: { kinds },
        mode: opts.mode ?? 'query',
        validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        maxUses: opts.maxUses ?? null,
      });
      return c.id;
    },
    async revoke(consentId) {
      await t.ctx.consent.revokeConsent(enterprise, consentId, 'test');
    },
    async sandbox(opts = {}) {
      const s = await startSandboxProvider({ catalog, ...opts });
      sandboxes.push(s);
      return s;
    },
    async register(svc, kind, providerId, sandbox, extra = {}) {
      const v = await svc.createInterface(operator, {
        providerId,
        kind,
        baseUrl: `${sandbox.url}/kinds/${kind}`,
        auth: { type: 'none' },
        timeoutMs: 2_000,
        retries: 1,
        rateLimitPerSecond: 0,
        maxConcurrency: 16,
        cacheTtlSeconds: 0,
        storeAsRecords: null,
        enabled: true,
        note: '',
        ...extra,
      });
      return v.id;
    },
    async clearInterfaces(svc) {
      for (const i of await svc.listInterfaces(operator)) await svc.deleteInterface(operator, i.id);
    },
    async close() {
      await Promise.all(sandboxes.map((s) => s.close()));
      await t.close();
    },
  };
}
