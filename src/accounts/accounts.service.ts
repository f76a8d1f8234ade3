import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Actor, AuthenticatedActor, Role } from '../access/actor.ts';
import { roles, systemActor } from '../access/actor.ts';
import type { CatalogSource } from '../access/catalog-view.ts';
import { expandScope, loadCatalogView } from '../access/catalog-view.ts';
import type { FieldCrypto } from '../access/field-crypto.ts';
import { openSecret, sealSecret, type Keyring } from '../access/keyring.ts';
import { readRecords } from '../access/read-path.ts';
import {
  bodyDigest,
  canonicalString,
  hmacHex,
  signatureAlgorithms,
  signaturesEqual,
  signatureWindowSeconds,
  type SignatureAlgorithm,
} from '../access/request-signing.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';
import { isValidUscc } from '../shared/identifiers.ts';
import { findSubjectRow } from '../subjects/subjects.repository.ts';
import { consentPurposes } from '../consent/consent.types.ts';
import {
  findAgreementInForce,
  findOrganisation,
  insertAgreement,
  insertOrganisation,
  listAgreements,
  listOrganisations,
  type AgreementRow,
  type OrganisationRow,
} from './organisations.repository.ts';
import {
  burnVerification,
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.ts';
import { findProviderRow } from './providers.repository.ts';
import { checkTotp, newTotpSecret, totpUri } from './totp.ts';
import {
  claimNonce,
  findActiveEnterpriseUser,
  findClientKey,
  findSessionWithUser,
  findUser,
  findUserByUsername,
  insertClientKey,
  insertSession,
  insertUser,
  listClientKeys,
  listUsers,
  pruneNonces,
  deleteEndedSessions,
  recordLoginFailure,
  recordLoginSuccess,
  revokeClientKey,
  revokeSession,
  setTotpStep,
  touchClientKey,
  touchSession,
  type UserRow,
} from './users.repository.ts';

/**
 * Accounts: organisations, users, sessions, the operators' second factor, machine-client keys and
 * request signatures. Rules and parameters: docs/decisions/0050-accounts-and-authentication.md.
 */

export interface SecurityPolicy {
  /** Failed logins (password or TOTP) before the account locks. */
  maxFailedLogins: number;
  lockMinutes: number;
  /** A session ends after this long without a request… */
  sessionIdleMinutes: number;
  /** …and in any case this long after login. */
  sessionAbsoluteHours: number;
}

export function securityPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityPolicy {
  const num = (v: string | undefined, d: number) =>
    v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d;
  return {
    maxFailedLogins: num(env.XINRONG_MAX_FAILED_LOGINS, 5),
    lockMinutes: num(env.XINRONG_LOCK_MINUTES, 15),
    sessionIdleMinutes: num(env.XINRONG_SESSION_IDLE_MINUTES, 30),
    sessionAbsoluteHours: num(env.XINRONG_SESSION_ABSOLUTE_HOURS, 12),
  };
}

export const sessionCookieName = 'xr_session';

export const organisationKinds = ['institution', 'provider', 'district', 'department', 'platform'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];
export const institutionTypes = ['bank', 'insurer', 'guarantor', 'credit_service'] as const;
export type InstitutionType = (typeof institutionTypes)[number];

/** Which organisation kind each role belongs to. */
const roleOrgKind: Record<Role, OrganisationKind | null> = {
  enterprise: null,
  institution: 'institution',
  institution_system: 'institution',
  provider: 'provider',
  operator: 'platform',
  recommender: null, // district or department
};

/**
 * Users of these roles log in with a password and a TOTP code (decision 0050): operators run the
 * platform; provider users push records that become credit information about enterprises, so a
 * stolen provider password alone must not be enough to publish a false 失信 record.
 */
export const secondFactorRoles: readonly Role[] = ['operator', 'provider'];

export interface Me {
  id: string;
  username: string;
  role: Role;
  displayName: string;
  orgId: string | null;
  orgName: string | null;
  uscc: string | null;
  subjectName: string | null;
  /** Operators between password and TOTP. */
  mfaPending: boolean;
}

export interface Organisation {
  id: string;
  kind: string;
  institutionType: string | null;
  nameZh: string;
  nameEn: string;
  uscc: string | null;
  regionCode: string | null;
  status: string;
  createdAt: string;
  agreements: Agreement[];
}

export interface Agreement {
  id: number;
  scope: { kinds: string[]; categories: string[] };
  purposes: string[];
  purposeText: string;
  validFrom: string;
  validUntil: string;
  documentRef: string | null;
  inForce: boolean;
}

export interface AgreementInput {
  scope?: { kinds?: string[] | undefined; categories?: string[] | undefined } | undefined;
  purposes?: string[] | undefined;
  purposeText: string;
  validFrom: string;
  validUntil: string;
  documentRef?: string | null | undefined;
}

export interface OrganisationInput {
  id: string;
  nameZh: string;
  nameEn?: string | undefined;
  institutionType?: InstitutionType | undefined;
  uscc?: string | null | undefined;
  regionCode?: string | null | undefined;
  agreement: AgreementInput;
}

export interface ClientKeyInfo {
  keyId: string;
  orgId: string;
  role: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface LoginResult {
  token: string;
  me: Me;
  mfaRequired: boolean;
  expiresAt: Date;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

function toAgreement(a: AgreementRow, today: string): Agreement {
  return {
    id: Number(a.id),
    scope: { kinds: a.scope_kinds, categories: a.scope_categories },
    purposes: a.purposes,
    purposeText: a.purpose_text,
    validFrom: a.valid_from,
    validUntil: a.valid_until,
    documentRef: a.document_ref,
    inForce: a.valid_from <= today && a.valid_until >= today,
  };
}

function chinaToday(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export interface AccountsServiceDeps {
  db: Db;
  keyring: Keyring;
  fieldCrypto: FieldCrypto;
  catalog?: CatalogSource | undefined;
  policy?: SecurityPolicy | undefined;
  clock?: (() => Date) | undefined;
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const { db, keyring } = deps;
  const policy = deps.policy ?? securityPolicyFromEnv();
  const clock = deps.clock ?? (() => new Date());
  let noncePruneCounter = 0;
  let sessionPruneCounter = 0;

  function actorOf(user: UserRow): AuthenticatedActor {
    return {
      type: user.role as Role,
      id: user.id,
      ...(user.org_id ? { orgId: user.org_id } : {}),
      ...(user.uscc ? { uscc: user.uscc } : {}),
      displayName: user.display_name || user.username,
    };
  }

  async function meOf(user: UserRow, mfaPending = false): Promise<Me> {
    const org = user.org_id ? await findOrganisation(db, user.org_id) : undefined;
    const subject = user.uscc ? await findSubjectRow(db, user.uscc) : undefined;
    return {
      id: user.id,
      username: user.username,
      role: user.role as Role,
      displayName: user.display_name || user.username,
      orgId: user.org_id,
      orgName: org?.name_zh ?? null,
      uscc: user.uscc,
      subjectName: subject?.name ?? null,
      mfaPending,
    };
  }

  async function toOrganisation(org: OrganisationRow): Promise<Organisation> {
    const today = chinaToday(clock());
    const agreements = await listAgreements(db, [org.id]);
    return {
      id: org.id,
      kind: org.kind,
      institutionType: org.institution_type,
      nameZh: org.name_zh,
      nameEn: org.name_en,
      uscc: org.uscc,
      regionCode: org.region_code,
      status: org.status,
      createdAt: iso(org.created_at)!,
      agreements: agreements.map((a) => toAgreement(a, today)),
    };
  }

  async function validateAgreement(a: AgreementInput): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.validFrom) || !/^\d{4}-\d{2}-\d{2}$/.test(a.validUntil)) {
      throw new AppError('validation_failed', { detail: 'agreement.validFrom/validUntil: YYYY-MM-DD' });
    }
    if (a.validFrom > a.validUntil) {
      throw new AppError('validation_failed', { detail: 'agreement: validFrom is after validUntil' });
    }
    if (!a.purposeText.trim()) {
      throw new AppError('validation_failed', { detail: 'agreement.purposeText is empty' });
    }
    for (const p of a.purposes ?? []) {
      if (!(consentPurposes as readonly string[]).includes(p)) {
        throw new AppError('validation_failed', { detail: `agreement.purposes: unknown purpose ${p}` });
      }
    }
    const kinds = a.scope?.kinds ?? [];
    const categories = a.scope?.categories ?? [];
    if (kinds.length || categories.length) {
      const view = await loadCatalogView(db, deps.catalog);
      for (const k of kinds) if (!view.kinds.has(k)) throw new AppError('kind_unknown', { kind: k });
      for (const c of categories) {
        if (!view.categories.has(c)) {
          throw new AppError('validation_failed', { detail: `unknown category ${c}` });
        }
      }
      void expandScope;
    }
  }

  async function addAgreementWithin(trx: Db, orgId: string, a: AgreementInput, by: string): Promise<void> {
    await insertAgreement(trx, {
      org_id: orgId,
      scope_kinds: a.scope?.kinds ?? [],
      scope_categories: a.scope?.categories ?? [],
      purposes: a.purposes ?? [],
      purpose_text: a.purposeText.trim(),
      valid_from: a.validFrom,
      valid_until: a.validUntil,
      document_ref: a.documentRef ?? null,
      created_by: by,
    });
  }

  function requireOperator(actor: Actor): asserts actor is AuthenticatedActor {
    if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden');
  }

  function actorName(actor: Actor): string {
    if (actor.type === 'anonymous') return 'anonymous';
    if (actor.type === 'system') return `system:${actor.name}`;
    return `${actor.type}:${actor.id}`;
  }

  async function newSession(
    user: UserRow,
    mfaPending: boolean,
    meta: { ip?: string | undefined; userAgent?: string | undefined },
  ) {
    const token = randomBytes(32).toString('base64url');
    const now = clock();
    // Sessions that can no longer be used are deleted (they hold an IP address and a browser
    // signature: personal information kept no longer than needed, PIPL Art. 19). At the first login
    // of a process and every 100th after; a day's grace keeps "session expired" (rather than "log
    // in") as the answer to a cookie that just ended.
    if (sessionPruneCounter++ % 100 === 0) {
      const endedBefore = new Date(now.getTime() - 24 * 3600_000);
      const idleSince = new Date(endedBefore.getTime() - policy.sessionIdleMinutes * 60_000);
      await deleteEndedSessions(db, endedBefore, idleSince);
    }
    const expiresAt = new Date(now.getTime() + policy.sessionAbsoluteHours * 3600_000);
    await insertSession(db, {
      token_hash: hashSessionToken(token),
      user_id: user.id,
      mfa_pending: mfaPending,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    });
    return { token, expiresAt };
  }

  async function failLogin(user: UserRow): Promise<never> {
    const failed = user.failed_logins + 1;
    if (failed >= policy.maxFailedLogins) {
      const until = new Date(clock().getTime() + policy.lockMinutes * 60_000);
      await recordLoginFailure(db, user.id, 0, until);
      throw new AppError(
        'account_locked',
        { until: until.toISOString() },
        { lockedUntil: until.toISOString() },
      );
    }
    await recordLoginFailure(db, user.id, failed, null);
    throw new AppError('login_failed');
  }

  function checkLock(user: UserRow): void {
    if (user.locked_until && new Date(user.locked_until).getTime() > clock().getTime()) {
      const until = new Date(user.locked_until).toISOString();
      throw new AppError('account_locked', { until }, { lockedUntil: until });
    }
  }

  return {
    policy,
    actorOf,

    // ---- sessions ----

    async login(input: {
      username: string;
      password: string;
      ip?: string | undefined;
      userAgent?: string | undefined;
    }): Promise<LoginResult> {
      const user = await findUserByUsername(db, input.username);
      if (!user) {
        await burnVerification(input.password);
        throw new AppError('login_failed');
      }
      checkLock(user);
      if (user.status !== 'active') throw new AppError('account_disabled');
      if (!(await verifyPassword(input.password, user.password_hash))) await failLogin(user);
      const mfaRequired = secondFactorRoles.includes(user.role as Role);
      await recordLoginSuccess(
        db,
        user.id,
        clock(),
        needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined,
      );
      const { token, expiresAt } = await newSession(user, mfaRequired, input);
      return { token, me: await meOf(user, mfaRequired), mfaRequired, expiresAt };
    },

    /** Completes an operator's login: a fresh session token replaces the half-authenticated one. */
    async verifyTotp(
      token: string | undefined,
      code: string,
      meta: { ip?: string; userAgent?: string } = {},
    ): Promise<LoginResult> {
      if (!token) throw new AppError('unauthenticated');
      const found = await findSessionWithUser(db, hashSessionToken(token));
      const now = clock();
      if (
        !found ||
        found.session.revoked_at ||
        new Date(found.session.expires_at).getTime() <= now.getTime()
      ) {
        throw new AppError('session_expired');
      }
      const { session, user } = found;
      checkLock(user);
      if (!session.mfa_pending || !user.totp_secret_enc) {
        throw new AppError('validation_failed', { detail: 'no second factor pending' });
      }
      const secret = openSecret(keyring, user.totp_secret_enc, `totp:${user.id}`);
      const step = checkTotp(
        secret,
        code.trim(),
        user.totp_last_step === null ? null : Number(user.totp_last_step),
        now,
      );
      if (step === null) {
        const failed = user.failed_logins + 1;
        if (failed >= policy.maxFailedLogins) {
          await revokeSession(db, session.token_hash, now);
          await failLogin(user);
        }
        await recordLoginFailure(db, user.id, failed, null);
        throw new AppError('totp_invalid');
      }
      await setTotpStep(db, user.id, step);
      await revokeSession(db, session.token_hash, now);
      const next = await newSession(user, false, meta);
      return {
        token: next.token,
        me: await meOf(user, false),
        mfaRequired: false,
        expiresAt: next.expiresAt,
      };
    },

    async logout(token: string | undefined): Promise<void> {
      if (token) await revokeSession(db, hashSessionToken(token), clock());
    },

    /**
     * The actor behind a session cookie. `expired` when the session ended (idle or absolute
     * timeout, logout); `mfaPending` for operators who have not entered their TOTP code yet.
     */
    async resolveSession(
      token: string,
    ): Promise<{ actor: AuthenticatedActor; mfaPending: boolean } | { expired: true } | undefined> {
      const found = await findSessionWithUser(db, hashSessionToken(token));
      if (!found) return undefined;
      const { session, user } = found;
      const now = clock();
      const idleMs = policy.sessionIdleMinutes * 60_000;
      if (
        session.revoked_at ||
        user.status !== 'active' ||
        new Date(session.expires_at).getTime() <= now.getTime() ||
        now.getTime() - new Date(session.last_seen_at).getTime() > idleMs
      ) {
        return { expired: true };
      }
      // Sliding idle timeout, written at most once a minute per session.
      if (now.getTime() - new Date(session.last_seen_at).getTime() > 60_000) {
        await touchSession(db, session.token_hash, now);
      }
      return { actor: actorOf(user), mfaPending: session.mfa_pending };
    },

    async me(actor: Actor, mfaPending = false): Promise<Me> {
      if (actor.type === 'anonymous' || actor.type === 'system') throw new AppError('unauthenticated');
      const user = await findUser(db, actor.id);
      if (user) return meOf(user, mfaPending);
      // A machine client (signed request or bearer token): no user row.
      const org = actor.orgId ? await findOrganisation(db, actor.orgId) : undefined;
      return {
        id: actor.id,
        username: actor.id,
        role: actor.type,
        displayName: actor.displayName ?? org?.name_zh ?? actor.id,
        orgId: actor.orgId ?? null,
        orgName: org?.name_zh ?? null,
        uscc: actor.uscc ?? null,
        subjectName: null,
        mfaPending: false,
      };
    },

    // ---- enterprise registration (real name) ----

    /**
     * Real-name registration of an enterprise user: the legal representative's name must equal the
     * subject registry's `legal_rep_name`, and the ID number must equal the 法定代表人证件号码 of a
     * registration-side record of the subject filed under that name (see decision 0051). The records
     * are read through the read path as the platform itself (logged: purpose real_name_verification).
     */
    async registerEnterprise(input: {
      uscc: string;
      legalRepName: string;
      legalRepIdNumber: string;
      username: string;
      password: string;
      displayName?: string | undefined;
    }): Promise<Me> {
      const uscc = input.uscc.trim().toUpperCase();
      if (!isValidUscc(uscc)) throw new AppError('real_name_mismatch');
      checkPasswordPolicy(input.password);
      const subject = await findSubjectRow(db, uscc);
      const name = input.legalRepName.trim();
      const idNumber = input.legalRepIdNumber.trim().toUpperCase();
      if (
        !subject ||
        subject.is_provisional ||
        !subject.legal_rep_name ||
        subject.legal_rep_name.trim() !== name
      ) {
        throw new AppError('real_name_mismatch');
      }
      const view = await loadCatalogView(db, deps.catalog);
      const idKinds = realNameKinds(view.catalog.kinds);
      if (idKinds.length === 0) throw new AppError('real_name_mismatch');
      const read = await readRecords(
        { db, fieldCrypto: deps.fieldCrypto, catalog: deps.catalog, clock },
        {
          actor: systemActor('real-name-verification'),
          uscc,
          kinds: idKinds.map((k) => k.kind),
          internalPurpose: 'real_name_verification',
        },
      );
      const matched = read.records.some((r) => {
        if (r.status !== 'active') return false;
        const spec = idKinds.find((k) => k.kind === r.kindCode)!;
        const recName = spec.nameField ? String(r.data[spec.nameField] ?? '').trim() : name;
        const recId = String(r.data[spec.idField] ?? '')
          .trim()
          .toUpperCase();
        return recName === name && recId !== '' && recId === idNumber;
      });
      if (!matched) throw new AppError('real_name_mismatch');
      if (await findActiveEnterpriseUser(db, uscc)) {
        throw new AppError('conflict', {
          detail: '该主体已有实名注册的企业用户 / this subject already has a registered enterprise user',
        });
      }
      if (await findUserByUsername(db, input.username)) {
        throw new AppError('conflict', { detail: `用户名已被使用 / user name taken: ${input.username}` });
      }
      const user = await insertUser(db, {
        id: randomUUID(),
        username: input.username.trim(),
        role: 'enterprise',
        org_id: null,
        uscc,
        display_name: input.displayName?.trim() || subject.name,
        password_hash: await hashPassword(input.password),
        totp_secret_enc: null,
        totp_last_step: null,
        locked_until: null,
        real_name_verified_at: clock(),
        created_by: 'self-registration',
        last_login_at: null,
      });
      return meOf(user);
    },

    // ---- operator: organisations, users, keys ----

    async onboardOrganisation(
      actor: Actor,
      kind: OrganisationKind,
      input: OrganisationInput,
    ): Promise<Organisation> {
      requireOperator(actor);
      if (!/^[a-z][a-z0-9_]{1,62}$/.test(input.id)) {
        throw new AppError('validation_failed', { detail: 'id: lower-case letters, digits and _ (2–63)' });
      }
      if (kind === 'institution' && !input.institutionType) {
        throw new AppError('validation_failed', { detail: 'institutionType is required for an institution' });
      }
      if (input.uscc && !isValidUscc(input.uscc)) {
        throw new AppError('validation_failed', { detail: `uscc ${input.uscc}` });
      }
      if (kind === 'provider' && !(await findProviderRow(db, input.id))) {
        throw new AppError('not_found', {
          what: `目录中的数据提供单位 / provider in the catalog: ${input.id}`,
        });
      }
      await validateAgreement(input.agreement);
      if (await findOrganisation(db, input.id)) {
        throw new AppError('conflict', { detail: `机构已存在 / organisation exists: ${input.id}` });
      }
      const by = actorName(actor);
      const org = await db.transaction().execute(async (trx) => {
        const row = await insertOrganisation(trx, {
          id: input.id,
          kind,
          institution_type: kind === 'institution' ? (input.institutionType ?? null) : null,
          name_zh: input.nameZh.trim(),
          name_en: input.nameEn?.trim() ?? '',
          uscc: input.uscc ?? null,
          region_code: input.regionCode ?? null,
          created_by: by,
        });
        await addAgreementWithin(trx, row.id, input.agreement, by);
        return row;
      });
      return toOrganisation(org);
    },

    /** Districts and departments (recommenders) and the platform itself: no agreement needed. */
    async createOrganisation(
      actor: Actor,
      input: {
        id: string;
        kind: 'district' | 'department' | 'platform';
        nameZh: string;
        nameEn?: string;
        regionCode?: string | null;
      },
    ): Promise<Organisation> {
      requireOperator(actor);
      if (!/^[a-z][a-z0-9_]{1,62}$/.test(input.id)) {
        throw new AppError('validation_failed', { detail: 'id: lower-case letters, digits and _ (2–63)' });
      }
      if (await findOrganisation(db, input.id)) {
        throw new AppError('conflict', { detail: `机构已存在 / organisation exists: ${input.id}` });
      }
      const row = await insertOrganisation(db, {
        id: input.id,
        kind: input.kind,
        institution_type: null,
        name_zh: input.nameZh.trim(),
        name_en: input.nameEn?.trim() ?? '',
        uscc: null,
        region_code: input.regionCode ?? null,
        created_by: actorName(actor),
      });
      return toOrganisation(row);
    },

    async addAgreement(actor: Actor, orgId: string, a: AgreementInput): Promise<Organisation> {
      requireOperator(actor);
      const org = await findOrganisation(db, orgId);
      if (!org) throw new AppError('not_found', { what: `机构 / organisation ${orgId}` });
      await validateAgreement(a);
      await addAgreementWithin(db, orgId, a, actorName(actor));
      return toOrganisation(org);
    },

    async listOrganisations(actor: Actor, kind?: OrganisationKind): Promise<Organisation[]> {
      requireOperator(actor);
      const rows = await listOrganisations(db, kind);
      return Promise.all(rows.map(toOrganisation));
    },

    /** Institutions visible to enterprises choosing whom to grant a consent (public directory). */
    async listInstitutionDirectory(): Promise<
      { id: string; nameZh: string; nameEn: string; institutionType: string | null }[]
    > {
      const rows = await listOrganisations(db, 'institution');
      return rows
        .filter((r) => r.status === 'active')
        .map((r) => ({
          id: r.id,
          nameZh: r.name_zh,
          nameEn: r.name_en,
          institutionType: r.institution_type,
        }));
    },

    async getOrganisation(actor: Actor, id: string): Promise<Organisation> {
      const org = await findOrganisation(db, id);
      const own = actor.type !== 'anonymous' && actor.type !== 'system' && actor.orgId === id;
      if (!org || (!own && actor.type !== 'operator' && actor.type !== 'system')) {
        throw new AppError('not_found', { what: `机构 / organisation ${id}` });
      }
      return toOrganisation(org);
    },

    /**
     * An operator creates a user: institution and provider users belong to an onboarded organisation
     * of that kind, recommenders to a district or department. Operators and provider users get a
     * TOTP secret (returned once, with its otpauth URI); without a password one is generated and
     * returned once.
     */
    async createUser(
      actor: Actor,
      input: {
        username: string;
        role: Role;
        orgId?: string | null;
        displayName?: string;
        password?: string | undefined;
      },
    ): Promise<{ user: Me; initialPassword: string | null; totp: { secret: string; uri: string } | null }> {
      requireOperator(actor);
      if (
        !(roles as readonly string[]).includes(input.role) ||
        input.role === 'enterprise' ||
        input.role === 'institution_system'
      ) {
        throw new AppError('validation_failed', {
          detail:
            'role: institution, provider, operator or recommender (enterprises register themselves; institution systems use keys)',
        });
      }
      if (!/^[A-Za-z0-9_.@-]{3,64}$/.test(input.username)) {
        throw new AppError('validation_failed', { detail: 'username: 3–64 letters, digits, _ . @ -' });
      }
      if (await findUserByUsername(db, input.username)) {
        throw new AppError('conflict', { detail: `用户名已被使用 / user name taken: ${input.username}` });
      }
      const wantKind = roleOrgKind[input.role];
      let orgId: string | null = input.orgId ?? null;
      if (input.role === 'institution' || input.role === 'provider' || input.role === 'recommender') {
        const org = orgId ? await findOrganisation(db, orgId) : undefined;
        const ok =
          org &&
          (input.role === 'recommender'
            ? org.kind === 'district' || org.kind === 'department'
            : org.kind === wantKind);
        if (!ok) {
          throw new AppError('validation_failed', {
            detail: `orgId: an organisation of the right kind for ${input.role}`,
          });
        }
      } else {
        orgId = null;
      }
      const initialPassword = input.password ?? generatePassword();
      checkPasswordPolicy(initialPassword);
      const id = randomUUID();
      const totpSecret = secondFactorRoles.includes(input.role) ? newTotpSecret() : null;
      const user = await insertUser(db, {
        id,
        username: input.username,
        role: input.role,
        org_id: orgId,
        uscc: null,
        display_name: input.displayName?.trim() || input.username,
        password_hash: await hashPassword(initialPassword),
        totp_secret_enc: totpSecret ? sealSecret(keyring, totpSecret, `totp:${id}`) : null,
        totp_last_step: null,
        locked_until: null,
        real_name_verified_at: null,
        created_by: actorName(actor),
        last_login_at: null,
      });
      return {
        user: await meOf(user),
        initialPassword: input.password ? null : initialPassword,
        totp: totpSecret ? { secret: totpSecret, uri: totpUri(totpSecret, user.username) } : null,
      };
    },

    /** Clears a lockout (an operator, after checking who is asking). */
    async unlockUser(actor: Actor, username: string): Promise<Me> {
      requireOperator(actor);
      const user = await findUserByUsername(db, username);
      if (!user) throw new AppError('not_found', { what: `用户 / user ${username}` });
      await recordLoginFailure(db, user.id, 0, null);
      return meOf(user);
    },

    async listUsers(actor: Actor, f: { orgId?: string; role?: string }): Promise<Me[]> {
      requireOperator(actor);
      const rows = await listUsers(db, f);
      return Promise.all(rows.map((u) => meOf(u)));
    },

    /** A signing key for an institution's or provider's system; the secret is returned once. */
    async createClientKey(
      actor: Actor,
      orgId: string,
      label = '',
    ): Promise<{ key: ClientKeyInfo; secret: string }> {
      requireOperator(actor);
      const org = await findOrganisation(db, orgId);
      if (!org || (org.kind !== 'institution' && org.kind !== 'provider')) {
        throw new AppError('not_found', { what: `机构或数据提供单位 / institution or provider ${orgId}` });
      }
      const secret = randomBytes(32).toString('hex');
      const keyId = `${org.kind === 'provider' ? 'pk' : 'ik'}_${randomBytes(9).toString('base64url')}`;
      const row = await insertClientKey(db, {
        key_id: keyId,
        org_id: org.id,
        role: org.kind === 'provider' ? 'provider' : 'institution_system',
        secret_enc: sealSecret(keyring, secret, `client-key:${keyId}`),
        label,
        created_by: actorName(actor),
        last_used_at: null,
        revoked_at: null,
      });
      return { key: toKeyInfo(row), secret };
    },

    async listClientKeys(actor: Actor, orgId: string): Promise<ClientKeyInfo[]> {
      requireOperator(actor);
      return (await listClientKeys(db, orgId)).map(toKeyInfo);
    },

    async revokeClientKey(actor: Actor, keyId: string): Promise<void> {
      requireOperator(actor);
      if (!(await findClientKey(db, keyId))) throw new AppError('not_found', { what: `密钥 / key ${keyId}` });
      await revokeClientKey(db, keyId, clock());
    },

    /**
     * Verifies a signed request's headers (see request-signing.ts) and returns the machine actor.
     * The body digest is checked against the body separately, as it streams in.
     */
    async resolveSignedRequest(h: {
      keyId: string;
      timestamp: string;
      nonce: string;
      algorithm: string;
      bodyDigest: string;
      signature: string;
      method: string;
      target: string;
    }): Promise<AuthenticatedActor> {
      if (!(signatureAlgorithms as readonly string[]).includes(h.algorithm)) {
        throw new AppError('signature_invalid', { detail: `algorithm ${h.algorithm}` });
      }
      const algorithm = h.algorithm as SignatureAlgorithm;
      if (!/^\d{1,12}$/.test(h.timestamp)) {
        throw new AppError('signature_invalid', { detail: 'timestamp: Unix seconds' });
      }
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(h.nonce)) {
        throw new AppError('signature_invalid', { detail: 'nonce: 16–64 of [A-Za-z0-9_-]' });
      }
      if (!/^[0-9a-f]{64}$/.test(h.bodyDigest)) {
        throw new AppError('signature_invalid', { detail: 'body digest: 64 lower-case hex' });
      }
      const now = clock();
      if (Math.abs(now.getTime() / 1000 - Number(h.timestamp)) > signatureWindowSeconds) {
        throw new AppError('signature_stale', { window: signatureWindowSeconds });
      }
      const key = await findClientKey(db, h.keyId);
      if (!key || key.revoked_at) {
        throw new AppError('signature_key_unknown', { keyId: h.keyId.slice(0, 64) });
      }
      const org = await findOrganisation(db, key.org_id);
      if (!org || org.status !== 'active') throw new AppError('signature_key_unknown', { keyId: h.keyId });
      const secret = openSecret(keyring, key.secret_enc, `client-key:${key.key_id}`);
      const expected = hmacHex(
        algorithm,
        secret,
        canonicalString({
          algorithm,
          method: h.method,
          target: h.target,
          timestamp: h.timestamp,
          nonce: h.nonce,
          bodyDigest: h.bodyDigest,
          keyId: h.keyId,
        }),
      );
      if (!signaturesEqual(expected, h.signature.toLowerCase())) {
        throw new AppError('signature_invalid', { detail: 'signature does not match the canonical string' });
      }
      // Only a correctly signed request spends its nonce (nobody else can burn a client's nonces).
      if (!(await claimNonce(db, key.key_id, h.nonce, now))) throw new AppError('signature_replayed');
      if (++noncePruneCounter % 200 === 0) {
        await pruneNonces(db, new Date(now.getTime() - 3 * signatureWindowSeconds * 1000));
      }
      await touchClientKey(db, key.key_id, now);
      return { type: key.role as Role, id: key.key_id, orgId: key.org_id, displayName: org.name_zh };
    },

    /** Whether an organisation has a data-sharing agreement in force today. */
    async hasAgreementInForce(orgId: string): Promise<boolean> {
      return !!(await findAgreementInForce(db, orgId, chinaToday(clock())));
    },

    emptyBodyDigest: (algorithm: SignatureAlgorithm) => bodyDigest(algorithm, ''),
  };
}

