import type { Db } from '../db/database.ts';

/**
 * Record marks the read path applies: `repaired` (已修复: hidden from institutions and the public,
 * shown to the subject) and `disputed` (异议处理中: shown with the record to whoever sees it).
 * The subject-rights module (objections, repair) writes them in the same transaction as its
 * decision; a mark is cleared, never deleted, so its history stays.
 */
export type StoredMark = 'repaired' | 'disputed';

export interface MarkInput {
  recordId: number;
  uscc: string;
  mark: StoredMark;
  /** The row that caused the mark, e.g. ('objections', '42') or ('repairs', '7'). */
  sourceTable: string;
  sourceId: string | number;
  note?: string | null;
}

export async function addRecordMark(db: Db, m: MarkInput): Promise<number> {
  const r = await db
    .insertInto('record_marks')
    .values({
      record_id: m.recordId,
      uscc: m.uscc,
      mark: m.mark,
      source_table: m.sourceTable,
      source_id: String(m.sourceId),
      note: m.note ?? null,
      cleared_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Clears the active marks a source row set (e.g. when the objection is decided). Returns how many. */
export async function clearRecordMarks(
  db: Db,
  source: { sourceTable: string; sourceId: string | number; mark?: StoredMark },
  at: Date = new Date(),
): Promise<number> {
  let q = db
    .updateTable('record_marks')
    .set({ active: false, cleared_at: at })
    .where('source_table', '=', source.sourceTable)
    .where('source_id', '=', String(source.sourceId))
    .where('active', '=', true);
  if (source.mark) q = q.where('mark', '=', source.mark);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Active marks of a subject's records (one indexed query; most subjects have none). */
export async function listActiveMarks(db: Db, uscc: string): Promise<Map<number, StoredMark[]>> {
  const rows = await db
    .selectFrom('record_marks')
    .select(['record_id', 'mark'])
    .where('uscc', '=', uscc)
    .where('active', '=', true)
    .execute();
  const out = new Map<number, StoredMark[]>();
  for (const r of rows) {
    const id = Number(r.record_id);
    const list = out.get(id) ?? [];
    list.push(r.mark as StoredMark);
    out.set(id, list);
  }
  return out;
}
