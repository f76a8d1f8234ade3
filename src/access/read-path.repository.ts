import { sql, type RawBuilder } from 'kysely';
import { dialectName, executePrepared, type Db } from '../db/database.ts';
import { queueInsertSql, type QueueInsert } from '../ledger/ledger.repository.ts';
import {
  consentCandidateCtes,
  consentCandidateJson,
  countCheckedConsentUseCtes,
  type ConsentRow,
  type UseConditions,
} from '../consent/consent.repository.ts';
import type { ReadVersionRow } from '../records/record-reads.repository.ts';
import type { StoredPublicityEnd } from './read-context.repository.ts';
import type { StoredMark } from './record-marks.repository.ts';

/**
 * The read path's two statements (docs/decisions/0052, "Speed"):
 *
 * 1. `readSnapshot` — read only: the subject, its active marks, the consent that would be used
 *    (checked with the consent module's own CTEs, not counted), the record versions of every kind
 *    the viewer may see (conditional kinds only when that consent covers them), and ids reserved
 *    for the access-log row and the consent use (`nextval`: a discarded read leaves a gap, nothing
 *    else);
 * 2. `writeReadLog` — one data-modifying statement, atomic on its own: count the consent use
 *    (re-checked on the locked row), insert the use, the access-log row and the ledger leaves. When
 *    the re-check fails nothing at all is written and the caller falls back to the counted path.
 *
 * The versions query names `record_versions`: this file is on the one-read-path allow-list.
 */

export interface SubjectHead {
  uscc: string;
  name: string;
  subject_type: string;
  region_code: string | null;
  industry_code: string | null;
  legal_rep_name: string | null;
  registration_status: string | null;
  established_on: string | null;
  is_provisional: boolean;
}

export interface ConsentCandidate {
  /** The consent as stored before this use. */
  row: ConsentRow;
  /** The requested kinds both the consent and the agreement cover, in request order. */
  kinds: string[];
  agreementId: number;
  agreementKinds: string[];
  agreementCategories: string[];
}

export interface ReadSnapshot {
  subject: SubjectHead | undefined;
  marks: Map<number, StoredMark[]>;
  /** Stored publicity ends (record_publicity, written with each version; rights decision 0102). */
  publicity: Map<number, StoredPublicityEnd>;
  /** Undefined when no consent was asked for; null when none qualifies. */
  candidate: ConsentCandidate | null | undefined;
  accessLogId: number;
  useId: number | null;
  rows: ReadVersionRow[];
}

export interface SnapshotQuery {
  uscc: string;
  /** Kinds shown without a consent (public, or everything for privileged viewers). */
  openKinds: string[];
  /** A provider's own records of these kinds. */
  ownKinds: string[];
  providerId: string | null;
  allVersions: boolean;
  /** Conditional kinds wanted under a consent, with the conditions of `authorizeUse`. */
  consent?: UseConditions | undefined;
}

interface HeadJson {
  subject: SubjectHead | null;
  marks: [number | string, string][] | null;
  publicity: [number | string, number | string, string | null][] | null;
  log_id: number | string;
  use_id: number | string | null;
  consent: {
    row: Record<string, unknown>;
    kinds: string[];
    agreement_id: number | string;
    agreement_kinds: string[];
    agreement_categories: string[];
  } | null;
}

/** A version as the snapshot sends it: one JSON array per version (see `readSnapshot`). */
type VersionTuple = [
  id: number | string,
  recordId: number | string,
  kindCode: string,
  version: number,
  op: string,
  status: string,
  data: Record<string, unknown>,
  occurredOn: string | null,
  catalogVersion: number,
  providerId: string,
  createdAt: string,
];

/** A version as a result row of column values (PostgreSQL transport); the head row has null id. */
type VersionColumns = [
  head: HeadJson | string | null,
  id: number | string | null,
  recordId: number | string,
  kindCode: string,
  version: number,
  op: string,
  status: string,
  data: Record<string, unknown> | string,
  occurredOn: string | null,
  catalogVersion: number,
  providerId: string,
  /** UTC, as PostgreSQL writes a timestamp: `2026-11-22 02:20:11.123456`. */
  createdAt: string,
];

/**
 * How the versions travel. PGlite decodes every result row and column in JavaScript: the same 300
 * versions as one JSON document cost it ~2.5× less. PostgreSQL sends rows from C, and building the
 * JSON costs its backend ~0.5 ms more than the rows per 300 versions (EXPLAIN ANALYZE), which is
 * more than the client saves: rows there.
 */
function transportOf(db: Db): 'json' | 'rows' {
  return dialectName(db) === 'pglite' ? 'json' : 'rows';
}

const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
/**
 * A UTC timestamp as JSON (`2026-11-22T02:20:11.123456`) or as text (`2026-11-22 02:20:11.123456`)
 * → `2026-11-22T02:20:11.123Z` (trailing zeros of the fraction are omitted in both).
 */
