import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Subject search and dictionaries.
// - subjects_name_pattern: exact and prefix name matches (`name = q`, `name LIKE 'q%'`) through a
//   btree whatever the database collation is (text_pattern_ops compares bytes).
// - dictionary_versions: the digest of each shipped dictionary (regions, industries) last loaded, so
//   loading is idempotent and a changed data file is re-applied.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE INDEX subjects_name_pattern ON subjects (name text_pattern_ops);
    CREATE TABLE dictionary_versions (
      name text PRIMARY KEY,
      digest_sha256 text NOT NULL,
      item_count integer NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now()
    );
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE dictionary_versions;
    DROP INDEX subjects_name_pattern;
  `,
  );
}
