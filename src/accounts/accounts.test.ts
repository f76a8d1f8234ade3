import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { signRequest } from '../access/request-signing.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { createAccountsService } from './accounts.service.ts';
import {
  cookieOf,
  createSigner,
  ensureInstitution,
  ensureProvider,
  loginAs,
  storeRecords,
  testPassword,
  testUscc,
} from './accounts.testing.ts';
import { totpNow } from './totp.ts';

const uscc = testUscc(21);
const idNumber = '41010219800101123X';

describe('accounts and authentication', () => {
  let t: TestApp;
  let catalog: Catalog;

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'business_licence', [
      { uscc, name: '郑州实名测试有限公司', legal_rep_name: '赵六', established_on: '2016-05-05' },
    ]);
    await storeRecords(t.ctx, catalog, 'admin_licence', [
      {
        uscc,
        name: '郑州实名测试有限公司',
        legal_rep_name: '赵六',
        legal_rep_id_number: idNumber,
        licence_doc_no: '郑市监设字〔2016〕88号',
        decided_on: '2016-05-05',
        authority_name: '郑州市市场监督管理局',
      },
    ]);
  });
  after(() => t.close());

  const register = (body: Record<string, unknown>) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/register-enterprise',
      payload: {
        uscc,
        legalRepName: '赵六',
        legalRepIdNumber: idNumber,
        username: 'zhaoliu',
        password: testPassword,
        ...body,
      },
    });

  it('registers an enterprise user only when the legal representative’s name and ID match the registration', async () => {
    for (const wrong of [
      { legalRepName: '赵七' },
      { legalRepIdNumber: '410102198001011234' },
      { uscc: testUscc(99) },
    ]) {
      const res = await register(wrong);
      assert.equal(res.statusCode, 422, JSON.stringify(wrong));
      assert.equal(res.json().code, 'real_name_mismatch');
    }
    const weak = await register({ password: 'short' });
    assert.equal(weak.json().code, 'password_weak');
    const ok = await register({ legalRepIdNumber: idNumber.toLowerCase() });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().uscc, uscc);
    assert.equal(ok.json().role, 'enterprise');
    const twice = await register({ username: 'zhaoliu2' });
    assert.equal(twice.statusCode, 409);
    // The check read the records through the read path as the platform itself, and logged it.
    const login = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'zhaoliu', password: testPassword },
    });
    assert.equal(login.statusCode, 200);
    const cookie = cookieOf(login.headers['set-cookie']);
    assert.match(String(login.headers['set-cookie']), /HttpOnly/);
    assert.match(String(login.headers['set-cookie']), /SameSite=Strict/);
    const log = (await t.inject({ url: '/api/v1/me/access-log', headers: { cookie } })).json() as {
      purpose: string;
      actorType: string;
    }[];
    assert.ok(log.some((e) => e.actorType === 'system' && e.purpose === 'real_name_verification'));
  });

  it('locks an account for 15 minutes after 5 failed logins, even for the right password', async () => {
    await ensureInstitution(t.ctx);
    const s = await loginAs(t, 'institution');
    const attempt = (password: string) =>
      t.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.username, password } });
    for (let i = 0; i < 4; i++) assert.equal((await attempt('wrong-password-1')).json().code, 'login_failed');
    const fifth = await attempt('wrong-password-1');
    assert.equal(fifth.statusCode, 423);
    assert.equal(fifth.json().code, 'account_locked');
    const until = new Date(fifth.json().lockedUntil).getTime();
    assert.ok(until - Date.now() > 14 * 60_000 && until - Date.now() <= 15 * 60_000);
    assert.equal((await attempt(testPassword)).statusCode, 423);
    // Unknown users get the same answer as a wrong password.
    const unknown = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody-here', password: 'x' },
    });
    assert.equal(unknown.json().code, 'login_failed');
  });

  it('requires operators to complete TOTP before any operator route, and refuses a reused code', async () => {
    const created = await t.ctx.accounts.createUser(
      { type: 'system', name: 'test' },
      {
        username: 'op_totp',
        role: 'operator',
        password: testPassword,
      },
    );
    assert.ok(created.totp && /^otpauth:\/\/totp\//.test(created.totp.uri));
    const login = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'op_totp', password: testPassword },
    });
    assert.equal(login.json().mfaRequired, true);
    const half = cookieOf(login.headers['set-cookie']);
    const blocked = await t.inject({ url: '/api/v1/access-log', headers: { cookie: half } });
    assert.equal(blocked.statusCode, 401);
    assert.equal(blocked.json().code, 'totp_required');
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      headers: { cookie: half },
      payload: { code: '000000' === totpNow(created.totp.secret) ? '111111' : '000000' },
    });
    assert.equal(wrong.json().code, 'totp_invalid');
    const code = totpNow(created.totp.secret);
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      headers: { cookie: half },
      payload: { code },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const full = cookieOf(ok.headers['set-cookie']);
    assert.notEqual(full, half, 'a new session token after the second factor');
    assert.equal((await t.inject({ url: '/api/v1/access-log', headers: { cookie: full } })).statusCode, 200);
    assert.equal((await t.inject({ url: '/api/v1/access-log', headers: { cookie: half } })).statusCode, 401);
    // The same code again (a second login in the same 30 s step) is refused.
    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'op_totp', password: testPassword },
    });
    const replay = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      headers: { cookie: cookieOf(again.headers['set-cookie']) },
      payload: { code },
    });
    assert.equal(replay.json().code, 'totp_invalid');
  });

  it('ends sessions on logout, after the idle timeout and after the absolute timeout', async () => {
    await ensureInstitution(t.ctx);
    const s = await loginAs(t, 'institution');
    assert.equal((await t.inject({ url: '/api/v1/me', headers: s.headers })).statusCode, 200);
    const token = s.headers.cookie!.split('=')[1]!;
    const at = (ms: number) =>
      createAccountsService({
        db: t.db,
        keyring: t.ctx.keyring,
        fieldCrypto: t.ctx.fieldCrypto,
        clock: () => new Date(Date.now() + ms),
      });
    // Neither timeout check slides the session; the last call (within the idle timeout) does.
    assert.deepEqual(await at(31 * 60_000).resolveSession(token), { expired: true });
    assert.deepEqual(await at(13 * 3600_000).resolveSession(token), { expired: true });
    assert.ok('actor' in ((await at(10 * 60_000).resolveSession(token)) ?? {}));
    await t.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
    const after = await t.inject({ url: '/api/v1/me', headers: s.headers });
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().code, 'session_expired');
  });

  it('deletes sessions a day after they ended (expired, revoked or idle), keeping live and just-ended ones', async () => {
    const s = await loginAs(t, 'institution');
    const username = (await t.inject({ url: '/api/v1/me', headers: s.headers })).json().username as string;
    const user = await t.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow();
    const hour = 3600_000;
    const now = Date.now();
    const session = (
      name: string,
      created: number,
      expires: number,
      revoked: number | null,
      seen = created,
    ) =>
      t.db
        .insertInto('sessions')
        .values({
          token_hash: `test-${name}`,
          user_id: user.id,
          mfa_pending: false,
          created_at: new Date(created),
          last_seen_at: new Date(seen),
          expires_at: new Date(expires),
          revoked_at: revoked === null ? null : new Date(revoked),
          ip: '127.0.0.1',
          user_agent: 'test',
        })
        .execute();
    await session('expired-long-ago', now - 60 * hour, now - 48 * hour, null);
    await session('revoked-long-ago', now - 30 * hour, now - 20 * hour, now - 29 * hour);
    await session('idle-long-ago', now - 35 * hour, now + 1 * hour, null, now - 34 * hour);
    await session('expired-just-now', now - 13 * hour, now - 1 * hour, null);
    await session('live', now - 1 * hour, now + 11 * hour, null, now - 5 * 60_000);
    // A fresh process's first login prunes.
    const service = createAccountsService({
      db: t.db,
      keyring: t.ctx.keyring,
      fieldCrypto: t.ctx.fieldCrypto,
    });
    await service.login({ username, password: testPassword });
    const left = await t.db
      .selectFrom('sessions')
      .select('token_hash')
      .where('token_hash', 'like', 'test-%')
      .execute();
    assert.deepEqual(left.map((r) => r.token_hash).sort(), ['test-expired-just-now', 'test-live']);
  });

  it('authenticates signed machine requests and refuses stale, replayed, forged and altered ones', async () => {
    await ensureProvider(t.ctx, 'tax');
    for (const algorithm of ['HMAC-SHA256', 'HMAC-SM3'] as const) {
      const signer = await createSigner(t.ctx, 'tax', algorithm);
      const url = '/api/v1/me';
      const headers = signer.sign('GET', url);
      const ok = await t.inject({ url, headers });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().role, 'provider');
      assert.equal(ok.json().orgId, 'tax');
      const replay = await t.inject({ url, headers });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().code, 'signature_replayed');
      const stale = await t.inject({
        url,
        headers: signer.sign('GET', url, undefined, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      });
      assert.equal(stale.json().code, 'signature_stale');
      const future = await t.inject({
        url,
        headers: signer.sign('GET', url, undefined, { timestamp: Math.floor(Date.now() / 1000) + 400 }),
      });
      assert.equal(future.json().code, 'signature_stale');
      const forged = signRequest({
        keyId: signer.keyId,
        secretHex: 'ab'.repeat(32),
        method: 'GET',
        target: url,
        algorithm,
      });
      assert.equal((await t.inject({ url, headers: forged })).json().code, 'signature_invalid');
      const otherPath = signer.sign('GET', '/api/v1/consents');
      assert.equal((await t.inject({ url, headers: otherPath })).json().code, 'signature_invalid');
    }
    const missing = await t.inject({ url: '/api/v1/me', headers: { 'x-xr-key-id': 'pk_x' } });
    assert.equal(missing.json().code, 'signature_missing');
    const unknownKey = signRequest({
      keyId: 'pk_nope',
      secretHex: 'ab'.repeat(32),
      method: 'GET',
      target: '/api/v1/me',
    });
    assert.equal(
      (await t.inject({ url: '/api/v1/me', headers: unknownKey })).json().code,
      'signature_key_unknown',
    );
  });

  it('checks the signed body digest against the body received', async () => {
    await ensureInstitution(t.ctx);
    const signer = await createSigner(t.ctx, 'test_bank');
    const url = `/api/v1/subjects/${uscc}/verify`;
    const body = JSON.stringify({ questions: [{ code: 'no_dishonest_debtor' }] });
    const ok = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, body),
      payload: body,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const altered = JSON.stringify({ questions: [{ code: 'no_penalty_months', param: 1 }] });
    const res = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, body),
      payload: altered,
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'body_digest_mismatch');
    // A revoked key stops working at once.
    await t.ctx.accounts.revokeClientKey({ type: 'system', name: 'test' }, signer.keyId);
    const revoked = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, body),
      payload: body,
    });
    assert.equal(revoked.json().code, 'signature_key_unknown');
  });

  it('stores machine-client secrets and TOTP seeds encrypted (not readable from the database)', async () => {
    await ensureInstitution(t.ctx);
    const signer = await createSigner(t.ctx, 'test_bank');
    const row = await t.db
      .selectFrom('client_keys')
      .select('secret_enc')
      .where('key_id', '=', signer.keyId)
      .executeTakeFirstOrThrow();
    assert.ok(row.secret_enc.startsWith('sm4gcm1:'));
    assert.ok(!row.secret_enc.includes(signer.secret));
    const ops = await t.db
      .selectFrom('users')
      .select(['totp_secret_enc', 'password_hash'])
      .where('role', '=', 'operator')
      .execute();
    for (const o of ops) {
      assert.ok(o.totp_secret_enc?.startsWith('sm4gcm1:'));
      assert.match(o.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    }
  });

  it('rate-limits login attempts per client address with a 429 problem', async () => {
    let last = 0;
    let body = '';
    for (let i = 0; i < 25 && last !== 429; i++) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: `nobody${i}`, password: 'x' },
        remoteAddress: '10.9.8.7',
      });
      last = res.statusCode;
      body = res.body;
    }
    assert.equal(last, 429);
    assert.match(body, /rate_limited/);
    assert.match(body, /请求过于频繁/);
  });

  it('lets an operator onboard an institution with its agreement, users and a key', async () => {
    const op = await loginAs(t, 'operator');
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/institutions',
      headers: op.headers,
      payload: {
        id: 'zz_guarantee',
        nameZh: '郑州融资担保有限公司',
        institutionType: 'guarantor',
        agreement: {
          scope: { categories: ['tax', 'market_registration'] },
          purposes: ['loan_application'],
          purposeText: '融资担保审查',
          validFrom: '2026-01-01',
          validUntil: '2028-12-31',
        },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().agreements[0].scope.categories.length, 2);
    const noAgreement = await t.inject({
      method: 'POST',
      url: '/api/v1/institutions',
      headers: op.headers,
      payload: { id: 'zz_noagr', nameZh: '无协议', institutionType: 'bank' },
    });
    assert.equal(noAgreement.statusCode, 400);
    const user = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: op.headers,
      payload: { username: 'guarantee_user', role: 'institution', orgId: 'zz_guarantee' },
    });
    assert.equal(user.statusCode, 201, user.body);
    assert.ok(user.json().initialPassword.length >= 10);
    assert.equal(user.headers['cache-control'], 'no-store');
    const key = await t.inject({
      method: 'POST',
      url: '/api/v1/institutions/zz_guarantee/keys',
      headers: op.headers,
      payload: { label: '信贷系统' },
    });
    assert.equal(key.statusCode, 201);
    assert.match(key.json().secret, /^[0-9a-f]{64}$/);
    const listed = (
      await t.inject({ url: '/api/v1/institutions/zz_guarantee/keys', headers: op.headers })
    ).json();
    assert.ok(!JSON.stringify(listed).includes(key.json().secret), 'the secret is shown once only');
  });

  it('lets an operator onboard a provider with its users, who log in with password and TOTP and act for it', async () => {
    const op = await loginAs(t, 'operator');
    const onboarded = await t.inject({
      method: 'POST',
      url: '/api/v1/providers',
      headers: op.headers,
      payload: {
        id: 'tax',
        nameZh: '国家税务总局郑州市税务局',
        agreement: { purposeText: '税务信息报送', validFrom: '2026-01-01', validUntil: '2028-12-31' },
      },
    });
    assert.ok([201, 409].includes(onboarded.statusCode), onboarded.body);
    const created = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: op.headers,
      payload: { username: 'tax_clerk', role: 'provider', orgId: 'tax', displayName: '税务报送员' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const c = created.json();
    assert.equal(c.user.role, 'provider');
    assert.equal(c.user.orgId, 'tax');
    assert.ok(c.initialPassword && c.totp, 'an initial password and a TOTP secret, shown once');
    assert.equal(created.headers['cache-control'], 'no-store');
    // a provider user belongs to an onboarded provider, not to any organisation
    const wrongOrg = await t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: op.headers,
      payload: { username: 'tax_clerk2', role: 'provider', orgId: await ensureInstitution(t.ctx) },
    });
    assert.equal(wrongOrg.statusCode, 400);
    assert.equal(wrongOrg.json().code, 'validation_failed');
    // password, then TOTP: nothing but public routes before the second factor
    const login = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'tax_clerk', password: c.initialPassword },
    });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json().mfaRequired, true);
    const half = cookieOf(login.headers['set-cookie']);
    const blocked = await t.inject({ url: '/api/v1/batches', headers: { cookie: half } });
    assert.equal(blocked.json().code, 'totp_required');
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      headers: { cookie: half },
      payload: { code: totpNow(c.totp.secret) },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const cookie = cookieOf(ok.headers['set-cookie']);
    const me = (await t.inject({ url: '/api/v1/me', headers: { cookie } })).json();
    assert.deepEqual([me.role, me.orgId, me.displayName], ['provider', 'tax', '税务报送员']);
    assert.equal((await t.inject({ url: '/api/v1/batches', headers: { cookie } })).statusCode, 200);
    assert.equal((await t.inject({ url: '/api/v1/providers/tax', headers: { cookie } })).statusCode, 200);
    // pushing a kind the provider is not responsible for is refused, as for its systems
    const push = await t.inject({
      method: 'POST',
      url: '/api/v1/batches?kind=admin_penalty',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '[]',
    });
    assert.equal(push.statusCode, 403, push.body);
    assert.equal(push.json().code, 'kind_not_assigned');
  });
});