export function utcIso(s: string): string {
  const time = s.slice(11, 23);
  return `${s.slice(0, 10)}T${time.length === 8 ? `${time}.000` : time.padEnd(12, '0')}Z`;
}
const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

/**
 * One statement: the head (subject, marks, publicity ends, consent candidate, reserved ids) and the
 * versions, as one JSON document (PGlite) or as rows after a head row (PostgreSQL), see `transportOf`.
 */
export async function readSnapshot(db: Db, q: SnapshotQuery): Promise<ReadSnapshot> {
  const consent = q.consent;
  const ctes = consent ? sql`WITH ${consentCandidateCtes(consent)}` : sql``;
  const consentJson = consent ? consentCandidateJson() : sql`NULL::json`;
  const useId = consent ? sql`nextval('consent_uses_id_seq')` : sql`NULL::bigint`;
  const kindFilter: RawBuilder<unknown>[] = [sql`v.kind_code = ANY(${q.openKinds}::text[])`];
  if (q.ownKinds.length && q.providerId) {
    kindFilter.push(sql`(v.kind_code = ANY(${q.ownKinds}::text[]) AND v.provider_id = ${q.providerId})`);
  }
  if (consent) {
    kindFilter.push(sql`v.kind_code = ANY(COALESCE((SELECT ${sql.raw(coveredKindsOfCandidate)}), '{}'))`);
  }
  const where = sql`v.uscc = ${q.uscc} AND (${sql.join(kindFilter, sql` OR `)})`;
  const versions = q.allVersions
    ? sql`SELECT v.* FROM record_versions v WHERE ${where}`
    : sql`SELECT DISTINCT ON (v.record_id) v.* FROM record_versions v WHERE ${where}
          ORDER BY v.record_id, v.version DESC`;
  const head = sql`json_build_object(
      'subject', (SELECT json_build_object('uscc', s.uscc, 'name', s.name, 'subject_type', s.subject_type,
          'region_code', s.region_code, 'industry_code', s.industry_code, 'legal_rep_name', s.legal_rep_name,
          'registration_status', s.registration_status, 'established_on', s.established_on,
          'is_provisional', s.is_provisional)
        FROM subjects s WHERE s.uscc = ${q.uscc}),
      'marks', (SELECT json_agg(json_build_array(m.record_id, m.mark)) FROM record_marks m
        WHERE m.uscc = ${q.uscc} AND m.active),
      'publicity', (SELECT json_agg(json_build_array(p.record_id, p.version, p.publicity_until))
        FROM record_publicity p WHERE p.uscc = ${q.uscc}),
      'log_id', nextval('access_log_id_seq'),
      'use_id', ${useId},
      'consent', ${consentJson}
    )`;
  let headJson: HeadJson | undefined;
  let rows: ReadVersionRow[];
  if (transportOf(db) === 'json') {
    const r = await sql<{ head: HeadJson | string; versions: VersionTuple[] | string | null }>`
      ${ctes}
      SELECT ${head} AS head,
        -- created_at as UTC without zone: JSON writes it in ISO 8601 whatever the session's TimeZone
        -- (cheaper than to_char; completed to …Z in JavaScript).
        (SELECT json_agg(json_build_array(v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data,
            v.occurred_on, v.catalog_version, v.provider_id, v.created_at AT TIME ZONE 'UTC'))
         FROM (${versions}) v) AS versions`.execute(db);
    const row = r.rows[0]!;
    headJson = parse(row.head);
    const tuples = row.versions === null ? [] : parse(row.versions);
    rows = new Array(tuples.length);
    for (let i = 0; i < tuples.length; i++) {
      const t = tuples[i]!;
      rows[i] = {
        id: Number(t[0]),
        recordId: Number(t[1]),
        kindCode: t[2],
        version: t[3],
        op: t[4],
        status: t[5],
        data: t[6],
        occurredOn: t[7],
        catalogVersion: t[8],
        providerId: t[9],
        createdAt: utcIso(t[10]),
      };
    }
  } else {
    // A head row, then one row per version, as arrays of column values (`VersionColumns`) from a
    // statement the connection keeps prepared: parsing and planning it cost the backend more than
    // running it (docs/decisions/0120). created_at as UTC text, completed to ISO 8601 here (cheaper
    // than to_char).
    const r = await executePrepared(
      db,
      sql<VersionColumns>`
      ${ctes}
      SELECT ${head} AS head, NULL::bigint AS id, NULL::bigint AS record_id, NULL::text AS kind_code,
        NULL::int AS version, NULL::text AS op, NULL::text AS status, NULL::jsonb AS data,
        NULL::date AS occurred_on, NULL::int AS catalog_version, NULL::text AS provider_id,
        NULL::text AS created_at
      UNION ALL (
        SELECT NULL::json, v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data, v.occurred_on,
          v.catalog_version, v.provider_id, (v.created_at AT TIME ZONE 'UTC')::text
        FROM (${versions}) v)`,
      { rowMode: 'array' },
    );
    rows = [];
    for (const x of r.rows) {
      if (!Array.isArray(x)) throw new Error('read snapshot: rows as arrays expected (PostgreSQL)');
      if (x[1] === null) {
        headJson = parse(x[0]!);
        continue;
      }
      rows.push({
        id: Number(x[1]),
        recordId: Number(x[2]),
        kindCode: x[3],
        version: x[4],
        op: x[5],
        status: x[6],
        data: parse(x[7]),
        occurredOn: x[8],
        catalogVersion: x[9],
        providerId: x[10],
        createdAt: utcIso(x[11]),
      });
    }
  }
  if (!headJson) throw new Error('read snapshot: no head row');
  const h = headJson;
  // Versions ordered by record, oldest first (the read path takes the last one as the latest).
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    sorted = a.recordId < b.recordId || (a.recordId === b.recordId && a.version < b.version);
  }
  if (!sorted) rows.sort((a, b) => a.recordId - b.recordId || a.version - b.version);

  const marks = new Map<number, StoredMark[]>();
  for (const [id, mark] of h.marks ?? []) {
    const k = Number(id);
    const l = marks.get(k);
    if (l) l.push(mark as StoredMark);
    else marks.set(k, [mark as StoredMark]);
  }
  const publicity = new Map<number, StoredPublicityEnd>();
  for (const [id, version, until] of h.publicity ?? []) {
    publicity.set(Number(id), { version: Number(version), until });
  }
  let candidate: ConsentCandidate | null | undefined;
  if (consent) {
    const c = h.consent;
    candidate = c
      ? {
          row: {
            ...(c.row as unknown as ConsentRow),
            valid_from: toDate(c.row.valid_from)!,
            valid_until: toDate(c.row.valid_until)!,
            last_used_at: toDate(c.row.last_used_at),
            created_at: toDate(c.row.created_at)!,
            revoked_at: toDate(c.row.revoked_at),
          },
          kinds: c.kinds,
          agreementId: Number(c.agreement_id),
          agreementKinds: c.agreement_kinds,
          agreementCategories: c.agreement_categories,
        }
      : null;
  }
  return {
    subject: h.subject ?? undefined,
    marks,
    publicity,
    candidate,
    accessLogId: Number(h.log_id),
    useId: h.use_id === null ? null : Number(h.use_id),
    rows,
  };
}

