import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The financing whitelist (融资白名单): district governments and industry departments (recommenders)
// propose enterprises with a reason; operators approve (listed for a term) or reject; the recommender
// may withdraw and an operator may remove. Nothing is deleted: an entry changes status, every step is
// a row of whitelist_events and a ledger leaf. One open (pending or listed) entry per subject and
// recommending organisation; several organisations may recommend the same subject.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE whitelist_entries (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      org_id text NOT NULL,
      recommended_by text NOT NULL,
      category text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL,
      valid_until date,
      decided_by text,
      decided_at timestamptz,
      decision_note text,
      closed_by text,
      closed_at timestamptz,
      close_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX whitelist_entries_open ON whitelist_entries (uscc, org_id)
      WHERE status IN ('pending', 'listed');
    CREATE INDEX whitelist_entries_subject ON whitelist_entries (uscc, id DESC);
    CREATE INDEX whitelist_entries_status ON whitelist_entries (status, id DESC);
    CREATE INDEX whitelist_entries_org ON whitelist_entries (org_id, id DESC);

    CREATE TABLE whitelist_events (
      id bigserial PRIMARY KEY,
      entry_id bigint NOT NULL REFERENCES whitelist_entries (id),
      uscc text COLLATE "C" NOT NULL,
      event text NOT NULL,
      actor_type text NOT NULL,
      actor_id text,
      org_id text,
      note text,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX whitelist_events_entry ON whitelist_events (entry_id, id);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE whitelist_events;
    DROP TABLE whitelist_entries;
  `,
  );
}
