import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Ledger payloads are stored as json (the text as written) rather than jsonb: the ledger only ever reads
// them back whole, and json skips the binary conversion (3 µs of ~15 µs per queued entry on PostgreSQL,
// measured). The leaf is recomputed from the parsed value either way (canonical JSON, decision 0041).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP VIEW ledger_entries;
    ALTER TABLE ledger_queue ALTER COLUMN payload TYPE json USING payload::json;
    CREATE VIEW ledger_entries AS
    SELECT q.id, q.entry_type, q.ref_table, q.ref_id, q.uscc, q.payload,
      r.first_leaf + (q.id - r.first_entry_id) AS leaf_index,
      q.leaf_hash, q.created_at
    FROM ledger_queue q
    LEFT JOIN LATERAL (
      SELECT x.first_leaf, x.first_entry_id, x.entry_count FROM ledger_runs x
      WHERE x.first_entry_id <= q.id ORDER BY x.first_entry_id DESC LIMIT 1
    ) r ON q.id < r.first_entry_id + r.entry_count;
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP VIEW ledger_entries;
    ALTER TABLE ledger_queue ALTER COLUMN payload TYPE jsonb USING payload::jsonb;
    CREATE VIEW ledger_entries AS
    SELECT q.id, q.entry_type, q.ref_table, q.ref_id, q.uscc, q.payload,
      r.first_leaf + (q.id - r.first_entry_id) AS leaf_index,
      q.leaf_hash, q.created_at
    FROM ledger_queue q
    LEFT JOIN LATERAL (
      SELECT x.first_leaf, x.first_entry_id, x.entry_count FROM ledger_runs x
      WHERE x.first_entry_id <= q.id ORDER BY x.first_entry_id DESC LIMIT 1
    ) r ON q.id < r.first_entry_id + r.entry_count;
  `,
  );
}
