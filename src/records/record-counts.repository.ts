import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Aggregates over the record store that read no record content: how many records exist. Kept in
 * src/records/ (with the store's other SQL) so the one-read-path rule (DESIGN invariant 2,
 * src/access/one-read-path.test.ts) holds for every module that only needs a number — the home page's
 * headline figure (decision 0073).
 */

/** Above this many rows the planner's estimate is used: an exact count(*) is a sequential scan. */
const exactBelow = 1_000_000;

/**
 * Number of records (identities, not versions). Above a million rows the planner's estimate
 * (pg_class.reltuples, kept by autovacuum/ANALYZE) — a sequential scan of 10M rows takes seconds —
 * below it an exact count.
 */
export async function countRecords(db: Kysely<Database>): Promise<number> {
  const est = await sql<{ n: string | number | null }>`
    SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass('records')`.execute(db);
  const estimate = Number(est.rows[0]?.n ?? -1);
  if (estimate >= exactBelow) return Math.round(estimate);
  const row = await db
    .selectFrom('records')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
