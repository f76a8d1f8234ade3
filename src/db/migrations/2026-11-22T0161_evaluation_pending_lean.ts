import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The re-evaluation queue is written by a trigger on every record-version insert: keep it to one
// index (its primary key). A run claims and deletes all visible rows at once, so an index on
// claimed_by saved nothing and cost every ingestion statement an index insert per subject.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP INDEX evaluation_pending_claim;`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `CREATE INDEX evaluation_pending_claim ON evaluation_pending (claimed_by);`);
}
