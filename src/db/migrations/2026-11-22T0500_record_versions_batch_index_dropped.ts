import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// `record_versions_batch` (batch_id) served only `listVersionsOfBatch`, which nothing called: every
// ingested version paid one index insert for it. A batch's outcome is reported per row while it runs
// (batch counts and row errors), not read back from the versions. A future "what did batch N
// change" view can bring an index back with the query it needs.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP INDEX IF EXISTS record_versions_batch;`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `CREATE INDEX IF NOT EXISTS record_versions_batch ON record_versions (batch_id);`);
}
