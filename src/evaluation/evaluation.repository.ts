import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * SQL on the evaluation tables (models, runs, score history, the re-evaluation queue) and the
 * keyset walk over the subject registry that chunks a full run. Record tables are read only through
 * `src/records/evaluation-features.repository.ts`.
 */

export interface ModelRow {
  version: number;
  label: string;
  digest: string;
  document: unknown;
  importedBy: string;
  createdAt: Date;
}

function toModel(r: {
  version: number;
  label: string;
  digest_sha256: string;
  document: unknown;
  imported_by: string;
  created_at: Date;
}): ModelRow {
  return {
    version: r.version,
    label: r.label,
    digest: r.digest_sha256,
    document: typeof r.document === 'string' ? JSON.parse(r.document) : r.document,
    importedBy: r.imported_by,
    createdAt: r.created_at,
  };
}

export async function findLatestModel(db: Db): Promise<ModelRow | undefined> {
  const r = await db
    .selectFrom('evaluation_models')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toModel(r) : undefined;
}

export async function findModel(db: Db, version: number): Promise<ModelRow | undefined> {
  const r = await db
    .selectFrom('evaluation_models')
    .selectAll()
    .where('version', '=', version)
    .executeTakeFirst();
  return r ? toModel(r) : undefined;
}

export async function listModels(db: Db): Promise<Omit<ModelRow, 'document'>[]> {
  const rows = await db
    .selectFrom('evaluation_models')
    .select(['version', 'label', 'digest_sha256', 'imported_by', 'created_at'])
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    label: r.label,
    digest: r.digest_sha256,
    importedBy: r.imported_by,
    createdAt: r.created_at,
  }));
}

