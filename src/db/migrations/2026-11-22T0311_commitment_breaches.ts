import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Broken public credit commitments (违背信用承诺), docs/decisions/0103:
// - commitments gain the matter they were signed for (e.g. the licence of a 行政许可告知承诺), the
//   state `flagged` (a later record seems to contradict it; an operator confirms or rejects) and the
//   negative record written when it is found broken;
// - commitment_breaches: each suspected or confirmed breach with its evidence (the contradicting
//   record and the rule that matched);
// - commitment_checks: new record versions of subjects holding a commitment in force, queued by a
//   statement-level trigger in the same transaction as the version; the rights job evaluates them
//   against the contradiction rules (rights.config.json) and deletes them. Only subjects with a
//   commitment in force cost anything (a semi-join on commitments).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE commitments ADD COLUMN matter_ref text;
    ALTER TABLE commitments ADD COLUMN flagged_at timestamptz;
    ALTER TABLE commitments ADD COLUMN breach_record_id bigint;
    ALTER TABLE commitments DROP CONSTRAINT commitments_status;
    ALTER TABLE commitments ADD CONSTRAINT commitments_status CHECK (status IN ('in_force', 'flagged', 'broken'));
    CREATE INDEX commitments_open ON commitments (uscc) WHERE status IN ('in_force', 'flagged');

    CREATE TABLE commitment_breaches (
      id bigserial PRIMARY KEY,
      commitment_id bigint NOT NULL REFERENCES commitments (id),
      uscc text COLLATE "C" NOT NULL,
      -- auto (a contradiction rule matched) | operator (found broken by hand)
      source text NOT NULL,
      rule_id text,
      record_id bigint,
      version_id bigint,
      kind_code text,
      evidence jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL,
      found_at timestamptz NOT NULL,
      reviewed_by text,
      reviewed_at timestamptz,
      review_note text,
      CONSTRAINT commitment_breaches_status CHECK (status IN ('suspected', 'confirmed', 'rejected', 'superseded')),
      CONSTRAINT commitment_breaches_source CHECK (source IN ('auto', 'operator'))
    );
    CREATE UNIQUE INDEX commitment_breaches_once ON commitment_breaches (commitment_id, record_id, rule_id)
      WHERE source = 'auto';
    CREATE INDEX commitment_breaches_queue ON commitment_breaches (status, id);
    CREATE INDEX commitment_breaches_commitment ON commitment_breaches (commitment_id);

    CREATE TABLE commitment_checks (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      record_id bigint NOT NULL,
      version_id bigint NOT NULL,
      kind_code text NOT NULL,
      queued_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE rights_events DROP CONSTRAINT rights_events_case_type;
    ALTER TABLE rights_events ADD CONSTRAINT rights_events_case_type
      CHECK (case_type IN ('objection', 'repair', 'commitment', 'declaration', 'breach'));

    CREATE FUNCTION commitment_checks_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO commitment_checks (uscc, record_id, version_id, kind_code)
      SELECT n.uscc, n.record_id, n.id, n.kind_code FROM new_rows n
      WHERE n.status = 'active'
        AND EXISTS (SELECT 1 FROM commitments c WHERE c.uscc = n.uscc AND c.status IN ('in_force', 'flagged'));
      RETURN NULL;
    END;
    $$;
    CREATE TRIGGER record_versions_commitment_checks AFTER INSERT ON record_versions
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION commitment_checks_new_rows();
    `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TRIGGER record_versions_commitment_checks ON record_versions;
    DROP FUNCTION commitment_checks_new_rows();
    ALTER TABLE rights_events DROP CONSTRAINT rights_events_case_type;
    ALTER TABLE rights_events ADD CONSTRAINT rights_events_case_type
      CHECK (case_type IN ('objection', 'repair', 'commitment', 'declaration'));
    DROP TABLE commitment_checks;
    DROP TABLE commitment_breaches;
    DROP INDEX commitments_open;
    ALTER TABLE commitments DROP CONSTRAINT commitments_status;
    ALTER TABLE commitments ADD CONSTRAINT commitments_status CHECK (status IN ('in_force', 'broken'));
    ALTER TABLE commitments DROP COLUMN breach_record_id;
    ALTER TABLE commitments DROP COLUMN flagged_at;
    ALTER TABLE commitments DROP COLUMN matter_ref;
    `,
  );
}
