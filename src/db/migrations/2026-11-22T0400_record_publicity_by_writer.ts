import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Stored publicity ends are now written by the statement that appends the versions
// (src/records/records.repository.ts `insertVersions`), computed by the writer with the rules row it
// reads under a share lock (docs/decisions/0122-publicity-computed-by-the-writer.md). The statement
// trigger of 2026-11-22T0310/0312 computed the same thing a second time from a transition table that
// copied every version's data, sorted it twice and unpacked the rules per statement: measured at
// 16 µs of PostgreSQL CPU per 行政处罚 row (a third of the backend's work for the whole ingestion)
// and ~150 µs per row on PGlite. record_publicity_recompute (rules or catalog changed) stays.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `DROP TRIGGER record_versions_publicity ON record_versions;
     DROP FUNCTION record_publicity_new_rows();`,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  // 0312's set-based body, as it was (the function is re-created from the recompute's source: the
  // trigger computes over its transition table exactly what the recompute computes over the table).
  await runScript(
    db,
    `DO $$
     DECLARE src text;
     BEGIN
       SELECT prosrc INTO src FROM pg_proc WHERE proname = 'record_publicity_recompute';
       src := substr(src, strpos(src, 'WITH cfg'));
       src := substr(src, 1, strpos(src, 'WHERE p.version <= EXCLUDED.version') + length('WHERE p.version <= EXCLUDED.version') - 1);
       src := replace(src, '(SELECT DISTINCT ON (v.record_id) v.record_id, v.uscc, v.kind_code, v.version, v.data
  FROM record_versions v WHERE v.kind_code = ANY(p_kinds) ORDER BY v.record_id, v.version DESC)', 'new_rows');
       EXECUTE 'CREATE FUNCTION record_publicity_new_rows() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $f$ BEGIN '
         || src || '; RETURN NULL; END; $f$';
     END $$;
     CREATE TRIGGER record_versions_publicity AFTER INSERT ON record_versions
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_publicity_new_rows();`,
  );
}
