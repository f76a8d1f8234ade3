import { randomUUID } from 'node:crypto';
import type { AuthenticatedActor, Role } from '../access/actor.ts';
import { signRequest, type SignatureAlgorithm } from '../access/request-signing.ts';
import type { AppContext } from '../app/context.ts';
import type { TestApp } from '../test/app.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { applyRows } from '../records/record-store.service.ts';
import { AppError } from '../shared/errors.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { sessionCookieName } from './accounts.service.ts';
import { totpNow } from './totp.ts';
import { findActiveEnterpriseUser, findUserByUsername } from './users.repository.ts';

/**
 * Test helpers for every domain: organisations, users with real sessions (cookies, TOTP for
 * operators), signing keys and signed headers, and records stored through the real record store
 * (encrypted personal fields included). Nothing here is mocked.
 */

type TestAppLike = Pick<TestApp, 'ctx' | 'inject'>;

const operatorActor = { type: 'system', name: 'test' } as const;

const defaultAgreement = {
  purposeText: '测试数据共享协议 / test agreement',
  validFrom: '2020-01-01',
  validUntil: '2099-12-31',
};

/** An onboarded institution (bank by default) with an agreement in force and no scope limit. */
export async function ensureInstitution(
  ctx: AppContext,
  id = 'test_bank',
  nameZh = '测试银行',
): Promise<string> {
  try {
    await ctx.accounts.onboardOrganisation(operatorActor, 'institution', {
      id,
      nameZh,
      institutionType: 'bank',
      agreement: defaultAgreement,
    });
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'conflict')) throw e;
  }
  return id;
}

/** An onboarded provider (must exist in the catalog's providers, e.g. after seedCatalog). */
export async function ensureProvider(ctx: AppContext, id: string): Promise<string> {
  try {
    await ctx.accounts.onboardOrganisation(operatorActor, 'provider', {
      id,
      nameZh: id,
      agreement: defaultAgreement,
    });
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'conflict')) throw e;
  }
  return id;
}

export const testPassword = 'Passw0rd-for-tests';

/** Operators' TOTP secrets by user name, to log in again (the secret is shown only at creation). */
const totpSecrets = new Map<string, string>();
const lastTotpAt = new Map<string, number>();

/** A code is accepted once per 30-second step; a second login in the same step uses the next step (±1 allowed). */
function nextTotpTime(username: string): Date {
  const last = lastTotpAt.get(username);
  const at =
    last !== undefined && Math.floor(last / 30_000) >= Math.floor(Date.now() / 30_000)
      ? last + 30_000
      : Date.now();
  lastTotpAt.set(username, at);
  return new Date(at);
}

export interface TestSession {
  actor: AuthenticatedActor;
  username: string;
  /** `{ cookie: 'xr_session=…' }`, ready for inject. */
  headers: Record<string, string>;
}

/**
 * A user of `role` logged in over HTTP (operators and provider users complete the TOTP step).
 * Enterprise users are created bound to `uscc` directly (real-name registration has its own test);
 * provider users need `orgId`, a provider of the seeded catalog (onboarded here if needed).
 */
export async function loginAs(
  t: TestAppLike,
  role: Exclude<Role, 'institution_system'>,
  opts: { orgId?: string; uscc?: string; username?: string } = {},
): Promise<TestSession> {
  const ctx = t.ctx;
  // One enterprise user per subject: log in again as the one already bound to it.
  const bound =
    role === 'enterprise' && !opts.username && opts.uscc
      ? await findActiveEnterpriseUser(ctx.db, opts.uscc)
      : undefined;
  const username = opts.username ?? bound?.username ?? `${role}_${randomUUID().slice(0, 8)}`;
  let totpSecret: string | null = totpSecrets.get(username) ?? null;
  const exists = bound ? true : opts.username ? !!(await findUserByUsername(ctx.db, opts.username)) : false;
  if (exists) {
    // Log in again as the same user (e.g. after a logout).
  } else if (role === 'enterprise') {
    if (!opts.uscc) throw new Error('loginAs(enterprise) needs a uscc');
    await insertEnterpriseUser(ctx, username, opts.uscc);
  } else {
    let orgId = opts.orgId;
    if (role === 'institution') orgId ??= await ensureInstitution(ctx);
    if (role === 'provider') {
      if (!orgId) throw new Error('loginAs(provider) needs the orgId of a catalog provider');
      await ensureProvider(ctx, orgId);
    }
    if (role === 'recommender' && !orgId) {
      orgId = 'test_district';
      try {
        await ctx.accounts.createOrganisation(operatorActor, {
          id: orgId,
          kind: 'district',
          nameZh: '测试区',
        });
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'conflict')) throw e;
      }
    }
    const created = await ctx.accounts.createUser(operatorActor, {
      username,
      role,
      orgId: orgId ?? null,
      password: testPassword,
    });
    totpSecret = created.totp?.secret ?? null;
    if (totpSecret) totpSecrets.set(username, totpSecret);
  }
  let res = await t.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: testPassword },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  let cookie = cookieOf(res.headers['set-cookie']);
  if (totpSecret) {
    res = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      payload: { code: totpNow(totpSecret, nextTotpTime(username)) },
      headers: { cookie },
    });
    if (res.statusCode !== 200) throw new Error(`totp failed: ${res.body}`);
    cookie = cookieOf(res.headers['set-cookie']);
  }
  const me = res.json() as { me: { id: string; orgId: string | null; uscc: string | null } };
  const actor: AuthenticatedActor = {
    type: role,
    id: me.me.id,
    ...(me.me.orgId ? { orgId: me.me.orgId } : {}),
    ...(me.me.uscc ? { uscc: me.me.uscc } : {}),
  };
  return { actor, username, headers: { cookie } };
}

