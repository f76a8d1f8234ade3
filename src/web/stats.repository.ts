import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Counts for the public home page. Above a million rows an exact count(*) costs a sequential scan
 * (seconds at 10M records), so large tables use the planner's estimate (pg_class.reltuples, kept by
 * autovacuum/ANALYZE); small tables are counted exactly.
 */
const exactBelow = 1_000_000;

async function countRows(db: Kysely<Database>, table: 'subjects' | 'records'): Promise<number> {
  const est = await sql<{ n: string | number | null }>`
    SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass(${table})`.execute(db);
  const estimate = Number(est.rows[0]?.n ?? -1);
  if (estimate >= exactBelow) return Math.round(estimate);
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface PublicCounts {
  subjects: number;
  records: number;
  providers: number;
  institutions: number;
}

export async function findPublicCounts(db: Kysely<Database>): Promise<PublicCounts> {
  const [subjects, records, providers, institutions] = await Promise.all([
    countRows(db, 'subjects'),
    countRows(db, 'records'),
    db
      .selectFrom('providers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('kind', '=', 'institution')
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow(),
  ]);
  return { subjects, records, providers: Number(providers.n), institutions: Number(institutions.n) };
}
