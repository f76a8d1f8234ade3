import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SubjectRow } from '../subjects/subjects.repository.ts';
import type { StoredMark } from './record-marks.repository.ts';

/** A record's stored publicity end (record_publicity, written with each version; see rights 0102). */
export interface StoredPublicityEnd {
  version: number;
  until: string | null;
}

/**
 * The subject, its records' active marks and their stored publicity ends in one round trip: the read
 * path needs them for every read, and most subjects have neither (the aggregates are then null).
 */
export async function findSubjectWithMarks(
  db: Db,
  uscc: string,
): Promise<
  | { subject: SubjectRow; marks: Map<number, StoredMark[]>; publicity: Map<number, StoredPublicityEnd> }
  | undefined
> {
  const r = await sql<
    SubjectRow & {
      xr_marks: [number | string, string][] | null;
      xr_publicity: [number | string, number, string | null][] | null;
    }
  >`
    SELECT s.*, (
      SELECT json_agg(json_build_array(m.record_id, m.mark)) FROM record_marks m
      WHERE m.uscc = s.uscc AND m.active
    ) AS xr_marks, (
      SELECT json_agg(json_build_array(p.record_id, p.version, p.publicity_until)) FROM record_publicity p
      WHERE p.uscc = s.uscc
    ) AS xr_publicity
    FROM subjects s WHERE s.uscc = ${uscc}`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { xr_marks, xr_publicity, ...subject } = row;
  const publicity = new Map<number, StoredPublicityEnd>();
  const ends =
    typeof xr_publicity === 'string'
      ? (JSON.parse(xr_publicity) as [number, number, string | null][])
      : (xr_publicity ?? []);
  for (const [id, version, until] of ends) publicity.set(Number(id), { version: Number(version), until });
  const marks = new Map<number, StoredMark[]>();
  const list = typeof xr_marks === 'string' ? (JSON.parse(xr_marks) as [number, string][]) : (xr_marks ?? []);
  for (const [id, mark] of list) {
    const k = Number(id);
    const l = marks.get(k) ?? [];
    l.push(mark as StoredMark);
    marks.set(k, l);
  }
  return { subject: subject as SubjectRow, marks, publicity };
}
