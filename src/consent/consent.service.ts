import { randomUUID } from 'node:crypto';
import type { Actor, AuthenticatedActor } from '../access/actor.ts';
import { isRole } from '../access/actor.ts';
import {
  expandScope,
  loadCatalogView,
  type CatalogSource,
  type CatalogView,
} from '../access/catalog-view.ts';
import { chinaDay, isDay } from '../access/china-time.ts';
import { findAgreementInForce, findOrganisation } from '../accounts/organisations.repository.ts';
import type { Db } from '../db/database.ts';
import { enqueueLedgerEntries, type LedgerEntryInput } from '../ledger/ledger-queue.ts';
import { factsDigest } from '../access/facts-digest.ts';
import { AppError } from '../shared/errors.ts';
import {
  findConsent,
  insertConsent,
  listConsents,
  useConsentIfAllowed,
  markRevoked,
  type ConsentRow,
  type UseConditions,
} from './consent.repository.ts';
import { consentState, toConsent } from './consent.model.ts';
import { createWrittenAuthorizationService } from './written-authorization.service.ts';
import {
  consentModes,
  consentPurposeLabels,
  modeAllows,
  type AuthorizeUseInput,
  type AuthorizeUseResult,
  type Bilingual,
  type Consent,
  type ConsentMode,
  type ConsentPurpose,
} from './consent.types.ts';

export type { AuthorizeUseInput, AuthorizeUseResult, Consent } from './consent.types.ts';
export { consentState, toConsent } from './consent.model.ts';

/**
 * Consents (授权): an enterprise grants an institution the use of its non-public information for
 * one purpose, a scope of kinds, a mode, a validity period, a number of uses and a data date range.
 * Grant, revocation and every use are ledger leaves (entry type `consent`), in the same transaction.
 */

export type Clock = () => Date;
const systemClock: Clock = () => new Date();

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

/** The facts a consent leaf commits to (what is stored in `consents`). */
function consentPayload(row: ConsentRow): Record<string, unknown> {
  return {
    id: row.id,
    uscc: row.uscc,
    institution_id: row.institution_id,
    purpose: row.purpose,
    scope_kinds: row.scope_kinds,
    scope_categories: row.scope_categories,
    mode: row.mode,
    valid_from: iso(row.valid_from),
    valid_until: iso(row.valid_until),
    max_uses: row.max_uses,
    data_from: row.data_from,
    data_to: row.data_to,
    source: row.source,
    written_authorization_id: row.written_authorization_id,
    granted_by: row.granted_by,
  };
}

const stateError = {
  REVOKED: 'consent_revoked',
  EXPIRED: 'consent_expired',
  EXHAUSTED: 'consent_exhausted',
} as const;

function actorRef(actor: Actor): { type: string; id: string } {
  if (actor.type === 'anonymous') return { type: 'anonymous', id: '' };
  if (actor.type === 'system') return { type: 'system', id: actor.name };
  return { type: actor.type, id: actor.id };
}

function maxDay(a: string | null, b: string | null | undefined): string | null {
  if (!b) return a;
  if (!a) return b;
  return a > b ? a : b;
}
function minDay(a: string | null, b: string | null | undefined): string | null {
  if (!b) return a;
  if (!a) return b;
  return a < b ? a : b;
}

/**
 * The conditions a use is checked against (`useConsentIfAllowed`, and the read path's snapshot):
 * throws `forbidden` for anyone but an institution. `possible` is false when the requested date
 * range is empty (from after to): no consent can qualify.
 */
export function useConditions(
  input: AuthorizeUseInput,
  view: CatalogView,
  now: Date,
): { conditions: UseConditions & { possible: boolean }; requested: string[] } {
  const { actor, uscc, mode } = input;
  if (!isRole(actor, 'institution', 'institution_system') || !actor.orgId) {
    throw new AppError('forbidden');
  }
  const requested = [...new Set(input.kinds)];
  const reqFrom = input.dateRange?.from ?? null;
  const reqTo = input.dateRange?.to ?? null;
  const by = actorRef(actor);
  return {
    requested,
    conditions: {
      possible: !(reqFrom && reqTo && reqFrom > reqTo),
      consentId: input.consentId ?? null,
      institutionId: actor.orgId,
      uscc,
      purpose: input.purpose ?? null,
      modes: consentModes.filter((m) => modeAllows(m, mode)),
      now,
      day: chinaDay(now),
      dateFrom: reqFrom,
      dateTo: reqTo,
      kinds: requested,
      categories: requested.map((k) => view.kinds.get(k)?.category ?? ''),
      actorType: by.type,
      actorId: by.id,
      mode,
    },
  };
}