/** The kinds the candidate consent covers (the consent module's `cc` and `k` CTEs). */
const coveredKindsOfCandidate = `ARRAY(SELECT k.kind FROM k, cc
  WHERE k.kind = ANY(cc.scope_kinds) OR k.cat = ANY(cc.scope_categories) ORDER BY k.n)`;

export interface ReadLogInsert {
  id: number;
  uscc: string;
  actor_type: string;
  actor_id: string | null;
  org_id: string | null;
  basis: string;
  purpose: string | null;
  consent_id: string | null;
  mode: string | null;
  kinds: string[];
  record_count: number;
  non_public: boolean;
  occurred_at: Date;
}

/**
 * Writes a read's trail in one statement: the consent use (when `use` is given: counted only if
 * still allowed), the access-log row and the ledger leaves. Returns false — and has written
 * nothing — when the consent could no longer be used.
 */
export async function writeReadLog(
  db: Db,
  log: ReadLogInsert,
  leaves: QueueInsert[],
  use?: Parameters<typeof countCheckedConsentUseCtes>[0],
  /**
   * Commit without waiting for the WAL flush (XINRONG_READ_COMMIT=async, decision 0052): the setting is
   * local to this statement's own transaction, so no BEGIN / SET LOCAL / COMMIT round trips.
   */
  asyncCommit = false,
): Promise<boolean> {
  const gate = use ? countCheckedConsentUseCtes(use) : sql`c AS (SELECT 1 AS id)`;
  const commit = asyncCommit
    ? sql`, s AS (SELECT set_config('synchronous_commit', 'off', true) AS v)`
    : sql``;
  const qq = sql<{ logged: number }>`
    WITH ${gate}, l AS (
      INSERT INTO access_log (id, uscc, actor_type, actor_id, org_id, basis, purpose, consent_id, mode,
        kinds, record_count, non_public, occurred_at)
      SELECT ${log.id}, ${log.uscc}, ${log.actor_type}, ${log.actor_id}, ${log.org_id}, ${log.basis},
        ${log.purpose}, ${log.consent_id}, ${log.mode}, ${log.kinds}::text[], ${log.record_count},
        ${log.non_public}, ${log.occurred_at}
      FROM c
      RETURNING id
    )${leaves.length ? sql`, q AS (${queueInsertSql(leaves, sql<boolean>`EXISTS (SELECT 1 FROM c)`)} RETURNING 1)` : sql``}${commit}
    SELECT count(*)::int AS logged FROM l${asyncCommit ? sql`, s` : sql``}`;
  const r = await executePrepared(db, qq);
  return (r.rows[0]?.logged ?? 0) === 1;
}
