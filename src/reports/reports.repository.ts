import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
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