/** Inserts the next model version (serialised by an advisory lock for the rest of the transaction). */
export async function insertModel(
  trx: Db,
  m: { label: string; digest: string; documentJson: string; importedBy: string; onlyIfNone?: boolean },
): Promise<number | undefined> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('evaluation_models'))`.execute(trx);
  const r = await sql<{ v: number | null }>`SELECT max(version) AS v FROM evaluation_models`.execute(trx);
  if (m.onlyIfNone && r.rows[0]?.v !== null && r.rows[0]?.v !== undefined) return undefined;
  const version = Number(r.rows[0]?.v ?? 0) + 1;
  await trx
    .insertInto('evaluation_models')
    .values({
      version,
      label: m.label,
      digest_sha256: m.digest,
      document: m.documentJson,
      imported_by: m.importedBy,
    })
    .execute();
  return version;
}

export interface RunRow {
  id: number;
  modelVersion: number;
  mode: string;
  asOf: string;
  status: string;
  recordWatermark: number;
  subjectsEvaluated: number;
  subjectsChanged: number;
  gradeCounts: Record<string, number>;
  resultsDigest: string | null;
  error: string | null;
  triggeredBy: string;
  startedAt: Date;
  finishedAt: Date | null;
}

const runColumns = [
  'id',
  'model_version',
  'mode',
  'as_of',
  'status',
  'record_watermark',
  'subjects_evaluated',
  'subjects_changed',
  'grade_counts',
  'results_digest',
  'error',
  'triggered_by',
  'started_at',
  'finished_at',
] as const;

function toRun(r: {
  id: number;
  model_version: number;
  mode: string;
  as_of: string;
  status: string;
  record_watermark: number;
  subjects_evaluated: number;
  subjects_changed: number;
  grade_counts: Record<string, number> | string;
  results_digest: string | null;
  error: string | null;
  triggered_by: string;
  started_at: Date;
  finished_at: Date | null;
}): RunRow {
  return {
    id: Number(r.id),
    modelVersion: r.model_version,
    mode: r.mode,
    asOf: r.as_of,
    status: r.status,
    recordWatermark: Number(r.record_watermark),
    subjectsEvaluated: r.subjects_evaluated,
    subjectsChanged: r.subjects_changed,
    gradeCounts: typeof r.grade_counts === 'string' ? JSON.parse(r.grade_counts) : r.grade_counts,
    resultsDigest: r.results_digest,
    error: r.error,
    triggeredBy: r.triggered_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Starts a run; undefined when another run is in progress (one running run at a time). */
export async function insertRun(
  db: Db,
  r: { modelVersion: number; mode: string; asOf: string; triggeredBy: string; recordWatermark: number },
): Promise<number | undefined> {
  const row = await sql<{ id: number }>`
    INSERT INTO evaluation_runs (model_version, mode, as_of, status, triggered_by, record_watermark)
    VALUES (${r.modelVersion}, ${r.mode}, ${r.asOf}::date, 'running', ${r.triggeredBy}, ${r.recordWatermark})
    ON CONFLICT (status) WHERE status = 'running' DO NOTHING
    RETURNING id`.execute(db);
  const id = row.rows[0]?.id;
  return id === undefined ? undefined : Number(id);
}

export async function completeRun(
  db: Db,
  id: number,
  r: { evaluated: number; changed: number; gradeCounts: Record<string, number>; digest: string },
): Promise<void> {
  await db
    .updateTable('evaluation_runs')
    .set({
      status: 'completed',
      subjects_evaluated: r.evaluated,
      subjects_changed: r.changed,
      grade_counts: JSON.stringify(r.gradeCounts),
      results_digest: r.digest,
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function failRun(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('evaluation_runs')
    .set({ status: 'failed', error: error.slice(0, 2000), finished_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Runs left 'running' by a process that died: their ids (the caller cleans up after them). */
export async function listStaleRuns(db: Db, startedBefore: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('evaluation_runs')
    .select('id')
    .where('status', '=', 'running')
    .where('started_at', '<', startedBefore)
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function findRun(db: Db, id: number): Promise<RunRow | undefined> {
  const r = await db.selectFrom('evaluation_runs').select(runColumns).where('id', '=', id).executeTakeFirst();
  return r ? toRun(r) : undefined;
}

export async function listRuns(db: Db, limit: number, beforeId?: number): Promise<RunRow[]> {
  let q = db.selectFrom('evaluation_runs').select(runColumns).orderBy('id', 'desc').limit(limit);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return (await q.execute()).map(toRun);
}

export async function findLastCompletedRun(db: Db, mode?: string): Promise<RunRow | undefined> {
  let q = db
    .selectFrom('evaluation_runs')
    .select(runColumns)
    .where('status', '=', 'completed')
    .orderBy('id', 'desc')
    .limit(1);
  if (mode) q = q.where('mode', '=', mode);
  const r = await q.executeTakeFirst();
  return r ? toRun(r) : undefined;
}

/** Claims every visible queued subject for a run; returns the distinct USCCs claimed. */
export async function claimPending(db: Db, runId: number): Promise<string[]> {
  const r = await sql<{ uscc: string }>`
    WITH claimed AS (
      UPDATE evaluation_pending SET claimed_by = ${runId} WHERE claimed_by IS NULL RETURNING uscc
    )
    SELECT DISTINCT uscc FROM claimed ORDER BY uscc`.execute(db);
  return r.rows.map((x) => x.uscc);
}

export async function deleteClaimed(db: Db, runId: number): Promise<void> {
  await db.deleteFrom('evaluation_pending').where('claimed_by', '=', runId).execute();
}

export async function releaseClaimed(db: Db, runId: number): Promise<void> {
  await db
    .updateTable('evaluation_pending')
    .set({ claimed_by: null })
    .where('claimed_by', '=', runId)
    .execute();
}

export async function countPending(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(DISTINCT uscc)::int AS n FROM evaluation_pending`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0;
}

/** Queues subjects for re-evaluation (e.g. after a change the triggers do not see). */
export async function enqueueSubjects(db: Db, usccs: string[]): Promise<void> {
  if (usccs.length === 0) return;
  await sql`INSERT INTO evaluation_pending (uscc) SELECT DISTINCT u FROM unnest(${usccs}::text[]) AS u`.execute(
    db,
  );
}

/** The next chunk of the registry in uscc order, after `after` (exclusive). */
export async function nextSubjectChunk(
  db: Db,
  after: string | null,
  size: number,
): Promise<{ from: string; to: string; count: number } | undefined> {
  const r = await sql<{ uscc: string }>`
    SELECT uscc FROM subjects WHERE ${after === null ? sql`true` : sql`uscc > ${after}`}
    ORDER BY uscc LIMIT ${size}`.execute(db);
  if (r.rows.length === 0) return undefined;
  return { from: r.rows[0]!.uscc, to: r.rows[r.rows.length - 1]!.uscc, count: r.rows.length };
}

