import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { StoredPublicityFacts } from '../rights/publicity/publicity-compute.ts';
import { integerArray, jsonTexts, textArray } from '../db/array-literal.ts';

/**
 * The only SQL on `records` and `record_versions` besides the read path (`src/access/read-path.ts`).
 * Bulk statements take a chunk's columns as arrays read with `unnest(…)`, built as array literals by
 * `src/db/array-literal.ts` (decision 0125): one statement and one parameter per column per chunk,
 * whatever its size, on PGlite and PostgreSQL alike.
 */

type Db = Kysely<Database>;

/** The latest version of a record, as the write path needs it to decide what a new row means. */
export interface RecordHead {
  recordId: number;
  uscc: string;
  naturalKey: string;
  providerId: string;
  version: number;
  status: string;
  dataDigest: string;
}

export interface NewVersionRow {
  /**
   * Reserved with `reserveIds` (the ledger entry names it, and is hashed before the insert);
   * null: the column default (only without ledger entries, a benchmark's baseline).
   */
  id: number | null;
  recordId: number;
  uscc: string;
  version: number;
  op: string;
  status: string;
  /** Canonical JSON text of the data. */
  dataJson: string;
  dataDigest: string;
  occurredOn: string | null;
  reason: string | null;
  /** The record's natural key (for its ledger entry; the identity row holds it). */
  naturalKey: string;
  /**
   * The first version of a record new in this chunk: the same statement creates the identity row
   * (uscc, kind, natural key, provider) with `recordId`, reserved by `reserveIds`.
   */
  createsRecord: boolean;
  /** Base64 leaf hash of the version's ledger entry; null: no entry (the queue is bypassed). */
  leafHash: string | null;
  /**
   * The record's stored publicity end, on the latest version of a record of a kind with a publicity
   * rule (at most one per record in a statement); null: none written.
   */
  publicity: StoredPublicityFacts | null;
}

/**
 * Serialises writers of one kind for the rest of the transaction, so that two batches of the same
 * kind never race on the same identity or version number. Chunks are short transactions, so
 * concurrent batches interleave chunk by chunk.
 */
