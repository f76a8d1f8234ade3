import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { buildApp } from '../http/app.ts';
import { createPullWorld, operator, type PullWorld } from './test-world.ts';

/**
 * The HTTP surface: who may manage interfaces, see health and pull; responses never carry secrets;
 * a broken provider yields a section marked unavailable, never a 500. Actors are injected with a test
 * resolver (the authentication itself is the accounts module's and tested there).
 */
describe('connectors routes', () => {
  let w: PullWorld;
  let app: FastifyInstance;

  before(async () => {
    w = await createPullWorld();
    const built = await buildApp(w.t.ctx, {
      resolveActor: async (req) => {
        const h = req.headers['x-test-actor'];
        return typeof h === 'string' ? (JSON.parse(h) as Actor) : { type: 'anonymous' };
      },
    });
    app = built.app;
    await app.ready();
  });
  after(async () => {
    await app.close();
    await w.close();
  });

  const as = (actor: Actor | null, opts: InjectOptions) =>
    app.inject({
      ...opts,
      headers: { ...(actor ? { 'x-test-actor': JSON.stringify(actor) } : {}), ...opts.headers },
    });
  const taxProvider: Actor = { type: 'provider', id: 'tax-system', orgId: 'tax' };
  const cnipaProvider: Actor = { type: 'provider', id: 'cnipa-system', orgId: 'cnipa' };

  it('lets an operator register an interface and never returns its secret', async () => {
    const s = await w.sandbox();
    const res = await as(operator, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: {
        providerId: 'tax',
        kind: 'tax_arrears',
        baseUrl: `${s.url}/kinds/tax_arrears`,
        auth: { type: 'bearer', token: 'super-secret-token-123' },
        timeoutMs: 1500,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.kind, 'tax_arrears');
    assert.equal(body.kindNameZh, '欠税信息');
    assert.equal(body.timeoutMs, 1500);
    assert.equal(body.retries, 2, 'defaults apply');
    assert.deepEqual(body.auth, { type: 'bearer', keyId: null, algorithm: null, hasSecret: true });
    assert.equal(body.storeAsRecords, false, 'pull-only kind: shown, not stored (catalog default)');
    assert.equal(body.storeAsRecordsSource, 'catalog');
    assert.ok(!res.body.includes('super-secret-token-123'));

    const dup = await as(operator, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { providerId: 'tax', kind: 'tax_arrears', baseUrl: 'https://tax.example.gov.cn/a' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().code, 'connector_interface_exists');
    const taken = await as(operator, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { providerId: 'other_tax', kind: 'tax_arrears', baseUrl: 'https://tax2.example.gov.cn/a' },
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'connector_kind_taken');
    assert.match(taken.json().message.zh, /已有启用的接口/);
  });

  it('lets a provider manage only its own interfaces, for kinds it is responsible for, on public hosts', async () => {
    const notMine = await as(taxProvider, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { kind: 'patent', baseUrl: 'https://tax.example.gov.cn/patent' },
    });
    assert.equal(notMine.statusCode, 403);
    assert.equal(notMine.json().code, 'connector_provider_not_responsible');

    const internal = await as(taxProvider, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { kind: 'tax_details', baseUrl: 'http://169.254.169.254/latest/meta-data' },
    });
    assert.equal(internal.statusCode, 400);
    assert.equal(internal.json().code, 'connector_base_url_invalid');

    const pushKind = await as(taxProvider, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { kind: 'tax_credit_rating', baseUrl: 'https://tax.example.gov.cn/grade' },
    });
    assert.equal(pushKind.statusCode, 400, pushKind.body);
    assert.equal(pushKind.json().code, 'connector_kind_not_pull');

    const ok = await as(taxProvider, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: {
        providerId: 'cnipa', // ignored: a provider registers for itself
        kind: 'tax_details',
        baseUrl: 'https://tax.example.gov.cn/details',
        auth: { type: 'hmac', keyId: 'xr-1', secret: '0123456789abcdef0123', algorithm: 'hmac-sm3' },
      },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const created = ok.json();
    assert.equal(created.providerId, 'tax');
    assert.deepEqual(created.auth, { type: 'hmac', keyId: 'xr-1', algorithm: 'hmac-sm3', hasSecret: true });

    const mine = await as(taxProvider, { method: 'GET', url: '/api/v1/connectors/interfaces' });
    assert.ok(mine.json().interfaces.every((i: { providerId: string }) => i.providerId === 'tax'));
    const theirs = await as(cnipaProvider, {
      method: 'GET',
      url: `/api/v1/connectors/interfaces/${created.id}`,
    });
    assert.equal(theirs.statusCode, 404);
    const cnipaList = await as(cnipaProvider, { method: 'GET', url: '/api/v1/connectors/interfaces' });
    assert.deepEqual(cnipaList.json().interfaces, []);

    const patched = await as(taxProvider, {
      method: 'PATCH',
      url: `/api/v1/connectors/interfaces/${created.id}`,
      payload: { enabled: false, cacheTtlSeconds: 300, storeAsRecords: true },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().enabled, false);
    assert.equal(patched.json().cacheTtlSeconds, 300);
    assert.equal(patched.json().storeAsRecordsSource, 'interface');
    const deniedPatch = await as(cnipaProvider, {
      method: 'PATCH',
      url: `/api/v1/connectors/interfaces/${created.id}`,
      payload: { enabled: true },
    });
    assert.equal(deniedPatch.statusCode, 404);
    const del = await as(taxProvider, {
      method: 'DELETE',
      url: `/api/v1/connectors/interfaces/${created.id}`,
    });
    assert.equal(del.statusCode, 204);
  });

  it('keeps institutions and anonymous callers out of the registry and health', async () => {
    assert.equal((await as(null, { method: 'GET', url: '/api/v1/connectors/interfaces' })).statusCode, 401);
    assert.equal((await as(w.bank, { method: 'GET', url: '/api/v1/connectors/interfaces' })).statusCode, 403);
    assert.equal((await as(w.bank, { method: 'GET', url: '/api/v1/connectors/health' })).statusCode, 403);
    assert.equal(
      (await as(taxProvider, { method: 'GET', url: '/api/v1/connectors/health' })).statusCode,
      403,
    );
    const h = await as(operator, { method: 'GET', url: '/api/v1/connectors/health' });
    assert.equal(h.statusCode, 200);
    assert.ok(h.json().providers.some((p: { providerId: string }) => p.providerId === 'tax'));
  });

  it('answers a pull with per-kind sections even when a provider sends garbage (never a 500)', async () => {
    const garbage = await w.sandbox({ control: { mode: 'malformed' } });
    const reg = await as(operator, {
      method: 'POST',
      url: '/api/v1/connectors/interfaces',
      payload: { providerId: 'cnipa', kind: 'patent', baseUrl: `${garbage.url}/kinds/patent`, retries: 0 },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const consentId = await w.grant(['tax_arrears', 'patent']);
    const res = await as(w.bank, {
      method: 'POST',
      url: `/api/v1/subjects/${w.uscc}/pull`,
      payload: {
        kinds: ['tax_arrears', 'patent', 'electricity_fee'],
        consentId,
        purpose: 'loan_application',
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(
      body.sections.map((s: { kind: string; status: string; code: string | null }) => [
        s.kind,
        s.status,
        s.code,
      ]),
      [
        ['tax_arrears', 'ok', null],
        ['patent', 'unavailable', 'malformed'],
        ['electricity_fee', 'denied', 'not_in_scope'],
      ],
    );
    assert.ok(Array.isArray(body.sections[0].data));

    const self = await as(w.enterprise, {
      method: 'POST',
      url: `/api/v1/subjects/${w.uscc}/pull`,
      payload: { kinds: ['tax_arrears'] },
    });
    assert.equal(self.statusCode, 200);
    assert.equal(self.json().consentId, null);
    const other = await as(w.enterprise, {
      method: 'POST',
      url: `/api/v1/subjects/${w.otherUscc}/pull`,
      payload: { kinds: ['tax_arrears'] },
    });
    assert.equal(other.statusCode, 403);
    const badUscc = await as(w.bank, {
      method: 'POST',
      url: '/api/v1/subjects/not-a-code/pull',
      payload: { kinds: ['tax_arrears'], consentId },
    });
    assert.equal(badUscc.statusCode, 400);
    assert.equal(badUscc.json().code, 'uscc_invalid');
    const operatorPull = await as(operator, {
      method: 'POST',
      url: `/api/v1/subjects/${w.uscc}/pull`,
      payload: { kinds: ['tax_arrears'] },
    });
    assert.equal(operatorPull.statusCode, 403);
  });
});