/**
 * Checks and counts one use of a consent. Call it inside the transaction that performs the use
 * (the read, the provider call): check and count are one conditional UPDATE on the consent row, so
 * concurrent uses cannot exceed `max_uses` and a revocation committed before it is seen.
 *
 * Returns the kinds allowed (requested ∩ consent scope ∩ the institution's agreement scope) and the
 * ones denied with a reason. Throws `agreement_missing`, `consent_required` (no consent for this
 * subject), or `consent_revoked` / `consent_expired` / `consent_exhausted` /
 * `consent_out_of_scope` when nothing can be allowed; nothing is counted then.
 */
export async function authorizeUse(
  trx: Db,
  input: AuthorizeUseInput,
  clock: Clock = systemClock,
  catalogView?: CatalogView,
  /** When given, the ledger entry is appended here for the caller to enqueue with its own. */
  ledgerSink?: LedgerEntryInput[],
): Promise<AuthorizeUseResult> {
  if (!isRole(input.actor, 'institution', 'institution_system') || !input.actor.orgId) {
    throw new AppError('forbidden');
  }
  const now = clock();
  const view = catalogView ?? (await loadCatalogView(trx));
  const { conditions: c, requested } = useConditions(input, view, now);
  const { uscc, mode } = input;
  const row = c.possible ? await useConsentIfAllowed(trx, c) : undefined;
  if (!row) return diagnose(trx, input, c.institutionId, now, c.day, view);
  const by = { type: c.actorType, id: c.actorId };
  const useId = Number(row.use_id);
  const entry = consentUseEntry({
    useId,
    consentId: row.id,
    uscc,
    actorType: by.type,
    actorId: by.id,
    mode,
    kinds: row.used_kinds,
    now,
  });
  if (ledgerSink) ledgerSink.push(entry);
  else await enqueueLedgerEntries(trx, [entry]);
  return authorizationResult(view, row, requested, row.used_kinds, row, input.dateRange, now);
}

/**
 * The result of a counted use: `row` is the consent as stored after the use (count included),
 * `allowedKinds` what the use recorded, `agreement` the scope it was checked under.
 */
export function authorizationResult(
  view: CatalogView,
  row: ConsentRow,
  requested: string[],
  allowedKinds: string[],
  agreement: { agreement_kinds: string[]; agreement_categories: string[] },
  dateRange: AuthorizeUseInput['dateRange'],
  now: Date,
): AuthorizeUseResult {
  const agreementScope =
    agreement.agreement_kinds.length || agreement.agreement_categories.length
      ? new Set(expandScope(view, agreement.agreement_kinds, agreement.agreement_categories))
      : undefined;
  const allowed = new Set(allowedKinds);
  const denied: { kind: string; reason: Bilingual }[] = requested
    .filter((k) => !allowed.has(k))
    .map((kind) => ({
      kind,
      reason:
        agreementScope && !agreementScope.has(kind)
          ? { zh: '不在机构数据共享协议范围内', en: "not within the institution's data-sharing agreement" }
          : { zh: '不在授权范围内', en: 'not within the consent scope' },
    }));
  return {
    consent: toConsent(row, now),
    allowedKinds,
    denied,
    dataRange: {
      from: maxDay(row.data_from, dateRange?.from ?? null),
      to: minDay(row.data_to, dateRange?.to ?? null),
    },
  };
}

