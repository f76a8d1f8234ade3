import { sql } from 'kysely';
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ConsentsTable, WrittenAuthorizationsTable } from './consent.tables.ts';

export type ConsentRow = Selectable<ConsentsTable>;
export type WrittenAuthorizationRow = Selectable<WrittenAuthorizationsTable>;

export async function insertConsent(db: Db, row: Insertable<ConsentsTable>): Promise<ConsentRow> {
  return db.insertInto('consents').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findConsent(db: Db, id: string, forUpdate = false): Promise<ConsentRow | undefined> {
  let q = db.selectFrom('consents').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface ConsentFilter {
  uscc?: string | undefined;
  institutionId?: string | undefined;
  limit: number;
}

export async function listConsents(db: Db, f: ConsentFilter): Promise<ConsentRow[]> {
  let q = db.selectFrom('consents').selectAll();
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.institutionId) q = q.where('institution_id', '=', f.institutionId);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute();
}

/** Sets revoked_at once; a second revocation changes nothing (returns undefined). */
export async function markRevoked(
  db: Db,
  id: string,
  by: string,
  reason: string | null,
  at: Date,
): Promise<ConsentRow | undefined> {
  return db
    .updateTable('consents')
    .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

// ---- written authorizations ----

export async function insertWrittenAuthorization(
  db: Db,
  row: Insertable<WrittenAuthorizationsTable>,
): Promise<WrittenAuthorizationRow> {
  return db.insertInto('written_authorizations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWrittenAuthorization(
  db: Db,
  id: number,
  forUpdate = false,
): Promise<WrittenAuthorizationRow | undefined> {
  let q = db.selectFrom('written_authorizations').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listWrittenAuthorizations(
  db: Db,
  f: { status?: string | undefined; institutionId?: string | undefined; limit: number },
): Promise<WrittenAuthorizationRow[]> {
  let q = db.selectFrom('written_authorizations').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.institutionId) q = q.where('institution_id', '=', f.institutionId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

export async function reviewWrittenAuthorization(
  db: Db,
  id: number,
  r: {
    status: 'confirmed' | 'rejected';
    by: string;
    note: string | null;
    consentId: string | null;
    at: Date;
  },
): Promise<WrittenAuthorizationRow> {
  return db
    .updateTable('written_authorizations')
    .set({
      status: r.status,
      reviewed_by: r.by,
      reviewed_at: r.at,
      review_note: r.note,
      consent_id: r.consentId,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface UseConditions {
  /** A named consent, or null for the newest one that qualifies. */
  consentId: string | null;
  institutionId: string;
  uscc: string;
  purpose: string | null;
  /** Consent modes that allow the requested use. */
  modes: string[];
  now: Date;
  /** Today (YYYY-MM-DD, UTC+8), for the agreement's term. */
  day: string;
  dateFrom: string | null;
  dateTo: string | null;
  /** Requested kinds and, index for index, their categories. */
  kinds: string[];
  categories: string[];
  /** Who uses it, recorded in consent_uses. */
  actorType: string;
  actorId: string;
  mode: string;
}

export type UsedConsentRow = ConsentRow & {
  use_id: number | string;
  used_kinds: string[];
  agreement_kinds: string[];
  agreement_categories: string[];
};

/**
 * The consent rules as CTEs, shared by the counting statement below and the read path's snapshot
 * (src/access/read-path.repository.ts), so both pick exactly the same consent:
 * - `a`: the institution's data-sharing agreement in force on `day` (the one ending last);
 * - `k`: the requested kinds (with their categories and order) the agreement covers;
 * - `cc`: the consent that qualifies — the named one, or the newest — if unrevoked, unexpired, not
 *   exhausted, of an allowing mode, for the purpose, overlapping the date range and covering a kind
 *   of `k`. Nothing is locked or counted here.
 */
export function consentCandidateCtes(c: Omit<UseConditions, 'actorType' | 'actorId' | 'mode'>) {
  return sql`a AS (
      SELECT id AS agreement_id, scope_kinds, scope_categories,
        cardinality(scope_kinds) + cardinality(scope_categories) = 0 AS unbounded
      FROM data_sharing_agreements
      WHERE org_id = ${c.institutionId} AND valid_from <= ${c.day}::date AND valid_until >= ${c.day}::date
      ORDER BY valid_until DESC, id DESC LIMIT 1
    ), k AS (
      SELECT t.kind, t.cat, t.n FROM a, unnest(${c.kinds}::text[], ${c.categories}::text[]) WITH ORDINALITY AS t(kind, cat, n)
      WHERE a.unbounded OR t.kind = ANY(a.scope_kinds) OR t.cat = ANY(a.scope_categories)
    ), cc AS (
      SELECT x.* FROM consents x
      WHERE x.institution_id = ${c.institutionId} AND x.uscc = ${c.uscc}
        AND (${c.consentId}::text IS NULL OR x.id = ${c.consentId}::text)
        AND (${c.purpose}::text IS NULL OR x.purpose = ${c.purpose}::text)
        AND x.mode = ANY(${c.modes}::text[])
        AND x.revoked_at IS NULL AND x.valid_until > ${c.now}
        AND (x.max_uses IS NULL OR x.use_count < x.max_uses)
        AND (${c.dateFrom}::date IS NULL OR x.data_to IS NULL OR x.data_to >= ${c.dateFrom}::date)
        AND (${c.dateTo}::date IS NULL OR x.data_from IS NULL OR x.data_from <= ${c.dateTo}::date)
        AND EXISTS (SELECT 1 FROM k WHERE k.kind = ANY(x.scope_kinds) OR k.cat = ANY(x.scope_categories))
      ORDER BY x.created_at DESC, x.id
      LIMIT 1
    )`;
}

/** The kinds of `k` a consent row (alias) covers, in request order: what a use records. */
function coveredKinds(alias: string) {
  return sql`ARRAY(SELECT k.kind FROM k WHERE k.kind = ANY(${sql.ref(`${alias}.scope_kinds`)}) OR k.cat = ANY(${sql.ref(`${alias}.scope_categories`)}) ORDER BY k.n)`;
}

/** Columns the read path's snapshot returns about the candidate: the row, the kinds and the agreement. */
export function consentCandidateJson() {
  return sql`(SELECT json_build_object('row', row_to_json(cc), 'kinds', ${coveredKinds('cc')},
      'agreement_id', a.agreement_id, 'agreement_kinds', a.scope_kinds, 'agreement_categories', a.scope_categories)
    FROM cc, a)`;
}

/**
 * Check, count and record in one statement: picks the consent (`consentCandidateCtes`) only if the
 * institution's data-sharing agreement is in force and the consent qualifies; increments its use
 * count and inserts the `consent_uses` row with the kinds both cover. The UPDATE re-checks
 * revocation and the use limit on the locked row, so concurrent uses never exceed `max_uses`.
 * No row: nothing was counted (the caller finds out why).
 */
export async function useConsentIfAllowed(db: Db, c: UseConditions): Promise<UsedConsentRow | undefined> {
  const r = await sql<UsedConsentRow>`
    WITH ${consentCandidateCtes(c)}, c AS (
      UPDATE consents SET use_count = use_count + 1, last_used_at = ${c.now}
      WHERE id = (SELECT id FROM cc)
      AND revoked_at IS NULL AND (max_uses IS NULL OR use_count < max_uses)
      RETURNING *
    ), u AS (
      INSERT INTO consent_uses (consent_id, uscc, actor_type, actor_id, mode, kinds, used_at)
      SELECT c.id, c.uscc, ${c.actorType}, ${c.actorId}, ${c.mode}, ${coveredKinds('c')}, ${c.now}
      FROM c
      RETURNING id, kinds
    )
    SELECT c.*, u.id AS use_id, u.kinds AS used_kinds,
      a.scope_kinds AS agreement_kinds, a.scope_categories AS agreement_categories
    FROM c, u, a`.execute(db);
  return r.rows[0];
}

/**
 * The read path's counted use of a consent it checked in its snapshot (`consentCandidateCtes`): CTEs
 * `c` (the UPDATE, re-checking on the locked row that the consent is still unrevoked and not
 * exhausted, and that the agreement it was checked under is still the one in force — everything
 * else about a consent and an agreement is immutable) and `u` (the `consent_uses` row, with the id
 * reserved by the snapshot). When `c` is empty nothing is counted: the caller's other inserts select
 * FROM c so that they are skipped too.
 */
export function countCheckedConsentUseCtes(p: {
  consentId: string;
  useId: number;
  agreementId: number;
  institutionId: string;
  day: string;
  now: Date;
  uscc: string;
  actorType: string;
  actorId: string;
  mode: string;
  kinds: string[];
}) {
  return sql`c AS (
      UPDATE consents SET use_count = use_count + 1, last_used_at = ${p.now}
      WHERE id = ${p.consentId} AND revoked_at IS NULL AND (max_uses IS NULL OR use_count < max_uses)
        AND (SELECT id FROM data_sharing_agreements
             WHERE org_id = ${p.institutionId} AND valid_from <= ${p.day}::date AND valid_until >= ${p.day}::date
             ORDER BY valid_until DESC, id DESC LIMIT 1) = ${p.agreementId}
      RETURNING id
    ), u AS (
      INSERT INTO consent_uses (id, consent_id, uscc, actor_type, actor_id, mode, kinds, used_at)
      SELECT ${p.useId}, c.id, ${p.uscc}, ${p.actorType}, ${p.actorId}, ${p.mode}, ${p.kinds}::text[], ${p.now}
      FROM c
      RETURNING id
    )`;
}
