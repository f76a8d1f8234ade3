import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * Reads of `records` / `record_versions` for the one read path (`src/access/read-path.ts`). Nothing
 * else may call these: every caller goes through `readRecords`, which applies consent, openness,
 * masking, repair and publicity status and writes the access log (DESIGN.md invariant 2; a test
 * scans the code for other readers). Written by the access module (issue 4) beside the record
 * store's own repository.
 *
 * One statement per read, whatever the number of records. Marks come from record_marks
 * (src/access/record-marks.repository.ts), ledger positions from the ledger's own export
 * (src/ledger/leaf-index.ts).
 */

export interface ReadVersionRow {
  id: number;
  recordId: number;
  kindCode: string;
  version: number;
  op: string;
  status: string;
  data: Record<string, unknown>;
  occurredOn: string | null;
  catalogVersion: number;
  providerId: string;
  /** ISO 8601, UTC. */
  createdAt: string;
}

interface RawRow {
  id: number | string;
  record_id: number | string;
  kind_code: string;
  version: number;
  op: string;
  status: string;
  data: Record<string, unknown> | string;
  occurred_on: string | null;
  catalog_version: number;
  provider_id: string;
  created_at: Date | string;
}

function toRow(x: RawRow): ReadVersionRow {
  return {
    id: Number(x.id),
    recordId: Number(x.record_id),
    kindCode: x.kind_code,
    version: x.version,
    op: x.op,
    status: x.status,
    data: typeof x.data === 'string' ? (JSON.parse(x.data) as Record<string, unknown>) : x.data,
    occurredOn: x.occurred_on,
    catalogVersion: x.catalog_version,
    providerId: x.provider_id,
    createdAt: x.created_at instanceof Date ? x.created_at.toISOString() : x.created_at,
  };
}

export interface SubjectVersionsQuery {
  uscc: string;
  kinds: string[];
  /** Every version (true) or the latest of each record (false). */
  allVersions: boolean;
  /** Only records sent by this provider. */
  providerId?: string | undefined;
}

/**
 * Versions of a subject's records of the given kinds, grouped by record, oldest version first. The
 * date filter is applied by the caller (it differs per kind: consented kinds are bounded by the
 * consent's data range, public ones are not).
 */
export async function listSubjectVersions(db: Db, q: SubjectVersionsQuery): Promise<ReadVersionRow[]> {
  if (q.kinds.length === 0) return [];
  const providerFilter = q.providerId ? sql`AND v.provider_id = ${q.providerId}` : sql``;
  // created_at as ISO 8601 text, formatted by the database (cheaper than a Date round trip in JS).
  const columns = sql`v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data, v.occurred_on,
    v.catalog_version, v.provider_id,
    to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;
  // Versions come ordered by record, oldest first (the read path takes the last as the latest).
  const base = q.allVersions
    ? sql`SELECT ${columns} FROM record_versions v
          WHERE v.uscc = ${q.uscc} AND v.kind_code = ANY(${q.kinds}::text[]) ${providerFilter}
          ORDER BY v.record_id, v.version`
    : sql`SELECT DISTINCT ON (v.record_id) ${columns} FROM record_versions v
          WHERE v.uscc = ${q.uscc} AND v.kind_code = ANY(${q.kinds}::text[]) ${providerFilter}
          ORDER BY v.record_id, v.version DESC`;
  const r = await base.$castTo<RawRow>().execute(db);
  return r.rows.map(toRow);
}

/**
 * The same rows without any access control, marks or ledger position: the baseline of the read
 * benchmark (`bench/read.bench.ts`) and nothing else.
 */
export async function listSubjectVersionsRaw(
  db: Db,
  uscc: string,
  kinds: string[],
): Promise<ReadVersionRow[]> {
  const r = await sql<RawRow>`
    SELECT DISTINCT ON (v.record_id) v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data,
      v.occurred_on, v.catalog_version, v.provider_id, v.created_at
    FROM record_versions v
    WHERE v.uscc = ${uscc} AND v.kind_code = ANY(${kinds}::text[])
    ORDER BY v.record_id, v.version DESC`.execute(db);
  return r.rows.map(toRow);
}

/**
 * Records (latest versions) of a kind whose encrypted personal field has the given lookup hash
 * (exact match on a natural person's ID number without decrypting anything). Used by the read
 * path's internal lookups only.
 */
export async function findRecordIdsByLookupHash(
  db: Db,
  kindCode: string,
  fieldCode: string,
  lookupHash: string,
): Promise<{ recordId: number; uscc: string }[]> {
  const r = await sql<{ record_id: number | string; uscc: string }>`
    SELECT DISTINCT v.record_id, v.uscc FROM record_versions v
    WHERE v.kind_code = ${kindCode} AND v.data->>${fieldCode} LIKE ${`enc:sm4:${lookupHash}:%`}
    ORDER BY v.record_id`.execute(db);
  return r.rows.map((x) => ({ recordId: Number(x.record_id), uscc: x.uscc }));
}
