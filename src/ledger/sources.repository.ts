import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Read-only SQL over the tables the ledger protects, for `xinrong ledger verify`: the audit reads the
 * rows behind the entries (it never writes them). Table and column names come from the fixed list in
 * sources.ts, never from input.
 */
type Db = Kysely<Database>;

export interface RecordVersionSource {
  id: number;
  recordId: number;
  uscc: string;
  kindCode: string;
  version: number;
  op: string;
  status: string;
  /** jsonb as text, parsed by the caller. */
  data: string;
  dataDigest: string;
  catalogVersion: number;
  naturalKey: string | null;
}

export async function findRecordVersions(db: Db, ids: number[]): Promise<Map<number, RecordVersionSource>> {
  if (ids.length === 0) return new Map();
  const r = await sql<{
    id: number | string;
    record_id: number | string;
    uscc: string;
    kind_code: string;
    version: number;
    op: string;
    status: string;
    data: string;
    data_digest: string;
    catalog_version: number;
    natural_key: string | null;
  }>`
    SELECT v.id, v.record_id, v.uscc, v.kind_code, v.version, v.op, v.status, v.data::text AS data,
      v.data_digest, v.catalog_version, r.natural_key
    FROM record_versions v LEFT JOIN records r ON r.id = v.record_id
    WHERE v.id = ANY(${ids}::bigint[])`.execute(db);
  return new Map(
    r.rows.map((x) => [
      Number(x.id),
      {
        id: Number(x.id),
        recordId: Number(x.record_id),
        uscc: x.uscc,
        kindCode: x.kind_code,
        version: Number(x.version),
        op: x.op,
        status: x.status,
        data: x.data,
        dataDigest: x.data_digest,
        catalogVersion: Number(x.catalog_version),
        naturalKey: x.natural_key,
      },
    ]),
  );
}

export interface DigestedSource {
  key: string;
  digestSha256: string;
  /** The document as text (catalog_versions only), to recompute the digest. */
  document: string | null;
}

/** catalog_versions and evaluation_models: keyed by version, with a SHA-256 digest column. */
export async function findDigestedRows(
  db: Db,
  table: 'catalog_versions' | 'evaluation_models',
  versions: number[],
): Promise<Map<string, DigestedSource>> {
  if (versions.length === 0) return new Map();
  const doc = table === 'catalog_versions' ? sql`document::text` : sql`NULL::text`;
  const r = await sql<{ key: string; digest_sha256: string; document: string | null }>`
    SELECT version::text AS key, digest_sha256, ${doc} AS document
    FROM ${sql.table(table)} WHERE version = ANY(${versions}::int[])`.execute(db);
  return new Map(
    r.rows.map((x) => [x.key, { key: x.key, digestSha256: x.digest_sha256, document: x.document }]),
  );
}

/** Which of the ids still exist in `table` (keyed by `column`, compared as text). */
export async function findExistingKeys(
  db: Db,
  table: string,
  column: string,
  keys: string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const exists = await sql<{ ok: boolean }>`SELECT to_regclass(${table}) IS NOT NULL AS ok`.execute(db);
  if (!exists.rows[0]?.ok) return new Set();
  const r = await sql<{ key: string }>`
    SELECT ${sql.ref(column)}::text AS key FROM ${sql.table(table)}
    WHERE ${sql.ref(column)}::text = ANY(${keys}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.key));
}

/**
 * Rows of `table` with no ledger entry at all (queued or sequenced): a row inserted behind the
 * application's back. One statement, so one snapshot for both tables.
 */
export async function findUnloggedKeys(
  db: Db,
  table: string,
  column: string,
  limit: number,
): Promise<string[]> {
  const r = await sql<{ key: string }>`
    SELECT t.${sql.ref(column)}::text AS key FROM ${sql.table(table)} t
    WHERE NOT EXISTS (
      SELECT 1 FROM ledger_queue q WHERE q.ref_table = ${table} AND q.ref_id = t.${sql.ref(column)}::text
        AND NOT (q.entry_type = 'record_version' AND q.ref_id = q.id::text)
    ) ${
      table === 'record_versions'
        ? sql`AND (
      -- a record version's entry has the version's id (migration 2026-11-22T0402): one primary-key
      -- lookup per version. A scalar subquery, not NOT EXISTS: the planner may turn an anti-join
      -- into a rescan of the whole queue per version when it expects the filtered queue to be tiny,
      -- which it does without statistics (PGlite never analyzes): 20,000 versions took 10 s.
      SELECT q.entry_type = 'record_version' AND q.ref_table = 'record_versions' AND q.ref_id = t.id::text
      FROM ledger_queue q WHERE q.id = t.id
    ) IS NOT TRUE`
        : sql``
    }
    ORDER BY t.${sql.ref(column)} LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.key);
}
