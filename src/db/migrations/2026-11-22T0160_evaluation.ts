import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Credit evaluation (信用评价): model versions, runs, score history (changes only; current = latest
// row per subject), the queue of subjects to re-evaluate, and the data safe room's jobs and uploads.
//
// evaluation_pending is filled by statement-level triggers in the same transaction as the change:
// new record versions and new or changed record marks (repair, objection). A run claims the rows it
// can see and deletes them when it completes, so a transaction that commits late (ids out of commit
// order) is picked up by the next run instead of being skipped by an id watermark.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE evaluation_models (
      version integer PRIMARY KEY,
      label text NOT NULL,
      digest_sha256 text NOT NULL,
      document jsonb NOT NULL,
      imported_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE evaluation_runs (
      id bigserial PRIMARY KEY,
      model_version integer NOT NULL,
      mode text NOT NULL,
      as_of date NOT NULL,
      status text NOT NULL,
      record_watermark bigint NOT NULL DEFAULT 0,
      subjects_evaluated integer NOT NULL DEFAULT 0,
      subjects_changed integer NOT NULL DEFAULT 0,
      grade_counts jsonb NOT NULL DEFAULT '{}',
      results_digest text,
      error text,
      triggered_by text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE UNIQUE INDEX evaluation_runs_one_running ON evaluation_runs (status) WHERE status = 'running';
    CREATE INDEX evaluation_runs_recent ON evaluation_runs (id DESC) WHERE status = 'completed';

    CREATE TABLE evaluation_scores (
      id bigserial PRIMARY KEY,
      run_id bigint NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      model_version integer NOT NULL,
      as_of date NOT NULL,
      score integer NOT NULL,
      grade text NOT NULL,
      reasons jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX evaluation_scores_subject ON evaluation_scores (uscc, id DESC);
    CREATE INDEX evaluation_scores_run ON evaluation_scores (run_id);

    CREATE TABLE evaluation_pending (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      claimed_by bigint,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX evaluation_pending_claim ON evaluation_pending (claimed_by);

    CREATE FUNCTION evaluation_enqueue_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO evaluation_pending (uscc) SELECT DISTINCT n.uscc FROM new_rows n;
      RETURN NULL;
    END;
    $$;

    CREATE TRIGGER record_versions_evaluation_pending AFTER INSERT ON record_versions
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
    CREATE TRIGGER record_marks_evaluation_pending_insert AFTER INSERT ON record_marks
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();
    CREATE TRIGGER record_marks_evaluation_pending_update AFTER UPDATE ON record_marks
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_enqueue_new_rows();

    CREATE TABLE safe_room_jobs (
      id bigserial PRIMARY KEY,
      institution_id text NOT NULL,
      created_by text NOT NULL,
      name text NOT NULL,
      status text NOT NULL,
      options jsonb NOT NULL,
      input_format text NOT NULL,
      input_sha256 text NOT NULL,
      input_rows integer NOT NULL,
      input_subjects integer NOT NULL,
      result jsonb,
      result_sha256 text,
      error_code text,
      error_message jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX safe_room_jobs_institution ON safe_room_jobs (institution_id, id DESC);
    CREATE INDEX safe_room_jobs_queued ON safe_room_jobs (id) WHERE status = 'queued';

    -- The institution's uploaded loan outcomes: inside the room only, never returned by any route.
    CREATE TABLE safe_room_loans (
      id bigserial PRIMARY KEY,
      job_id bigint NOT NULL REFERENCES safe_room_jobs (id),
      row_number integer NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      loan_date date NOT NULL,
      amount numeric NOT NULL,
      defaulted boolean NOT NULL
    );
    CREATE INDEX safe_room_loans_job ON safe_room_loans (job_id, row_number);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE safe_room_loans;
    DROP TABLE safe_room_jobs;
    DROP TRIGGER record_marks_evaluation_pending_update ON record_marks;
    DROP TRIGGER record_marks_evaluation_pending_insert ON record_marks;
    DROP TRIGGER record_versions_evaluation_pending ON record_versions;
    DROP FUNCTION evaluation_enqueue_new_rows();
    DROP TABLE evaluation_pending;
    DROP TABLE evaluation_scores;
    DROP TABLE evaluation_runs;
    DROP TABLE evaluation_models;
  `,
  );
}