function toKeyInfo(row: {
  key_id: string;
  org_id: string;
  role: string;
  label: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}): ClientKeyInfo {
  return {
    keyId: row.key_id,
    orgId: row.org_id,
    role: row.role,
    label: row.label,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  };
}

/**
 * Kinds that carry the legal representative's ID number (法定代表人证件号码), registration kinds
 * first: the field is found by code (`legal_rep_id_number`) or label, the name beside it by code
 * (`legal_rep_name`) or label (法定代表人姓名).
 */
export function realNameKinds(
  kinds: readonly { code: string; category: string; fields: { code: string; label_zh: string }[] }[],
): { kind: string; idField: string; nameField: string | null }[] {
  const out: { kind: string; idField: string; nameField: string | null; rank: number }[] = [];
  for (const k of kinds) {
    const id = k.fields.find(
      (f) => f.code === 'legal_rep_id_number' || /法定代表人.*证件号码/.test(f.label_zh),
    );
    if (!id) continue;
    const name = k.fields.find((f) => f.code === 'legal_rep_name' || /^法定代表人(姓名)?$/.test(f.label_zh));
    const rank = k.category === 'market_registration' ? 0 : k.code === 'admin_licence' ? 1 : 2;
    out.push({ kind: k.code, idField: id.code, nameField: name?.code ?? null, rank });
  }
  return out
    .sort((a, b) => a.rank - b.rank)
    .map(({ kind, idField, nameField }) => ({ kind, idField, nameField }));
}

export type AccountsService = ReturnType<typeof createAccountsService>;
