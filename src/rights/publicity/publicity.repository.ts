import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * SQL of the stored publicity ends (migration 2026-11-22T0310_record_publicity): the rules row the
 * triggers compute with, and the recomputation after the rules change. The rows themselves are read
 * by the read path (src/access/read-context.repository.ts), never here for a viewer.
 */

export async function findPublicityRules(db: Db): Promise<unknown> {
  const r = await db.selectFrom('publicity_rules').select('doc').where('id', '=', true).executeTakeFirst();
  return r?.doc;
}

/**
 * The rules row for a writer that stores publicity ends, locked FOR SHARE until its transaction
 * ends: a rules change (which takes the row for update and recomputes every end) waits for the
 * writers in flight, and a writer after it reads the new rules, so no end is stored with old rules
 * after the recomputation.
 */
export async function lockPublicityRulesForWrite(db: Db): Promise<unknown> {
  const r = await sql<{ doc: unknown }>`SELECT doc FROM publicity_rules WHERE id FOR SHARE`.execute(db);
  const doc = r.rows[0]?.doc;
  return typeof doc === 'string' ? JSON.parse(doc) : doc;
}

/** Replaces the rules when they differ (jsonb equality ignores key order); true when replaced. */
export async function replacePublicityRules(db: Db, doc: object): Promise<boolean> {
  const r = await sql<{ id: boolean }>`
    INSERT INTO publicity_rules (id, doc, updated_at) VALUES (true, ${JSON.stringify(doc)}::jsonb, now())
    ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()
    WHERE publicity_rules.doc IS DISTINCT FROM EXCLUDED.doc
    RETURNING id`.execute(db);
  return r.rows.length > 0;
}

/** Recomputes every record of the kinds with a publicity rule; returns the rows written. */
export async function recomputeAllPublicity(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT record_publicity_recompute(ARRAY(SELECT kind_code FROM publicity_kinds)) AS n`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface StoredPublicity {
  recordId: number;
  version: number;
  decidedOn: string | null;
  severity: string;
  regime: string | null;
  publicityUntil: string | null;
  basis: string;
}

/** One record's stored publicity (operators' checks and tests). */
export async function findRecordPublicity(db: Db, recordId: number): Promise<StoredPublicity | undefined> {
  const r = await sql<{
    record_id: string | number;
    version: number;
    decided_on: string | null;
    severity: string;
    regime: string | null;
    publicity_until: string | null;
    basis: string;
  }>`
    SELECT record_id, version, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, severity, regime,
      to_char(publicity_until, 'YYYY-MM-DD') AS publicity_until, basis
    FROM record_publicity WHERE record_id = ${recordId}`.execute(db);
  const x = r.rows[0];
  if (!x) return undefined;
  return {
    recordId: Number(x.record_id),
    version: x.version,
    decidedOn: x.decided_on,
    severity: x.severity,
    regime: x.regime,
    publicityUntil: x.publicity_until,
    basis: x.basis,
  };
}
