import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type {
  CommitmentBreachesTable,
  CommitmentsTable,
  DeclarationsTable,
  ObjectionAttachmentsTable,
  ObjectionsTable,
  RepairsTable,
  RightsEventsTable,
} from './rights.tables.ts';

/** SQL of the subject-rights tables (objections, repairs, commitments, declarations, history, calendar). */

export type ObjectionRow = Selectable<ObjectionsTable>;
export type RepairRow = Selectable<RepairsTable>;
export type CommitmentRow = Selectable<CommitmentsTable>;
export type BreachRow = Selectable<CommitmentBreachesTable>;
export type DeclarationRow = Selectable<DeclarationsTable>;
export type EventRow = Selectable<RightsEventsTable>;

// calendar
export async function listCalendarYears(db: Db): Promise<{ year: number; doc: unknown }[]> {
  return db.selectFrom('working_calendar_years').select(['year', 'doc']).orderBy('year').execute();
}

export async function upsertCalendarYear(db: Db, year: number, doc: object, by: string): Promise<void> {
  await db
    .insertInto('working_calendar_years')
    .values({ year, doc: JSON.stringify(doc), imported_by: by, imported_at: new Date() })
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({ doc: JSON.stringify(doc), imported_by: by, imported_at: new Date() }),
    )
    .execute();
}

// events
export async function insertEvent(db: Db, e: Insertable<RightsEventsTable>): Promise<string> {
  const r = await db.insertInto('rights_events').values(e).returning('id').executeTakeFirstOrThrow();
  return String(r.id);
}

export async function listEvents(db: Db, caseType: string, caseId: string | number): Promise<EventRow[]> {
  return db
    .selectFrom('rights_events')
    .selectAll()
    .where('case_type', '=', caseType)
    .where('case_id', '=', String(caseId))
    .orderBy('id')
    .execute();
}

// objections
export async function insertObjection(db: Db, o: Insertable<ObjectionsTable>): Promise<ObjectionRow> {
  return db.insertInto('objections').values(o).returningAll().executeTakeFirstOrThrow();
}

