import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { countRecords } from '../records/record-counts.repository.ts';

/**
 * Counts for the public home page. Above a million rows an exact count(*) costs a sequential scan
 * (seconds at 10M rows), so large tables use the planner's estimate (pg_class.reltuples, kept by
 * autovacuum/ANALYZE); small tables are counted exactly. Records: src/records/record-counts.repository.ts.
 */
const exactBelow = 1_000_000;

async function countSubjects(db: Kysely<Database>): Promise<number> {
  const est = await sql<{ n: string | number | null }>`
    SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass('subjects')`.execute(db);
  const estimate = Number(est.rows[0]?.n ?? -1);
  if (estimate >= exactBelow) return Math.round(estimate);
  const row = await db
    .selectFrom('subjects')
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
    countSubjects(db),
    // Records are counted by the record store's own aggregate (no record content read; the one read
    // path rule holds: src/access/one-read-path.test.ts).
    countRecords(db),
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