export function cookieOf(setCookie: unknown): string {
  const list = Array.isArray(setCookie) ? setCookie : [setCookie];
  for (const c of list) {
    const m = new RegExp(`^${sessionCookieName}=([^;]+)`).exec(String(c));
    if (m) return `${sessionCookieName}=${m[1]}`;
  }
  throw new Error('no session cookie set');
}

async function insertEnterpriseUser(ctx: AppContext, username: string, uscc: string): Promise<void> {
  const { hashPassword } = await import('./passwords.ts');
  const { insertUser } = await import('./users.repository.ts');
  await insertUser(ctx.db, {
    id: randomUUID(),
    username,
    role: 'enterprise',
    org_id: null,
    uscc,
    display_name: username,
    password_hash: await hashPassword(testPassword),
    totp_secret_enc: null,
    totp_last_step: null,
    locked_until: null,
    real_name_verified_at: new Date(),
    created_by: 'test',
    last_login_at: null,
  });
}

/** A signing key for an onboarded institution or provider, and a function producing signed headers. */
export async function createSigner(
  ctx: AppContext,
  orgId: string,
  algorithm: SignatureAlgorithm = 'HMAC-SHA256',
): Promise<{
  keyId: string;
  secret: string;
  sign: (
    method: string,
    target: string,
    body?: string,
    extra?: { timestamp?: number; nonce?: string },
  ) => Record<string, string>;
}> {
  const { key, secret } = await ctx.accounts.createClientKey(operatorActor, orgId, 'test');
  return {
    keyId: key.keyId,
    secret,
    sign: (method, target, body, extra) => ({
      ...signRequest({ keyId: key.keyId, secretHex: secret, method, target, body, algorithm, ...extra }),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    }),
  };
}

/** A valid USCC from a 17-character prefix's serial number (deterministic test subjects). */
export function testUscc(n: number): string {
  const first17 = `91410100MA${String(n).padStart(7, '0')}`;
  return first17 + usccCheckChar(first17);
}

/**
 * Stores records of one kind through the real record store (and so the subject registry), with
 * personal fields encrypted as ingestion does. Returns the record ids in input order.
 */
export async function storeRecords(
  ctx: AppContext,
  catalog: Catalog,
  kindCode: string,
  rows: Record<string, unknown>[],
  providerId?: string,
  change?: { op: 'correct' | 'withdraw' | 'restore'; reason: string },
): Promise<number[]> {
  const kind = catalog.kinds.find((k) => k.code === kindCode);
  if (!kind) throw new Error(`no kind ${kindCode}`);
  const result = await ctx.db.transaction().execute((trx) =>
    applyRows(trx, {
      kind,
      providerId: providerId ?? kind.providers[0]!.id,
      batchId: null,
      catalogVersion: catalog.version,
      rows: rows.map((data, i) => ({
        row: i + 2,
        data: ctx.fieldCrypto.protectRecordData(kind, data),
        ...(change ? { op: change.op, reason: change.reason } : {}),
      })),
    }),
  );
  if (result.rejected.length) throw new Error(`rejected: ${JSON.stringify(result.rejected)}`);
  return result.results.map((r) => r.recordId);
}
