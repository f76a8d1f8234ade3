import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The current evaluation grade of each subject, for the subject search's grade filter (机构按信用等级
// 筛选). evaluation_scores keeps history (a row per change, current = latest row per subject), so
// "subjects graded B" over it needs a latest-row subquery per subject: a scan of the whole history at
// a million subjects. This narrow table holds exactly the latest row per subject, indexed by
// (grade, uscc), so a grade listing is an index range scan and a filtered search joins by primary key.
//
// It is maintained by statement-level triggers on evaluation_scores in the same transaction as the
// scores (one upsert per statement, whatever the chunk size): inserts move a subject forward only
// when the new row is newer (score_id), and deleting rows (a failed run's partial scores) recomputes
// the affected subjects from what remains.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE subject_grades (
      uscc text COLLATE "C" PRIMARY KEY,
      grade text NOT NULL,
      score integer NOT NULL,
      score_id bigint NOT NULL,
      model_version integer NOT NULL,
      as_of date NOT NULL
    );
    CREATE INDEX subject_grades_grade ON subject_grades (grade, uscc);

    INSERT INTO subject_grades (uscc, grade, score, score_id, model_version, as_of)
    SELECT DISTINCT ON (uscc) uscc, grade, score, id, model_version, as_of
    FROM evaluation_scores ORDER BY uscc, id DESC;

    CREATE FUNCTION subject_grades_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO subject_grades (uscc, grade, score, score_id, model_version, as_of)
      SELECT DISTINCT ON (n.uscc) n.uscc, n.grade, n.score, n.id, n.model_version, n.as_of
      FROM new_rows n ORDER BY n.uscc, n.id DESC
      ON CONFLICT (uscc) DO UPDATE SET
        grade = excluded.grade, score = excluded.score, score_id = excluded.score_id,
        model_version = excluded.model_version, as_of = excluded.as_of
      WHERE subject_grades.score_id < excluded.score_id;
      RETURN NULL;
    END;
    $$;

    CREATE FUNCTION subject_grades_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM subject_grades g USING (SELECT DISTINCT o.uscc FROM old_rows o) d WHERE g.uscc = d.uscc;
      INSERT INTO subject_grades (uscc, grade, score, score_id, model_version, as_of)
      SELECT DISTINCT ON (e.uscc) e.uscc, e.grade, e.score, e.id, e.model_version, e.as_of
      FROM evaluation_scores e
      WHERE e.uscc IN (SELECT o.uscc FROM old_rows o)
      ORDER BY e.uscc, e.id DESC;
      RETURN NULL;
    END;
    $$;

    CREATE TRIGGER evaluation_scores_subject_grades_insert AFTER INSERT ON evaluation_scores
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subject_grades_after_insert();
    CREATE TRIGGER evaluation_scores_subject_grades_delete AFTER DELETE ON evaluation_scores
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subject_grades_after_delete();
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TRIGGER evaluation_scores_subject_grades_delete ON evaluation_scores;
    DROP TRIGGER evaluation_scores_subject_grades_insert ON evaluation_scores;
    DROP FUNCTION subject_grades_after_delete();
    DROP FUNCTION subject_grades_after_insert();
    DROP TABLE subject_grades;
  `,
  );
}
