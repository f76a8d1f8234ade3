import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Name search indexes without GIN's pending list (fastupdate). With fastupdate on, new entries wait
// in an unsorted list of up to gin_pending_list_limit (4 MB) that every search scans linearly until
// VACUUM merges it; embedded PGlite runs no autovacuum, so searches would stay slowed after every
// registration batch. Inserting into the tree directly costs ingestion of registration records a
// little instead (docs/benchmarks.md, search).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER INDEX subjects_name_bigrams SET (fastupdate = off);
    ALTER INDEX subjects_name_trgm SET (fastupdate = off);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER INDEX subjects_name_bigrams RESET (fastupdate);
    ALTER INDEX subjects_name_trgm RESET (fastupdate);
  `,
  );
}