export async function countSubjects(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM subjects`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export interface StoredScore {
  id: number;
  runId: number;
  uscc: string;
  modelVersion: number;
  asOf: string;
  score: number;
  grade: string;
  reasons: StoredReason[];
  createdAt: Date;
}

/** Reasons as stored: texts are rendered from the (immutable) model version when shown. */
export interface StoredReason {
  code: string;
  indicator: string;
  points_lost: number;
  value: string | number | null;
  disputed: boolean;
}

interface ScoreSqlRow {
  id: number;
  run_id: number;
  uscc: string;
  model_version: number;
  as_of: string;
  score: number;
  grade: string;
  reasons: unknown;
  created_at: Date;
}

function toScore(r: ScoreSqlRow): StoredScore {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    uscc: r.uscc,
    modelVersion: r.model_version,
    asOf: r.as_of,
    score: r.score,
    grade: r.grade,
    reasons: (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) as StoredReason[],
    createdAt: r.created_at,
  };
}

/** Current (latest) score of each subject in the range or list. */
export async function listCurrentScores(
  db: Db,
  target: { from: string; to: string } | { usccs: string[] },
): Promise<StoredScore[]> {
  const where =
    'usccs' in target
      ? sql`uscc = ANY(${target.usccs}::text[])`
      : sql`uscc >= ${target.from} AND uscc <= ${target.to}`;
  const r = await sql<ScoreSqlRow>`
    SELECT DISTINCT ON (uscc) id, run_id, uscc, model_version, as_of, score, grade, reasons, created_at
    FROM evaluation_scores WHERE ${where}
    ORDER BY uscc, id DESC`.execute(db);
  return r.rows.map(toScore);
}

export async function findCurrentScore(db: Db, uscc: string): Promise<StoredScore | undefined> {
  const r = await sql<ScoreSqlRow>`
    SELECT id, run_id, uscc, model_version, as_of, score, grade, reasons, created_at
    FROM evaluation_scores WHERE uscc = ${uscc} ORDER BY id DESC LIMIT 1`.execute(db);
  return r.rows[0] ? toScore(r.rows[0]) : undefined;
}

export async function listScoreHistory(db: Db, uscc: string, limit: number): Promise<StoredScore[]> {
  const r = await sql<ScoreSqlRow>`
    SELECT id, run_id, uscc, model_version, as_of, score, grade, reasons, created_at
    FROM evaluation_scores WHERE uscc = ${uscc} ORDER BY id DESC LIMIT ${limit}`.execute(db);
  return r.rows.map(toScore);
}

export async function insertScores(
  db: Db,
  runId: number,
  modelVersion: number,
  asOf: string,
  rows: { uscc: string; score: number; grade: string; reasonsJson: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO evaluation_scores (run_id, uscc, model_version, as_of, score, grade, reasons)
    SELECT ${runId}, s.uscc, ${modelVersion}, ${asOf}::date, s.score, s.grade, s.reasons::jsonb
    FROM unnest(${rows.map((r) => r.uscc)}::text[], ${rows.map((r) => r.score)}::int[],
      ${rows.map((r) => r.grade)}::text[], ${rows.map((r) => r.reasonsJson)}::text[])
      AS s(uscc, score, grade, reasons)`.execute(db);
}

export async function deleteScoresOfRun(db: Db, runId: number): Promise<void> {
  await db.deleteFrom('evaluation_scores').where('run_id', '=', runId).execute();
}

/** Grade distribution of the current scores (latest row per subject). */
export async function currentGradeCounts(db: Db): Promise<Record<string, number>> {
  const r = await sql<{ grade: string; n: number }>`
    SELECT grade, count(*)::int AS n FROM (
      SELECT DISTINCT ON (uscc) grade FROM evaluation_scores ORDER BY uscc, id DESC
    ) c GROUP BY grade ORDER BY grade`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.grade, x.n]));
}