/** The `consent` ledger leaf of one use: ids and a digest of the stored `consent_uses` facts. */
export function consentUseEntry(u: {
  useId: number;
  consentId: string;
  uscc: string;
  actorType: string;
  actorId: string;
  mode: string;
  kinds: string[];
  now: Date;
}): LedgerEntryInput {
  return {
    entryType: 'consent',
    refTable: 'consent_uses',
    refId: u.useId,
    uscc: u.uscc,
    payload: {
      event: 'use',
      consent_id: u.consentId,
      use_id: u.useId,
      digest: factsDigest({
        id: u.useId,
        consent_id: u.consentId,
        uscc: u.uscc,
        actor_type: u.actorType,
        actor_id: u.actorId,
        mode: u.mode,
        kinds: u.kinds,
        used_at: u.now.toISOString(),
      }),
    },
  };
}

/** Why no consent could be used (the counting statement matched nothing): always throws. */
async function diagnose(
  trx: Db,
  input: AuthorizeUseInput,
  institutionId: string,
  now: Date,
  day: string,
  view: CatalogView,
): Promise<never> {
  const { uscc, mode } = input;
  const agreement = await findAgreementInForce(trx, institutionId, day);
  if (!agreement) throw new AppError('agreement_missing', { org: institutionId });

  let row: ConsentRow | undefined;
  if (input.consentId) {
    row = await findConsent(trx, input.consentId);
    if (!row || row.institution_id !== institutionId || row.uscc !== uscc) {
      throw new AppError('consent_required', {
        detail: `授权 ${input.consentId} 不属于本机构或该主体 / consent ${input.consentId} is not held by this institution for this subject`,
      });
    }
  } else {
    const candidates = (await listConsents(trx, { uscc, institutionId, limit: 50 })).filter(
      (c) => !input.purpose || c.purpose === input.purpose,
    );
    row =
      candidates.find((c) => consentState(c, now) === 'ACTIVE' && modeAllows(c.mode as ConsentMode, mode)) ??
      candidates.find((c) => consentState(c, now) === 'ACTIVE') ??
      candidates[0];
    if (!row) {
      throw new AppError('consent_required', {
        detail: `本机构没有该主体的授权 / this institution holds no consent from the subject`,
      });
    }
  }

  const state = consentState(row, now);
  if (state !== 'ACTIVE') throw new AppError(stateError[state], { id: row.id });
  if (input.purpose && row.purpose !== input.purpose) {
    throw new AppError('consent_out_of_scope', {
      detail: `授权用途为“${consentPurposeLabels[row.purpose as ConsentPurpose]?.zh ?? row.purpose}”，不是“${consentPurposeLabels[input.purpose].zh}” / granted for ${row.purpose}, not ${input.purpose}`,
    });
  }
  if (!modeAllows(row.mode as ConsentMode, mode)) {
    throw new AppError('consent_out_of_scope', {
      detail: `授权方式 ${row.mode} 不允许 ${mode} / mode ${row.mode} does not allow ${mode}`,
    });
  }
  const from = maxDay(row.data_from, input.dateRange?.from);
  const to = minDay(row.data_to, input.dateRange?.to);
  if (from && to && from > to) {
    throw new AppError('consent_out_of_scope', {
      detail: `请求的数据日期范围不在授权范围（${row.data_from ?? '…'} 至 ${row.data_to ?? '…'}）内 / the requested date range is outside the consented range`,
    });
  }
  const consentScope = new Set(expandScope(view, row.scope_kinds, row.scope_categories));
  const agreementScope =
    agreement.scope_kinds.length || agreement.scope_categories.length
      ? new Set(expandScope(view, agreement.scope_kinds, agreement.scope_categories))
      : undefined;
  const denied = [...new Set(input.kinds)].map((kind) => ({
    kind,
    reason: !consentScope.has(kind)
      ? { zh: '不在授权范围内', en: 'not within the consent scope' }
      : agreementScope && !agreementScope.has(kind)
        ? { zh: '不在机构数据共享协议范围内', en: "not within the institution's data-sharing agreement" }
        : { zh: '未获授权', en: 'not consented' },
  }));
  throw new AppError(
    'consent_out_of_scope',
    {
      detail: `信息项 ${input.kinds.join('、') || '（无）'} 均未获授权 / none of the kinds requested is consented`,
    },
    { denied },
  );
}

