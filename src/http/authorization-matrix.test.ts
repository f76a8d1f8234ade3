import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { roles, type Role } from '../access/actor.ts';
import {
  createSigner,
  ensureInstitution,
  ensureProvider,
  loginAs,
  testUscc,
} from '../accounts/accounts.testing.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';

/**
 * The authorization matrix: every registered route × every role and anonymous. The table below is
 * the reviewed expectation; the test fails when
 *  - a route exists that the table does not list (add it here, with who may call it),
 *  - a listed route's declared `config.access` differs from the table (a change of access is a
 *    reviewed change: update both), or
 *  - a request by some role is let through or refused contrary to the table.
 * "Refused" means refused by the route's declaration (the problem names `requiredRoles`), so a
 * service's own later refusal (e.g. not your consent) is not mistaken for the route's.
 */

type Expect = 'public' | readonly Role[];
const P = 'public' as const;
const all = roles;

/** "METHOD url" → who may call it. Keep sorted by URL within each domain block. */
const expected: Record<string, Expect> = {
  // system
  'GET /api/v1/health': P,
  // accounts (issue 4)
  'POST /api/v1/auth/register-enterprise': P,
  'POST /api/v1/auth/login': P,
  'POST /api/v1/auth/totp/verify': P,
  'POST /api/v1/auth/logout': P,
  'GET /api/v1/me': all,
  'GET /api/v1/institutions': ['operator'],
  'POST /api/v1/institutions': ['operator'],
  'GET /api/v1/institutions/:id': ['operator', 'institution'],
  'POST /api/v1/institutions/:id/agreements': ['operator'],
  'GET /api/v1/institutions/:id/keys': ['operator'],
  'POST /api/v1/institutions/:id/keys': ['operator'],
  'GET /api/v1/providers': ['operator'],
  'POST /api/v1/providers': ['operator'],
  'GET /api/v1/providers/:id': ['operator', 'provider'],
  'POST /api/v1/providers/:id/agreements': ['operator'],
  'GET /api/v1/providers/:id/keys': ['operator'],
  'POST /api/v1/providers/:id/keys': ['operator'],
  'POST /api/v1/keys/:id/revoke': ['operator'],
  'GET /api/v1/directory/institutions': P,
  'GET /api/v1/organisations': ['operator'],
  'POST /api/v1/organisations': ['operator'],
  'GET /api/v1/users': ['operator'],
  'POST /api/v1/users': ['operator'],
  // consent (issue 4)
  'POST /api/v1/consents': ['enterprise'],
  'GET /api/v1/consents': ['enterprise', 'institution', 'institution_system', 'operator'],
  'GET /api/v1/consents/:id': ['enterprise', 'institution', 'institution_system', 'operator'],
  'POST /api/v1/consents/:id/revoke': ['enterprise'],
  'POST /api/v1/written-authorizations': ['institution'],
  'GET /api/v1/written-authorizations': ['institution', 'operator'],
  'GET /api/v1/written-authorizations/:id/scan': ['institution', 'operator'],
  'POST /api/v1/written-authorizations/:id/confirm': ['operator'],
  'POST /api/v1/written-authorizations/:id/reject': ['operator'],
  'GET /api/v1/verify-questions': P,
  'POST /api/v1/subjects/:uscc/verify': ['institution', 'institution_system'],
  // the read path and the access log (issue 4)
  'GET /api/v1/subjects/:uscc/records': P,
  'GET /api/v1/me/access-log': ['enterprise'],
  'GET /api/v1/access-log': ['operator'],
  // ingestion
  'POST /api/v1/batches': ['provider', 'operator'],
  'POST /api/v1/batches/upload': ['provider', 'operator'],
  'GET /api/v1/batches': ['provider', 'operator'],
  'GET /api/v1/batches/:id': ['provider', 'operator'],
  'GET /api/v1/batches/:id/errors': ['provider', 'operator'],
  'POST /api/v1/records/correct': ['provider', 'operator'],
  'POST /api/v1/records/withdraw': ['provider', 'operator'],
  'POST /api/v1/records/restore': ['provider', 'operator'],
  // catalog
  'GET /api/v1/catalog': P,
  'GET /api/v1/catalog/versions': P,
  'GET /api/v1/catalog/versions/:version': P,
  'GET /api/v1/catalog/kinds/:code': P,
  'POST /api/v1/catalog/import': ['operator'],
  'GET /api/v1/catalog/kinds/:code/template.xlsx': ['provider', 'operator'],
  // subjects
  'GET /api/v1/subjects': P,
  'GET /api/v1/subjects/:uscc': P,
  'GET /api/v1/regions': P,
  'GET /api/v1/industries': P,
  // web
  'GET /api/v1/stats/public': P,
  'GET /api/v1/stats/ingestion': ['operator'],
  'GET /api/v1/stats/providers': ['operator'],
  'GET /assets/*': P,
  'GET /*': P,
  // connectors
  'GET /api/v1/connectors/interfaces': ['operator', 'provider'],
  'POST /api/v1/connectors/interfaces': ['operator', 'provider'],
  'GET /api/v1/connectors/interfaces/:id': ['operator', 'provider'],
  'PATCH /api/v1/connectors/interfaces/:id': ['operator', 'provider'],
  'DELETE /api/v1/connectors/interfaces/:id': ['operator', 'provider'],
  'GET /api/v1/connectors/health': ['operator'],
  'POST /api/v1/subjects/:uscc/pull': ['institution', 'institution_system', 'enterprise'],
  // evaluation, profiles and the data safe room (issue 7)
  'GET /api/v1/subjects/:uscc/evaluation': ['enterprise', 'institution', 'institution_system', 'operator'],
  'GET /api/v1/evaluation/model': P,
  'GET /api/v1/evaluation/models': ['operator'],
  'POST /api/v1/evaluation/models': ['operator'],
  'POST /api/v1/evaluation/runs': ['operator'],
  'GET /api/v1/evaluation/runs': ['operator'],
  'GET /api/v1/evaluation/runs/:id': ['operator'],
  'POST /api/v1/saferoom/jobs': ['institution', 'institution_system'],
  'GET /api/v1/saferoom/jobs': ['institution', 'institution_system', 'operator'],
  'GET /api/v1/saferoom/jobs/:id': ['institution', 'institution_system', 'operator'],
  'POST /api/v1/saferoom/jobs/:id/scores': ['institution', 'institution_system'],
  'GET /api/v1/subjects/:uscc/profile': P,
  // ledger (issue 3): public reads, operator-only full verification
  'GET /api/v1/ledger/checkpoint': P,
  'GET /api/v1/ledger/public-key': P,
  'GET /api/v1/ledger/status': P,
  'GET /api/v1/ledger/proof/inclusion': P,
  'GET /api/v1/ledger/proof/consistency': P,
  'GET /api/v1/ledger/entries/:index': P,
  'GET /api/v1/ledger/bundle/:index': P,
  'POST /api/v1/ledger/verify': ['operator'],
  // reports (issue 6): issue and fetch are public routes, the service applies the per-type rules
  'POST /api/v1/reports': P,
  'GET /api/v1/reports': [
    'enterprise',
    'institution',
    'institution_system',
    'operator',
    'provider',
    'recommender',
  ],
  'GET /api/v1/reports/verify/:number': P,
  'GET /api/v1/reports/:number/verify': P,
  'POST /api/v1/reports/verify': P,
  'GET /api/v1/reports/:number': P,
  // subject rights (issue 9): objections, repair, commitments, declarations
  'GET /api/v1/rights/calendar': P,
  'POST /api/v1/rights/calendar': ['operator'],
  'POST /api/v1/objections': ['enterprise'],
  'GET /api/v1/objections': ['enterprise', 'operator', 'provider'],
  'POST /api/v1/objections/check-overdue': ['operator'],
  'GET /api/v1/objections/:id': ['enterprise', 'operator', 'provider'],
  'GET /api/v1/objections/:id/attachments/:attachmentId': ['enterprise', 'operator', 'provider'],
  'POST /api/v1/objections/:id/accept': ['operator'],
  'POST /api/v1/objections/:id/forward': ['operator'],
  'POST /api/v1/objections/:id/answer': ['provider'],
  'POST /api/v1/objections/:id/decide': ['operator'],
  'GET /api/v1/commitments/text': P,
  'POST /api/v1/commitments': ['enterprise'],
  'POST /api/v1/commitments/:id/break': ['operator'],
  'GET /api/v1/commitments/breaches': ['enterprise', 'operator'],
  'POST /api/v1/commitments/breaches/:id/review': ['operator'],
  'POST /api/v1/commitments/check': ['operator'],
  'GET /api/v1/subjects/:uscc/commitments': P,
  'GET /api/v1/declarations/types': P,
  'POST /api/v1/declarations': ['enterprise'],
  'GET /api/v1/subjects/:uscc/declarations': P,
  'POST /api/v1/repairs': ['enterprise'],
  'GET /api/v1/repairs': ['enterprise', 'operator'],
  'GET /api/v1/repairs/:id': ['enterprise', 'operator'],
  'POST /api/v1/repairs/:id/review': ['operator'],
  // financing whitelist (白名单): recommenders propose, operators review, institutions read
  'GET /api/v1/whitelist/categories': P,
  'POST /api/v1/whitelist': ['recommender'],
  'GET /api/v1/whitelist': ['recommender', 'institution', 'institution_system', 'operator'],
  'GET /api/v1/whitelist/:id': ['recommender', 'institution', 'institution_system', 'operator', 'enterprise'],
  'POST /api/v1/whitelist/:id/withdraw': ['recommender'],
  'POST /api/v1/whitelist/:id/review': ['operator'],
  'POST /api/v1/whitelist/:id/remove': ['operator'],
  'GET /api/v1/subjects/:uscc/whitelist': [
    'enterprise',
    'recommender',
    'institution',
    'institution_system',
    'operator',
  ],
};

