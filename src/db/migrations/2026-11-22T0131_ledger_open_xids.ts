import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The sequencer remembers the writing transactions that were still running below its cursor
// (`open_xids`, xid8 as text): only they can still add entries behind it. Without this list it had to
// stop at the oldest running transaction of the whole server, so one long transaction anywhere on a
// shared PostgreSQL held the log back. docs/decisions/0040-ledger-sequencing.md.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ledger_state ADD COLUMN open_xids text[] NOT NULL DEFAULT '{}';`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ledger_state DROP COLUMN open_xids;`);
}
