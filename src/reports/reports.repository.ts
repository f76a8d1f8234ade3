import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
import { queueInsertSql, type QueueInsert } from '../ledger/ledger.repository.ts';
import type { ReportRenditionsTable, ReportsTable } from './reports.tables.ts';

type Db = Kysely<Database>;
export type ReportRow = Selectable<ReportsTable>;
export type RenditionRow = Selectable<ReportRenditionsTable>;

/** Next value of the platform-wide report serial. */
export async function nextReportSerial(db: Db): Promise<number> {
  const r = await sql<{ n: string | number }>`SELECT nextval('report_serial') AS n`.execute(db);
  return Number(r.rows[0]!.n);
}

export async function insertReport(db: Db, row: Insertable<ReportsTable>): Promise<void> {
  await db.insertInto('reports').values(row).execute();
}

/** The columns of an issued report (`reports`), as `createReport` fills them. */
export interface IssuedReport {
  number: string;
  uscc: string;
  report_type: string;
  subject_name: string;
  requester_type: string;
  requester_id: string | null;
  requester_org: string | null;
  requester_name: string;
  purpose: string | null;
  consent_id: string | null;
  window_from: string | null;
  window_to: string | null;
  issued_at: Date;
  json_path: string;
  json_sha256: string;
  json_sm3: string;
  json_bytes: number;
  record_count: number;
  access_log_id: number | null;
}

/**
 * Stores an issued report and queues its ledger leaves in one statement (a data-modifying CTE with
 * the ledger's own queue insert), returning the stored row: one round trip where there were three.
 */
export async function insertReportWithLeaves(
  db: Db,
  row: IssuedReport,
  leaves: QueueInsert[],
): Promise<ReportRow> {
  const r = await sql<ReportRow>`
    WITH ${leaves.length ? sql`q AS (${queueInsertSql(leaves)} RETURNING 1), ` : sql``}r AS (
      INSERT INTO reports (number, uscc, report_type, subject_name, requester_type, requester_id,
        requester_org, requester_name, purpose, consent_id, window_from, window_to, issued_at, json_path,
        json_sha256, json_sm3, json_bytes, record_count, access_log_id)
      VALUES (${row.number}, ${row.uscc}, ${row.report_type}, ${row.subject_name}, ${row.requester_type},
        ${row.requester_id}, ${row.requester_org}, ${row.requester_name}, ${row.purpose}, ${row.consent_id},
        ${row.window_from}::date, ${row.window_to}::date, ${row.issued_at}, ${row.json_path},
        ${row.json_sha256}, ${row.json_sm3}, ${row.json_bytes}, ${row.record_count}, ${row.access_log_id})
      RETURNING *
    )
    SELECT * FROM r`.execute(db);
  return r.rows[0]!;
}

export async function findReport(db: Db, number: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('number', '=', number).executeTakeFirst();
}

export async function findReportByJsonDigest(db: Db, sha256: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('json_sha256', '=', sha256).executeTakeFirst();
}

export async function findRendition(
  db: Db,
  number: string,
  format: string,
): Promise<RenditionRow | undefined> {
  return db
    .selectFrom('report_renditions')
    .selectAll()
    .where('number', '=', number)
    .where('format', '=', format)
    .executeTakeFirst();
}

export async function findRenditionByDigest(db: Db, sha256: string): Promise<RenditionRow | undefined> {
  return db.selectFrom('report_renditions').selectAll().where('sha256', '=', sha256).executeTakeFirst();
}

/** Inserts a rendition unless one exists (two renderers racing produce the same bytes). Returns true when inserted. */
export async function insertRendition(db: Db, row: Insertable<ReportRenditionsTable>): Promise<boolean> {
  const r = await db
    .insertInto('report_renditions')
    .values(row)
    .onConflict((oc) => oc.columns(['number', 'format']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface ReportListFilter {
  uscc?: string | undefined;
  requesterOrg?: string | undefined;
  requesterId?: string | undefined;
  /** Enterprise view: reports about its uscc of these types, or requested by it. */
  subjectTypes?: string[] | undefined;
  beforeIssuedAt?: Date | undefined;
  limit: number;
}

export async function listReports(db: Db, f: ReportListFilter): Promise<ReportRow[]> {
  let q = db.selectFrom('reports').selectAll();
  if (f.uscc && f.subjectTypes) {
    const uscc = f.uscc;
    const types = f.subjectTypes;
    q = q.where((eb) =>
      eb.and([
        eb('uscc', '=', uscc),
        eb.or([
          eb('report_type', 'in', types),
          ...(f.requesterId ? [eb('requester_id', '=', f.requesterId)] : []),
        ]),
      ]),
    );
  } else {
    if (f.uscc) q = q.where('uscc', '=', f.uscc);
    if (f.requesterOrg) q = q.where('requester_org', '=', f.requesterOrg);
    if (f.requesterId) q = q.where('requester_id', '=', f.requesterId);
  }
  if (f.beforeIssuedAt) q = q.where('issued_at', '<', f.beforeIssuedAt);
  return q.orderBy('issued_at', 'desc').orderBy('number', 'desc').limit(f.limit).execute();
}
