import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SubjectRow } from '../subjects/subjects.repository.ts';
import type { StoredMark } from './record-marks.repository.ts';

/**
 * The subject and its records' active marks in one round trip: the read path needs both for every
 * read, and most subjects have no marks (the aggregate is then null).
 */
export async function findSubjectWithMarks(
  db: Db,
  uscc: string,
): Promise<{ subject: SubjectRow; marks: Map<number, StoredMark[]> } | undefined> {
  const r = await sql<SubjectRow & { xr_marks: [number | string, string][] | null }>`
    SELECT s.*, (
      SELECT json_agg(json_build_array(m.record_id, m.mark)) FROM record_marks m
      WHERE m.uscc = s.uscc AND m.active
    ) AS xr_marks
    FROM subjects s WHERE s.uscc = ${uscc}`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { xr_marks, ...subject } = row;
  const marks = new Map<number, StoredMark[]>();
  const list = typeof xr_marks === 'string' ? (JSON.parse(xr_marks) as [number, string][]) : (xr_marks ?? []);
  for (const [id, mark] of list) {
    const k = Number(id);
    const l = marks.get(k) ?? [];
    l.push(mark as StoredMark);
    marks.set(k, l);
  }
  return { subject: subject as SubjectRow, marks };
}