export async function findObjection(
  db: Db,
  id: string | number,
  forUpdate = false,
): Promise<ObjectionRow | undefined> {
  let q = db.selectFrom('objections').selectAll().where('id', '=', String(id));
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findOpenObjection(
  db: Db,
  uscc: string,
  recordId: number,
): Promise<ObjectionRow | undefined> {
  return db
    .selectFrom('objections')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('record_id', '=', String(recordId))
    .where('closed_at', 'is', null)
    .executeTakeFirst();
}

export async function updateObjection(
  db: Db,
  id: string | number,
  set: Updateable<ObjectionsTable>,
): Promise<ObjectionRow> {
  return db
    .updateTable('objections')
    .set(set)
    .where('id', '=', String(id))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface ObjectionFilter {
  uscc?: string | undefined;
  providerId?: string | undefined;
  status?: string | undefined;
  open?: boolean | undefined;
  limit: number;
}

export async function listObjections(db: Db, f: ObjectionFilter): Promise<ObjectionRow[]> {
  let q = db.selectFrom('objections').selectAll();
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.providerId) q = q.where('provider_id', '=', f.providerId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.open) q = q.where('closed_at', 'is', null);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Open objections whose current step is due before `today` and not yet escalated for that due date. */
export async function listOverdueObjections(db: Db, today: string): Promise<ObjectionRow[]> {
  return db
    .selectFrom('objections')
    .selectAll()
    .where('closed_at', 'is', null)
    .where('due_on', '<', today)
    .where((eb) =>
      eb.or([eb('escalated_due_on', 'is', null), eb('escalated_due_on', '<>', eb.ref('due_on'))]),
    )
    .orderBy('id')
    .execute();
}

export async function insertAttachments(
  db: Db,
  rows: Insertable<ObjectionAttachmentsTable>[],
): Promise<void> {
  if (rows.length) await db.insertInto('objection_attachments').values(rows).execute();
}

export async function listAttachments(
  db: Db,
  objectionId: string | number,
): Promise<{ id: string; file_name: string; content_type: string; size_bytes: number; sha256: string }[]> {
  return db
    .selectFrom('objection_attachments')
    .select(['id', 'file_name', 'content_type', 'size_bytes', 'sha256'])
    .where('objection_id', '=', String(objectionId))
    .orderBy('id')
    .execute();
}

// commitments
export async function insertCommitment(db: Db, c: Insertable<CommitmentsTable>): Promise<CommitmentRow> {
  return db.insertInto('commitments').values(c).returningAll().executeTakeFirstOrThrow();
}

export async function findCommitment(db: Db, id: string | number): Promise<CommitmentRow | undefined> {
  return db.selectFrom('commitments').selectAll().where('id', '=', String(id)).executeTakeFirst();
}

export async function listCommitments(db: Db, uscc: string): Promise<CommitmentRow[]> {
  return db.selectFrom('commitments').selectAll().where('uscc', '=', uscc).orderBy('id', 'desc').execute();
}

export async function markCommitmentBroken(
  db: Db,
  id: string | number,
  reason: string,
  at: Date,
): Promise<CommitmentRow | undefined> {
  return db
    .updateTable('commitments')
    .set({ status: 'broken', broken_reason: reason, broken_at: at })
    .where('id', '=', String(id))
    .where('status', 'in', ['in_force', 'flagged'])
    .returningAll()
    .executeTakeFirst();
}

export async function setCommitmentBreachRecord(
  db: Db,
  id: string | number,
  recordId: number,
): Promise<void> {
  await db
    .updateTable('commitments')
    .set({ breach_record_id: recordId })
    .where('id', '=', String(id))
    .execute();
}

/** in_force → flagged (a later record seems to contradict it). Returns the row when it changed. */
export async function flagCommitment(
  db: Db,
  id: string | number,
  at: Date,
): Promise<CommitmentRow | undefined> {
  return db
    .updateTable('commitments')
    .set({ status: 'flagged', flagged_at: at })
    .where('id', '=', String(id))
    .where('status', '=', 'in_force')
    .returningAll()
    .executeTakeFirst();
}

/** flagged → in_force when no suspected breach is left. */
export async function unflagCommitment(db: Db, id: string | number): Promise<boolean> {
  const r = await db
    .updateTable('commitments')
    .set({ status: 'in_force', flagged_at: null })
    .where('id', '=', String(id))
    .where('status', '=', 'flagged')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('commitment_breaches as b')
            .select('b.id')
            .whereRef('b.commitment_id', '=', 'commitments.id')
            .where('b.status', '=', 'suspected'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Commitments a later record can still contradict. */
export async function listOpenCommitments(db: Db, uscc: string): Promise<CommitmentRow[]> {
  return db
    .selectFrom('commitments')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('status', 'in', ['in_force', 'flagged'])
    .orderBy('id')
    .execute();
}

/** Takes up to `limit` queued checks (deleted now; the caller's transaction restores them on failure). */
export async function claimCommitmentChecks(
  db: Db,
  limit: number,
): Promise<{ uscc: string; record_id: string; version_id: string; kind_code: string }[]> {
  const r = await sql<{ uscc: string; record_id: string; version_id: string; kind_code: string }>`
    DELETE FROM commitment_checks WHERE id IN (
      SELECT id FROM commitment_checks ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING uscc, record_id::text AS record_id, version_id::text AS version_id, kind_code`.execute(db);
  return r.rows;
}

/** A breach; an automatic one already recorded for the same commitment, record and rule is skipped. */
export async function insertBreach(
  db: Db,
  b: Insertable<CommitmentBreachesTable>,
): Promise<BreachRow | undefined> {
  const r = await sql<BreachRow>`
    INSERT INTO commitment_breaches
      (commitment_id, uscc, source, rule_id, record_id, version_id, kind_code, evidence, status, found_at)
    VALUES (${String(b.commitment_id)}, ${b.uscc}, ${b.source}, ${b.rule_id ?? null},
      ${b.record_id === null || b.record_id === undefined ? null : String(b.record_id)},
      ${b.version_id === null || b.version_id === undefined ? null : String(b.version_id)},
      ${b.kind_code ?? null}, ${b.evidence ?? '{}'}::jsonb, ${b.status}, ${b.found_at})
    ON CONFLICT (commitment_id, record_id, rule_id) WHERE source = 'auto' DO NOTHING
    RETURNING *`.execute(db);
  return r.rows[0];
}

export async function findBreach(db: Db, id: number, forUpdate: boolean): Promise<BreachRow | undefined> {
  let q = db.selectFrom('commitment_breaches').selectAll().where('id', '=', String(id));
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateBreach(
  db: Db,
  id: string | number,
  set: Updateable<CommitmentBreachesTable>,
): Promise<BreachRow> {
  return db
    .updateTable('commitment_breaches')
    .set(set)
    .where('id', '=', String(id))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Other suspected breaches of a commitment once it is found broken. */
export async function supersedeBreaches(db: Db, commitmentId: string | number, at: Date): Promise<number> {
  const r = await db
    .updateTable('commitment_breaches')
    .set({ status: 'superseded', reviewed_at: at })
    .where('commitment_id', '=', String(commitmentId))
    .where('status', '=', 'suspected')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function listBreaches(
  db: Db,
  f: {
    status?: string | undefined;
    uscc?: string | undefined;
    commitmentId?: number | undefined;
    limit: number;
  },
): Promise<BreachRow[]> {
  let q = db.selectFrom('commitment_breaches').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.commitmentId) q = q.where('commitment_id', '=', String(f.commitmentId));
  return q.orderBy('id').limit(f.limit).execute();
}

// declarations
export async function insertDeclaration(db: Db, d: Insertable<DeclarationsTable>): Promise<DeclarationRow> {
  return db.insertInto('declarations').values(d).returningAll().executeTakeFirstOrThrow();
}

export async function listDeclarations(db: Db, uscc: string, onlyShown: boolean): Promise<DeclarationRow[]> {
  let q = db.selectFrom('declarations').selectAll().where('uscc', '=', uscc);
  if (onlyShown) q = q.where('status', '=', 'declared');
  return q.orderBy('id', 'desc').execute();
}

export async function setDeclarationsOfCommitment(
  db: Db,
  commitmentId: string | number,
  status: string,
): Promise<number> {
  const r = await db
    .updateTable('declarations')
    .set({ status })
    .where('commitment_id', '=', String(commitmentId))
    .where('status', '=', 'declared')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// repairs
export async function insertRepair(db: Db, r: Insertable<RepairsTable>): Promise<RepairRow> {
  return db.insertInto('repairs').values(r).returningAll().executeTakeFirstOrThrow();
}

export async function findRepair(
  db: Db,
  id: string | number,
  forUpdate = false,
): Promise<RepairRow | undefined> {
  let q = db.selectFrom('repairs').selectAll().where('id', '=', String(id));
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findOpenRepair(db: Db, uscc: string, recordId: number): Promise<RepairRow | undefined> {
  return db
    .selectFrom('repairs')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('record_id', '=', String(recordId))
    .where('status', 'in', ['under_review', 'repaired'])
    .executeTakeFirst();
}

export async function updateRepair(
  db: Db,
  id: string | number,
  set: Updateable<RepairsTable>,
): Promise<RepairRow> {
  return db
    .updateTable('repairs')
    .set(set)
    .where('id', '=', String(id))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Green channel first, then the earliest deadline. */
export async function listRepairs(
  db: Db,
  f: { uscc?: string | undefined; status?: string | undefined; limit: number },
): Promise<RepairRow[]> {
  let q = db.selectFrom('repairs').selectAll();
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.status) q = q.where('status', '=', f.status);
  return q
    .orderBy(sql`closed_at IS NULL`, 'desc')
    .orderBy('green_channel', 'desc')
    .orderBy('due_on', 'asc')
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();
}

export async function findAttachment(
  db: Db,
  objectionId: string | number,
  attachmentId: string | number,
): Promise<{ file_name: string; content_type: string; sha256: string; content: Buffer } | undefined> {
  return db
    .selectFrom('objection_attachments')
    .select(['file_name', 'content_type', 'sha256', 'content'])
    .where('objection_id', '=', String(objectionId))
    .where('id', '=', String(attachmentId))
    .executeTakeFirst();
}

/** Open objections whose due date falls on or after a day (their period may touch a reloaded year). */
export async function listOpenObjectionsDueFrom(db: Db, day: string): Promise<ObjectionRow[]> {
  return db
    .selectFrom('objections')
    .selectAll()
    .where('closed_at', 'is', null)
    .where('due_on', '>=', day)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Open repair applications whose due date falls on or after a day. */
export async function listOpenRepairsDueFrom(db: Db, day: string): Promise<RepairRow[]> {
  return db
    .selectFrom('repairs')
    .selectAll()
    .where('closed_at', 'is', null)
    .where('due_on', '>=', day)
    .orderBy('id')
    .forUpdate()
    .execute();
}