export async function lockKindForWrite(db: Db, kindCode: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`records:${kindCode}`}))`.execute(db);
}

/**
 * Lets a chunk's transaction commit without waiting for its WAL flush. Safe for ingestion because
 * the batch's final status update commits synchronously, which flushes the WAL of every earlier
 * chunk first: when a provider is told a batch completed, all of it is durable; a crash before that
 * loses a suffix of chunks together with the batch progress that counted them (the raw upload is
 * kept, so the batch can be sent again and is idempotent).
 */
export async function deferCommitFlush(db: Db): Promise<void> {
  await sql`SET LOCAL synchronous_commit TO off`.execute(db);
}

/** Identities and latest versions for (uscc, natural key) pairs of one kind, in one query. */
export async function findHeads(
  db: Db,
  kindCode: string,
  keys: { uscc: string; naturalKey: string }[],
): Promise<RecordHead[]> {
  if (keys.length === 0) return [];
  const r = await sql<{
    record_id: number;
    uscc: string;
    natural_key: string;
    provider_id: string;
    version: number;
    status: string;
    data_digest: string;
  }>`
    SELECT r.id AS record_id, r.uscc, r.natural_key, r.provider_id, v.version, v.status, v.data_digest
    FROM records r
    JOIN LATERAL (
      SELECT version, status, data_digest FROM record_versions
      WHERE record_id = r.id ORDER BY version DESC LIMIT 1
    ) v ON true
    WHERE r.kind_code = ${kindCode}
      AND (r.uscc, r.natural_key) IN (
        SELECT k.uscc, k.natural_key
        FROM unnest(${textArray(keys.map((k) => k.uscc))}::text[], ${textArray(keys.map((k) => k.naturalKey))}::text[])
          AS k(uscc, natural_key)
      )`.execute(db);
  return r.rows.map((x) => ({
    recordId: Number(x.record_id),
    uscc: x.uscc,
    naturalKey: x.natural_key,
    providerId: x.provider_id,
    version: x.version,
    status: x.status,
    dataDigest: x.data_digest,
  }));
}

/** The data of the latest version of each record (withdrawals and restores keep the data as it was). */
export async function findLatestData(
  db: Db,
  recordIds: number[],
): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  if (recordIds.length === 0) return out;
  const r = await sql<{ record_id: number; data: Record<string, unknown> | string }>`
    SELECT DISTINCT ON (record_id) record_id, data
    FROM record_versions
    WHERE record_id = ANY(${recordIds}::bigint[])
    ORDER BY record_id, version DESC`.execute(db);
  for (const row of r.rows) {
    out.set(Number(row.record_id), typeof row.data === 'string' ? JSON.parse(row.data) : row.data);
  }
  return out;
}

/**
 * Ids for a chunk, in one round trip: `records` new record ids (from the records' sequence) and
 * `versions` new version ids, each ascending and sent back as one text value (one row for the driver
 * to parse instead of a thousand). Version ids come from the ledger's sequence, as the column default
 * does: a version's ledger entry takes the version's id (migration 2026-11-22T0402, decision 0123).
 * Reserving the record ids here lets the versions statement create the identities too (decision
 * 0124): no statement of its own, no speculative insertion and no ids to read back.
 */
export async function reserveIds(
  db: Db,
  n: { records: number; versions: number },
): Promise<{ recordIds: number[]; versionIds: number[] }> {
  if (n.records <= 0 && n.versions <= 0) return { recordIds: [], versionIds: [] };
  const r = await sql<{ r: string | null; v: string | null }>`
    SELECT
      (SELECT string_agg(id::text, ',' ORDER BY id)
         FROM (SELECT nextval('records_id_seq'::regclass) AS id FROM generate_series(1, ${n.records}::int)) s) AS r,
      (SELECT string_agg(id::text, ',' ORDER BY id)
         FROM (SELECT nextval('ledger_entries_id_seq'::regclass) AS id FROM generate_series(1, ${n.versions}::int)) s) AS v`.execute(
    db,
  );
  const list = (t: string | null) => (t ? t.split(',').map(Number) : []);
  return { recordIds: list(r.rows[0]!.r), versionIds: list(r.rows[0]!.v) };
}

/**
 * Creates the chunk's new identities, appends versions, queues their ledger entries and writes their
 * stored publicity ends, in ONE statement: the chunk is parsed once (docs/decisions/0030, 0040,
 * 0124). A new identity is a plain insert: an identity created meanwhile by a writer that does not
 * hold the kind lock fails the statement with a unique violation (23505), and the chunk is retried.
 * A version's ledger entry stores no payload: its payload is the version row's own facts,
 * `{record_id, uscc, kind, natural_key, version, op, status, data_digest, catalog_version}`, read
 * back from the row (decision 0123); the leaf hash stored with it is the hash of the canonical text
 * the writer built from the same facts (`recordVersionEntryText` in record-store.service.ts), which
 * the sequencer re-checks for the first entry of every transaction. Rows whose `leafHash` is null get no entry (only when a benchmark
 * bypasses the queue). Rows carrying `publicity` upsert the record's stored publicity end (decision
 * 0122; the latest version wins, as `record_publicity_recompute` decides).
 */
export async function insertVersions(
  db: Db,
  common: { kindCode: string; catalogVersion: number; providerId: string; batchId: number | null },
  rows: NewVersionRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (x: NewVersionRow) => T): T[] => rows.map(f);
  const pub = <T>(f: (p: StoredPublicityFacts) => T): (T | null)[] =>
    rows.map((x) => (x.publicity === null ? null : f(x.publicity)));
  // One array per column (decision 0125); the data documents travel as JSON texts split on the server.
  await sql`
    WITH x AS MATERIALIZED (
      SELECT u.id, u.record_id, u.uscc, u.version, u.op, u.status, u.data::jsonb AS data, u.data_digest,
        u.occurred_on, u.reason, u.h, u.nk, u.pd, u.ps, u.pr, u.pu, u.pb
      FROM unnest(
        ${integerArray(col((x) => x.id))}::bigint[], ${integerArray(col((x) => x.recordId))}::bigint[],
        ${textArray(col((x) => x.uscc))}::text[], ${integerArray(col((x) => x.version))}::int[],
        ${textArray(col((x) => x.op))}::text[], ${textArray(col((x) => x.status))}::text[],
        string_to_array(${jsonTexts(col((x) => x.dataJson))}::text, E'\x1e'),
        ${textArray(col((x) => x.dataDigest))}::text[], ${textArray(col((x) => x.occurredOn))}::date[],
        ${textArray(col((x) => x.reason))}::text[], ${textArray(col((x) => x.leafHash))}::text[],
        ${textArray(col((x) => (x.createsRecord ? x.naturalKey : null)))}::text[],
        ${textArray(pub((p) => p.decidedOn))}::date[], ${textArray(pub((p) => p.severity))}::text[],
        ${textArray(pub((p) => p.regime))}::text[], ${textArray(pub((p) => p.publicityUntil))}::date[],
        ${textArray(pub((p) => p.basis))}::text[]
      ) AS u(id, record_id, uscc, version, op, status, data, data_digest, occurred_on, reason, h, nk,
             pd, ps, pr, pu, pb)
    ), rec AS (
      INSERT INTO records (id, uscc, kind_code, natural_key, provider_id)
      SELECT x.record_id, x.uscc, ${common.kindCode}, x.nk, ${common.providerId}
      FROM x WHERE x.nk IS NOT NULL
    ), pub_new AS (
      -- A record created by this statement has no stored end yet: a plain insert (no arbiter probe).
      INSERT INTO record_publicity
        (record_id, uscc, kind_code, version, decided_on, severity, regime, publicity_until, basis)
      SELECT x.record_id, x.uscc, ${common.kindCode}, x.version, x.pd, x.ps, x.pr, x.pu, x.pb
      FROM x WHERE x.pb IS NOT NULL AND x.nk IS NOT NULL
    ), pub AS (
      INSERT INTO record_publicity AS p
        (record_id, uscc, kind_code, version, decided_on, severity, regime, publicity_until, basis)
      SELECT x.record_id, x.uscc, ${common.kindCode}, x.version, x.pd, x.ps, x.pr, x.pu, x.pb
      FROM x WHERE x.pb IS NOT NULL AND x.nk IS NULL
      ON CONFLICT (record_id) DO UPDATE SET
        version = EXCLUDED.version, kind_code = EXCLUDED.kind_code, decided_on = EXCLUDED.decided_on,
        severity = EXCLUDED.severity, regime = EXCLUDED.regime, publicity_until = EXCLUDED.publicity_until,
        basis = EXCLUDED.basis, computed_at = now()
      WHERE p.version <= EXCLUDED.version
    ), v AS (
      INSERT INTO record_versions
        (id, record_id, uscc, kind_code, version, op, status, data, data_digest, occurred_on,
         catalog_version, provider_id, batch_id, reason)
      SELECT COALESCE(x.id, nextval('ledger_entries_id_seq'::regclass)), x.record_id, x.uscc, ${common.kindCode}, x.version, x.op, x.status, x.data,
        x.data_digest, x.occurred_on, ${common.catalogVersion}::int, ${common.providerId},
        ${common.batchId}::bigint, x.reason
      FROM x
    )
    INSERT INTO ledger_queue (id, entry_type, ref_table, ref_id, uscc, leaf_hash)
    SELECT x.id, 'record_version', 'record_versions', x.id::text, x.uscc, decode(x.h, 'base64')
    FROM x WHERE x.h IS NOT NULL`.execute(db);
}

/**
 * Refreshes the planner's statistics of the tables a batch writes, when the batch grew them by at
 * least a tenth since the last ANALYZE (autovacuum's own rule, `autovacuum_analyze_scale_factor`
 * 0.1). Only for PGlite, which has no autovacuum: without statistics every plan assumes tiny tables,
 * and one ledger check went quadratic that way (src/ledger/sources.repository.ts). ANALYZE samples at
 * most 30,000 rows a table, so it costs about the same at any size: 1.4 s on PGlite at 100,000
 * versions, against 28 s to ingest them (2026-11-22). Returns whether it ran.
 */
export async function analyzeRecordStoreIfGrown(db: Db, addedVersions: number): Promise<boolean> {
  const r = await sql<{ n: string | number | null }>`
    SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass('record_versions')`.execute(db);
  // -1: never analyzed.
  const known = Number(r.rows[0]?.n ?? -1);
  if (known >= 0 && addedVersions < 0.1 * known) return false;
  await sql`ANALYZE records, record_versions, record_publicity, ledger_queue, subjects`.execute(db);
  return true;
}

// ---- Reads for other domains' internals (never exposed by a route except through the read path) ----

export interface RecordVersionRow {
  id: number;
  recordId: number;
  uscc: string;
  kindCode: string;
  naturalKey: string;
  version: number;
  op: string;
  status: string;
  data: Record<string, unknown>;
  dataDigest: string;
  occurredOn: string | null;
  catalogVersion: number;
  providerId: string;
  batchId: number | null;
  reason: string | null;
  createdAt: Date;
}

function versionSelect(db: Db) {
  return db
    .selectFrom('record_versions as v')
    .innerJoin('records as r', 'r.id', 'v.record_id')
    .select([
      'v.id',
      'v.record_id',
      'v.uscc',
      'v.kind_code',
      'r.natural_key',
      'v.version',
      'v.op',
      'v.status',
      'v.data',
      'v.data_digest',
      'v.occurred_on',
      'v.catalog_version',
      'v.provider_id',
      'v.batch_id',
      'v.reason',
      'v.created_at',
    ]);
}

type VersionSelectRow = Awaited<ReturnType<ReturnType<typeof versionSelect>['execute']>>[number];

function toVersionRow(x: VersionSelectRow): RecordVersionRow {
  return {
    id: Number(x.id),
    recordId: Number(x.record_id),
    uscc: x.uscc,
    kindCode: x.kind_code,
    naturalKey: x.natural_key,
    version: x.version,
    op: x.op,
    status: x.status,
    data: typeof x.data === 'string' ? JSON.parse(x.data) : x.data,
    dataDigest: x.data_digest,
    occurredOn: x.occurred_on,
    catalogVersion: x.catalog_version,
    providerId: x.provider_id,
    batchId: x.batch_id === null ? null : Number(x.batch_id),
    reason: x.reason,
    createdAt: new Date(x.created_at as unknown as string | Date),
  };
}

/** Every version of one record, oldest first. */
export async function listRecordHistory(db: Db, recordId: number): Promise<RecordVersionRow[]> {
  const rows = await versionSelect(db).where('v.record_id', '=', recordId).orderBy('v.version').execute();
  return rows.map(toVersionRow);
}

/** Finds a record's identity by (uscc, kind, natural key). */
export async function findRecordId(
  db: Db,
  uscc: string,
  kindCode: string,
  naturalKey: string,
): Promise<number | undefined> {
  const r = await db
    .selectFrom('records')
    .select('id')
    .where('uscc', '=', uscc)
    .where('kind_code', '=', kindCode)
    .where('natural_key', '=', naturalKey)
    .executeTakeFirst();
  return r ? Number(r.id) : undefined;
}

/** The latest version of every record of a subject (optionally of some kinds), withdrawn ones included. */
export async function listLatestVersionsOfSubject(
  db: Db,
  uscc: string,
  kindCodes?: string[],
): Promise<RecordVersionRow[]> {
  let q = versionSelect(db)
    .where('v.uscc', '=', uscc)
    .where(({ eb, selectFrom }) =>
      eb(
        'v.version',
        '=',
        selectFrom('record_versions as w')
          .select(({ fn }) => fn.max('w.version').as('m'))
          .whereRef('w.record_id', '=', 'v.record_id'),
      ),
    );
  if (kindCodes?.length) q = q.where('v.kind_code', 'in', kindCodes);
  const rows = await q.orderBy('v.kind_code').orderBy('v.record_id').execute();
  return rows.map(toVersionRow);
}