// ---- grant, revoke, list ----

export interface GrantConsentInput {
  institutionId: string;
  purpose: ConsentPurpose;
  scope: { kinds?: string[] | undefined; categories?: string[] | undefined };
  mode: ConsentMode;
  /** End of validity: YYYY-MM-DD (end of that day, UTC+8) or an ISO timestamp. */
  validUntil: string;
  maxUses?: number | null | undefined;
  dataFrom?: string | null | undefined;
  dataTo?: string | null | undefined;
}

/** Longest validity an enterprise may grant at once (a loan's review and monitoring term). */
export const maxValidityDays = 3 * 366;

function parseValidUntil(v: string): Date {
  // A bare date means the end of that calendar day in China (23:59:59.999 UTC+8).
  const d = isDay(v) ? new Date(`${v}T23:59:59.999+08:00`) : new Date(v);
  if (Number.isNaN(d.getTime())) throw new AppError('validation_failed', { detail: `validUntil: ${v}` });
  return d;
}

export interface ConsentServiceDeps {
  db: Db;
  /** Where written-authorization scans are kept (DATA_DIR). */
  dataDir?: string | undefined;
  catalog?: CatalogSource | undefined;
  clock?: Clock | undefined;
}

export function createConsentService(deps: ConsentServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;

  async function validateScope(
    view: CatalogView,
    scope: GrantConsentInput['scope'],
  ): Promise<{ kinds: string[]; categories: string[] }> {
    const kinds = [...new Set(scope.kinds ?? [])];
    const categories = [...new Set(scope.categories ?? [])];
    for (const k of kinds) if (!view.kinds.has(k)) throw new AppError('kind_unknown', { kind: k });
    for (const c of categories) {
      if (!view.categories.has(c)) {
        throw new AppError('validation_failed', { detail: `unknown category ${c}` });
      }
    }
    if (kinds.length + categories.length === 0) {
      throw new AppError('validation_failed', { detail: 'scope: name at least one kind or category' });
    }
    return { kinds, categories };
  }

  async function insertGranted(
    trx: Db,
    row: Omit<Parameters<typeof insertConsent>[1], 'id'>,
  ): Promise<ConsentRow> {
    const created = await insertConsent(trx, { ...row, id: randomUUID() });
    await enqueueLedgerEntries(trx, [
      {
        entryType: 'consent',
        refTable: 'consents',
        refId: created.id,
        uscc: created.uscc,
        payload: { event: 'grant', consent_id: created.id, digest: factsDigest(consentPayload(created)) },
      },
    ]);
    return created;
  }

  /** Checks a grant's terms and writes it with its ledger entry (used by online grants and written ones). */
  async function grantWithin(
    trx: Db,
    uscc: string,
    input: GrantConsentInput,
    source: { kind: 'online' | 'written'; grantedBy: string; writtenAuthorizationId?: number },
  ): Promise<ConsentRow> {
    const now = clock();
    const view = await loadCatalogView(trx, deps.catalog);
    const scope = await validateScope(view, input.scope);
    const org = await findOrganisation(trx, input.institutionId);
    if (!org || org.kind !== 'institution' || org.status !== 'active') {
      throw new AppError('not_found', { what: `机构 / institution ${input.institutionId}` });
    }
    const validUntil = parseValidUntil(input.validUntil);
    if (validUntil.getTime() <= now.getTime()) {
      throw new AppError('validation_failed', { detail: 'validUntil must be in the future' });
    }
    if (validUntil.getTime() - now.getTime() > maxValidityDays * 86_400_000) {
      throw new AppError('validation_failed', {
        detail: `validUntil: at most ${maxValidityDays} days ahead`,
      });
    }
    if (input.dataFrom && input.dataTo && input.dataFrom > input.dataTo) {
      throw new AppError('validation_failed', { detail: 'dataFrom is after dataTo' });
    }
    return insertGranted(trx, {
      uscc,
      institution_id: org.id,
      purpose: input.purpose,
      scope_kinds: scope.kinds,
      scope_categories: scope.categories,
      mode: input.mode,
      valid_from: now,
      valid_until: validUntil,
      max_uses: input.maxUses ?? null,
      last_used_at: null,
      data_from: input.dataFrom ?? null,
      data_to: input.dataTo ?? null,
      source: source.kind,
      written_authorization_id: source.writtenAuthorizationId ?? null,
      granted_by: source.grantedBy,
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
    });
  }

  function canSee(actor: Actor, row: ConsentRow): boolean {
    if (actor.type === 'operator') return true;
    if (actor.type === 'enterprise') return actor.uscc === row.uscc;
    if (isRole(actor, 'institution', 'institution_system')) return actor.orgId === row.institution_id;
    return false;
  }

  const grant = { grantWithin };
  return {
    /** 书面授权: scans uploaded by institutions, confirmed by operators into consents. */
    written: createWrittenAuthorizationService({
      db,
      dataDir: deps.dataDir ?? './data',
      consent: grant,
      clock,
    }),
    authorizeUse: async (trx: Db, input: AuthorizeUseInput) =>
      authorizeUse(trx, input, clock, await loadCatalogView(trx, deps.catalog)),
    grantWithin,

    /** An enterprise user grants a consent for its own subject. */
    async grantConsent(actor: AuthenticatedActor, input: GrantConsentInput): Promise<Consent> {
      if (actor.type !== 'enterprise' || !actor.uscc) throw new AppError('forbidden');
      const uscc = actor.uscc;
      const row = await db
        .transaction()
        .execute((trx) => grantWithin(trx, uscc, input, { kind: 'online', grantedBy: actor.id }));
      return toConsent(row, clock());
    },

    /** Revocation takes effect at once: a use after this commit fails with consent_revoked. */
    async revokeConsent(actor: AuthenticatedActor, id: string, reason?: string | null): Promise<Consent> {
      return db.transaction().execute(async (trx) => {
        const row = await findConsent(trx, id, true);
        if (!row || actor.type !== 'enterprise' || actor.uscc !== row.uscc) {
          throw new AppError('not_found', { what: `授权 / consent ${id}` });
        }
        const now = clock();
        const revoked = await markRevoked(trx, id, actor.id, reason?.trim() || null, now);
        if (!revoked) return toConsent(row, now); // already revoked: idempotent
        await enqueueLedgerEntries(trx, [
          {
            entryType: 'consent',
            refTable: 'consents',
            refId: id,
            uscc: row.uscc,
            payload: {
              event: 'revoke',
              consent_id: id,
              digest: factsDigest({
                id,
                revoked_at: iso(revoked.revoked_at),
                revoked_by: actor.id,
                revoke_reason: revoked.revoke_reason,
              }),
            },
          },
        ]);
        return toConsent(revoked, now);
      });
    },

    /** Enterprise: consents it granted. Institution: consents it holds. Operator: any (filtered). */
    async listConsents(
      actor: AuthenticatedActor,
      filter: { uscc?: string | undefined; institutionId?: string | undefined; limit?: number | undefined },
    ): Promise<Consent[]> {
      const limit = Math.min(filter.limit ?? 200, 1000);
      let rows: ConsentRow[];
      if (actor.type === 'enterprise') {
        if (!actor.uscc) throw new AppError('forbidden');
        rows = await listConsents(db, { uscc: actor.uscc, institutionId: filter.institutionId, limit });
      } else if (actor.type === 'institution' || actor.type === 'institution_system') {
        if (!actor.orgId) throw new AppError('forbidden');
        rows = await listConsents(db, { uscc: filter.uscc, institutionId: actor.orgId, limit });
      } else if (actor.type === 'operator') {
        rows = await listConsents(db, { uscc: filter.uscc, institutionId: filter.institutionId, limit });
      } else {
        throw new AppError('forbidden');
      }
      const now = clock();
      return rows.map((r) => toConsent(r, now));
    },

    async getConsent(actor: AuthenticatedActor, id: string): Promise<Consent> {
      const row = await findConsent(db, id);
      if (!row || !canSee(actor, row)) throw new AppError('not_found', { what: `授权 / consent ${id}` });
      return toConsent(row, clock());
    },
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