function sameAccess(a: Expect, b: Expect): boolean {
  if (a === 'public' || b === 'public') return a === b;
  return [...a].sort().join(',') === [...b].sort().join(',');
}

function describeAccess(a: Expect): string {
  return a === 'public' ? "'public'" : `[${a.map((r) => `'${r}'`).join(', ')}]`;
}

const uscc = testUscc(7);

function concreteUrl(url: string): string {
  return url
    .replace(':uscc', uscc)
    .replace(':version', '1')
    .replace(':code', 'admin_penalty')
    .replace(/:[a-zA-Z]+/g, 'matrix-x')
    .replace('*', 'matrix-x');
}

describe('authorization matrix: every route × every role', () => {
  let t: TestApp;
  type Caller = (method: string, url: string) => Promise<{ statusCode: number; body: string }>;
  /** Every role, and a second way of being some role (provider users beside provider systems). */
  type Who = Role | 'anonymous' | 'provider_user';
  const roleOf = (who: Who): Role | 'anonymous' => (who === 'provider_user' ? 'provider' : who);
  const callers = new Map<Who, Caller>();

  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    const bank = await ensureInstitution(t.ctx);
    const provider = await ensureProvider(t.ctx, 'tax');
    const bankSigner = await createSigner(t.ctx, bank);
    const providerSigner = await createSigner(t.ctx, provider, 'HMAC-SM3');
    const withPayload = (method: string) => method !== 'GET' && method !== 'DELETE';
    const viaCookie = async (
      role: 'enterprise' | 'institution' | 'operator' | 'recommender' | 'provider',
    ): Promise<Caller> => {
      const opts = role === 'enterprise' ? { uscc } : role === 'provider' ? { orgId: provider } : {};
      let session = await loginAs(t, role, opts);
      const login = () => loginAs(t, role, { ...opts, username: session.username, uscc });
      return async (method, url) => {
        const res = await t.inject({
          method: method as 'GET',
          url,
          headers: session.headers,
          ...(withPayload(method) ? { payload: {} } : {}),
        });
        // Logging out ends the session: continue with a new one.
        if (url === '/api/v1/auth/logout') session = await login();
        return res;
      };
    };
    const viaSignature =
      (signer: typeof bankSigner): Caller =>
      (method, url) => {
        const body = withPayload(method) ? '{}' : undefined;
        return t.inject({
          method: method as 'GET',
          url,
          headers: signer.sign(method, url, body),
          ...(body ? { payload: body } : {}),
        });
      };
    callers.set('anonymous', (method, url) =>
      t.inject({ method: method as 'GET', url, ...(withPayload(method) ? { payload: {} } : {}) }),
    );
    callers.set('enterprise', await viaCookie('enterprise'));
    callers.set('institution', await viaCookie('institution'));
    callers.set('operator', await viaCookie('operator'));
    callers.set('recommender', await viaCookie('recommender'));
    callers.set('institution_system', viaSignature(bankSigner));
    callers.set('provider', viaSignature(providerSigner));
    // Provider users (people, password + TOTP) have exactly the access of the provider's systems.
    callers.set('provider_user', await viaCookie('provider'));
  });
  after(() => t.close());

  it('lists every registered route in the table, with the access it declares', () => {
    const problems: string[] = [];
    for (const r of t.routes) {
      const key = `${r.method} ${r.url}`;
      const want = expected[key];
      if (want === undefined) {
        problems.push(
          `route ${key} is missing from the authorization matrix: add  '${key}': ${describeAccess(r.access)},  to \`expected\` in src/http/authorization-matrix.test.ts`,
        );
      } else if (!sameAccess(want, r.access)) {
        problems.push(
          `route ${key} declares ${describeAccess(r.access)} but the matrix expects ${describeAccess(want)}`,
        );
      }
    }
    const registered = new Set(t.routes.map((r) => `${r.method} ${r.url}`));
    for (const key of Object.keys(expected)) {
      if (!registered.has(key)) {
        problems.push(`the matrix lists ${key}, which is no longer registered: remove it`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('lets through exactly the roles the table names, for every route', async () => {
    const wrong: string[] = [];
    for (const r of t.routes) {
      const want = expected[`${r.method} ${r.url}`];
      if (want === undefined) continue; // reported by the test above
      const url = concreteUrl(r.url);
      for (const who of ['anonymous', ...roles, 'provider_user'] as const) {
        const res = await callers.get(who)!(r.method, url);
        let deniedByRoute = false;
        if (res.statusCode === 401 || res.statusCode === 403) {
          try {
            deniedByRoute = Array.isArray(JSON.parse(res.body).requiredRoles);
          } catch {
            deniedByRoute = false;
          }
        }
        const role = roleOf(who);
        const shouldPass = want === 'public' || (role !== 'anonymous' && want.includes(role));
        if (shouldPass === deniedByRoute) {
          wrong.push(`${r.method} ${r.url} as ${who}: ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
        if (!shouldPass) {
          assert.equal(res.statusCode, who === 'anonymous' ? 401 : 403, `${r.method} ${r.url} as ${who}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});
