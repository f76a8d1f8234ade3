import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LoanRow } from './saferoom.input.ts';

/** SQL on the safe room's jobs and the uploaded loans (which never leave the room). */

export interface JobRow {
  id: number;
  institutionId: string;
  createdBy: string;
  name: string;
  status: string;
  options: Record<string, unknown>;
  inputFormat: string;
  inputSha256: string;
  inputRows: number;
  inputSubjects: number;
  result: Record<string, unknown> | null;
  resultSha256: string | null;
  errorCode: string | null;
  errorMessage: { zh: string; en: string } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const jobColumns = [
  'id',
  'institution_id',
  'created_by',
  'name',
  'status',
  'options',
  'input_format',
  'input_sha256',
  'input_rows',
  'input_subjects',
  'result',
  'result_sha256',
  'error_code',
  'error_message',
  'created_at',
  'started_at',
  'finished_at',
] as const;

function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function toJob(r: {
  id: number;
  institution_id: string;
  created_by: string;
  name: string;
  status: string;
  options: unknown;
  input_format: string;
  input_sha256: string;
  input_rows: number;
  input_subjects: number;
  result: unknown;
  result_sha256: string | null;
  error_code: string | null;
  error_message: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}): JobRow {
  return {
    id: Number(r.id),
    institutionId: r.institution_id,
    createdBy: r.created_by,
    name: r.name,
    status: r.status,
    options: parseJson(r.options),
    inputFormat: r.input_format,
    inputSha256: r.input_sha256,
    inputRows: r.input_rows,
    inputSubjects: r.input_subjects,
    result: r.result === null ? null : parseJson(r.result),
    resultSha256: r.result_sha256,
    errorCode: r.error_code,
    errorMessage: r.error_message === null ? null : parseJson(r.error_message),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function insertJob(
  db: Db,
  j: {
    institutionId: string;
    createdBy: string;
    name: string;
    options: Record<string, unknown>;
    inputFormat: string;
    inputSha256: string;
    inputRows: number;
    inputSubjects: number;
  },
): Promise<number> {
  const r = await db
    .insertInto('safe_room_jobs')
    .values({
      institution_id: j.institutionId,
      created_by: j.createdBy,
      name: j.name,
      status: 'queued',
      options: JSON.stringify(j.options),
      input_format: j.inputFormat,
      input_sha256: j.inputSha256,
      input_rows: j.inputRows,
      input_subjects: j.inputSubjects,
      result: null,
      result_sha256: null,
      error_code: null,
      error_message: null,
      started_at: null,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function insertLoans(db: Db, jobId: number, loans: LoanRow[]): Promise<void> {
  const chunk = 5000;
  for (let i = 0; i < loans.length; i += chunk) {
    const part = loans.slice(i, i + chunk);
    await sql`
      INSERT INTO safe_room_loans (job_id, row_number, uscc, loan_date, amount, defaulted)
      SELECT ${jobId}, l.row_number, l.uscc, l.loan_date, l.amount, l.defaulted
      FROM unnest(${part.map((l) => l.row)}::int[], ${part.map((l) => l.uscc)}::text[],
        ${part.map((l) => l.loanDate)}::date[], ${part.map((l) => String(l.amount))}::numeric[],
        ${part.map((l) => l.defaulted)}::boolean[]) AS l(row_number, uscc, loan_date, amount, defaulted)`.execute(
      db,
    );
  }
}

export async function listLoans(db: Db, jobId: number): Promise<LoanRow[]> {
  const rows = await db
    .selectFrom('safe_room_loans')
    .select(['row_number', 'uscc', 'loan_date', 'amount', 'defaulted'])
    .where('job_id', '=', jobId)
    .orderBy('row_number')
    .execute();
  return rows.map((r) => ({
    row: r.row_number,
    uscc: r.uscc,
    loanDate: r.loan_date,
    amount: Number(r.amount),
    defaulted: r.defaulted,
  }));
}

/** Distinct subjects of an institution's recent jobs (for the differencing check). */
export async function listRecentJobSubjects(
  db: Db,
  institutionId: string,
  limit: number,
): Promise<{ jobId: number; usccs: Set<string> }[]> {
  const jobs = await db
    .selectFrom('safe_room_jobs')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('status', '!=', 'failed')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  if (jobs.length === 0) return [];
  const ids = jobs.map((j) => Number(j.id));
  const r = await sql<{ job_id: number; uscc: string }>`
    SELECT DISTINCT job_id, uscc FROM safe_room_loans WHERE job_id = ANY(${ids}::bigint[])`.execute(db);
  const by = new Map<number, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const row of r.rows) by.get(Number(row.job_id))?.add(row.uscc);
  return ids.map((id) => ({ jobId: id, usccs: by.get(id)! }));
}

/** Claims the oldest queued job (several processes may run jobs: SKIP LOCKED). */
export async function claimQueuedJob(db: Db): Promise<number | undefined> {
  const r = await sql<{ id: number }>`
    UPDATE safe_room_jobs SET status = 'running', started_at = now()
    WHERE id = (SELECT id FROM safe_room_jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id`.execute(db);
  const id = r.rows[0]?.id;
  return id === undefined ? undefined : Number(id);
}

export async function completeJob(db: Db, id: number, result: string, resultSha256: string): Promise<void> {
  await db
    .updateTable('safe_room_jobs')
    .set({ status: 'completed', result, result_sha256: resultSha256, finished_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function failJob(
  db: Db,
  id: number,
  code: string,
  message: { zh: string; en: string },
): Promise<void> {
  await db
    .updateTable('safe_room_jobs')
    .set({
      status: 'failed',
      error_code: code,
      error_message: JSON.stringify(message),
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function findJob(db: Db, id: number): Promise<JobRow | undefined> {
  const r = await db.selectFrom('safe_room_jobs').select(jobColumns).where('id', '=', id).executeTakeFirst();
  return r ? toJob(r) : undefined;
}

export async function listJobs(db: Db, opts: { institutionId?: string; limit: number }): Promise<JobRow[]> {
  let q = db.selectFrom('safe_room_jobs').select(jobColumns).orderBy('id', 'desc').limit(opts.limit);
  if (opts.institutionId) q = q.where('institution_id', '=', opts.institutionId);
  return (await q.execute()).map(toJob);
}
