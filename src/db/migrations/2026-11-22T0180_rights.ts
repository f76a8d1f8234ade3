import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Subject rights (issue 9): objections (异议), credit repair (信用修复), public credit commitments
// (信用承诺) and voluntary declarations (自愿申报), their case history, and the operators' yearly
// working-day calendars. Marks on records go through record_marks (src/access/), never here.
// Every table carries uscc (sharding by subject later), except the calendar.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE working_calendar_years (
      year integer PRIMARY KEY,
      doc jsonb NOT NULL,
      imported_by text NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE objections (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      record_id bigint NOT NULL,
      kind_code text NOT NULL,
      provider_id text NOT NULL,
      field_code text,
      reasons text NOT NULL,
      status text NOT NULL,
      outcome text,
      provider_answer text,
      provider_note text,
      decision_note text,
      step_started_on date NOT NULL,
      due_on date,
      escalation_level integer NOT NULL DEFAULT 0,
      escalated_due_on date,
      filed_by text NOT NULL,
      filed_at timestamptz NOT NULL,
      closed_at timestamptz,
      CONSTRAINT objections_status CHECK (status IN ('filed', 'accepted', 'forwarded', 'answered', 'rejected', 'decided'))
    );
    CREATE INDEX objections_uscc ON objections (uscc, id DESC);
    CREATE INDEX objections_open ON objections (status, due_on) WHERE closed_at IS NULL;
    CREATE INDEX objections_provider ON objections (provider_id, status);

    CREATE TABLE objection_attachments (
      id bigserial PRIMARY KEY,
      objection_id bigint NOT NULL REFERENCES objections (id),
      uscc text COLLATE "C" NOT NULL,
      file_name text NOT NULL,
      content_type text NOT NULL,
      size_bytes integer NOT NULL,
      sha256 text NOT NULL,
      content bytea NOT NULL
    );
    CREATE INDEX objection_attachments_case ON objection_attachments (objection_id);

    CREATE TABLE commitments (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      text_version text NOT NULL,
      text_sha256 text NOT NULL,
      purpose text NOT NULL,
      signed_by text NOT NULL,
      signer_name text NOT NULL,
      signed_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'in_force',
      broken_reason text,
      broken_at timestamptz,
      CONSTRAINT commitments_status CHECK (status IN ('in_force', 'broken'))
    );
    CREATE INDEX commitments_uscc ON commitments (uscc, id DESC);

    CREATE TABLE repairs (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      record_id bigint NOT NULL,
      kind_code text NOT NULL,
      severity text NOT NULL,
      decided_on date,
      rule_regime text NOT NULL,
      min_until date,
      max_until date,
      penalty_fulfilled boolean NOT NULL,
      fulfilment_note text,
      evidence_sha256 text[] NOT NULL DEFAULT '{}',
      commitment_id bigint REFERENCES commitments (id),
      green_channel boolean NOT NULL DEFAULT false,
      status text NOT NULL,
      refusal jsonb,
      review_note text,
      due_on date,
      applied_by text NOT NULL,
      applied_at timestamptz NOT NULL,
      closed_at timestamptz,
      CONSTRAINT repairs_status CHECK (status IN ('refused', 'under_review', 'repaired', 'rejected'))
    );
    CREATE INDEX repairs_uscc ON repairs (uscc, id DESC);
    CREATE INDEX repairs_queue ON repairs (status, green_channel DESC, due_on) WHERE closed_at IS NULL;

    CREATE TABLE declarations (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      declaration_type text NOT NULL,
      data jsonb NOT NULL,
      data_sha256 text NOT NULL,
      commitment_id bigint NOT NULL REFERENCES commitments (id),
      status text NOT NULL DEFAULT 'declared',
      declared_by text NOT NULL,
      declared_at timestamptz NOT NULL,
      CONSTRAINT declarations_status CHECK (status IN ('declared', 'withdrawn', 'contradicted'))
    );
    CREATE INDEX declarations_uscc ON declarations (uscc, id DESC);

    CREATE TABLE rights_events (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      case_type text NOT NULL,
      case_id bigint NOT NULL,
      event text NOT NULL,
      actor_type text NOT NULL,
      actor_id text,
      note text,
      data jsonb NOT NULL DEFAULT '{}',
      at timestamptz NOT NULL,
      CONSTRAINT rights_events_case_type CHECK (case_type IN ('objection', 'repair', 'commitment', 'declaration'))
    );
    CREATE INDEX rights_events_case ON rights_events (case_type, case_id, id);
    CREATE INDEX rights_events_uscc ON rights_events (uscc, id DESC);
    `,
  );
}
