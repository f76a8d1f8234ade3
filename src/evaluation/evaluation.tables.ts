import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DateOnly } from '../db/foundation.tables.ts';

/** Set by the database (now()), read as Date. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface EvaluationModelsTable {
  version: number;
  label: string;
  digest_sha256: string;
  document: JSONColumnType<Record<string, unknown>, string, string>;
  imported_by: string;
  created_at: CreatedAt;
}

export interface EvaluationRunsTable {
  id: Generated<number>;
  model_version: number;
  /** full | incremental */
  mode: string;
  as_of: DateOnly;
  /** running | completed | failed */
  status: string;
  /** max(record_versions.id) when the run started. */
  record_watermark: Generated<number>;
  subjects_evaluated: Generated<number>;
  subjects_changed: Generated<number>;
  grade_counts: ColumnType<Record<string, number>, string | undefined, string>;
  results_digest: string | null;
  error: string | null;
  triggered_by: string;
  started_at: CreatedAt;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EvaluationScoresTable {
  id: Generated<number>;
  run_id: number;
  uscc: string;
  model_version: number;
  as_of: DateOnly;
  score: number;
  grade: string;
  reasons: JSONColumnType<unknown[], string, string>;
  created_at: CreatedAt;
}

export interface EvaluationPendingTable {
  id: Generated<number>;
  uscc: string;
  claimed_by: number | null;
  created_at: CreatedAt;
}

export interface EvaluationTables {
  evaluation_models: EvaluationModelsTable;
  evaluation_runs: EvaluationRunsTable;
  evaluation_scores: EvaluationScoresTable;
  evaluation_pending: EvaluationPendingTable;
}
