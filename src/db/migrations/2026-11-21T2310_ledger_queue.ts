import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Ledger entries are written by each domain in the same transaction as the change they record.
// `leaf_index` is assigned later by the single sequencer, only to committed entries, in one order,
// with no gaps (a sequence value taken before commit would skip entries committed out of order).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE ledger_entries (
      id bigserial PRIMARY KEY,
      entry_type text NOT NULL,
      ref_table text NOT NULL,
      ref_id text NOT NULL,
      uscc text COLLATE "C",
      payload jsonb NOT NULL,
      leaf_index bigint UNIQUE,
      leaf_hash bytea,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ledger_entries_unsequenced ON ledger_entries (id) WHERE leaf_index IS NULL;
    CREATE INDEX ledger_entries_ref ON ledger_entries (ref_table, ref_id);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `DROP TABLE ledger_entries;`);
}
