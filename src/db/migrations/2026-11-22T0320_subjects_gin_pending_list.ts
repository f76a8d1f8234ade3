import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Name search indexes with GIN's pending list again (reverses 2026-11-22T0111), bounded to 1 MB, and
// emptied by every ingestion batch when it ends (`cleanSubjectNamePendingLists`, the batch's own
// transaction). Measured on ingestion of 行政处罚 rows naming a new subject every 5 rows: inserting
// each name's ~30 trigrams and bigrams straight into both GIN trees cost ~80 µs of PostgreSQL CPU
// per new subject, the largest single cost of the whole write path (3.3 of 8.0 CPU s per 200,000
// rows); through the pending list, merged in sorted bulk, 1.0 s. Searches scan at most 1 MB of
// unmerged entries, and only while a batch is running (docs/decisions/0022, 0030).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER INDEX subjects_name_bigrams SET (fastupdate = on, gin_pending_list_limit = 1024);
    ALTER INDEX subjects_name_trgm SET (fastupdate = on, gin_pending_list_limit = 1024);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER INDEX subjects_name_bigrams SET (fastupdate = off);
    ALTER INDEX subjects_name_bigrams RESET (gin_pending_list_limit);
    ALTER INDEX subjects_name_trgm SET (fastupdate = off);
    ALTER INDEX subjects_name_trgm RESET (gin_pending_list_limit);
  `,
  );
}
