import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Incremental evaluation means: re-evaluate every subject whose *inputs* changed since the last run.
// The model's inputs are record versions, record marks (repair, objection) — queued by the triggers of
// 2026-11-22T0160 — and the subject-rights module's public credit commitments (信用承诺), which the
// model reads directly (features `commitments` kept / broken). Voluntary declarations (自愿申报) are
// made under a commitment and a contradicted declaration breaks it, so they change the same inputs.
// Before this migration a signed or broken commitment only reached the next daily full run; now it
// queues its subject in the same transaction, like a record does (docs/decisions/0082).
// Statement-level triggers with transition tables (one per event: PostgreSQL allows a transition table
// only on single-event triggers); commitments are rare, so the cost is a few rows per statement.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TRIGGER commitments_evaluation_pending_insert AFTER INSERT ON commitments
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
    CREATE TRIGGER commitments_evaluation_pending_update AFTER UPDATE ON commitments
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
    CREATE TRIGGER declarations_evaluation_pending_insert AFTER INSERT ON declarations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
    CREATE TRIGGER declarations_evaluation_pending_update AFTER UPDATE ON declarations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TRIGGER declarations_evaluation_pending_update ON declarations;
    DROP TRIGGER declarations_evaluation_pending_insert ON declarations;
    DROP TRIGGER commitments_evaluation_pending_update ON commitments;
    DROP TRIGGER commitments_evaluation_pending_insert ON commitments;
  `,
  );
}
