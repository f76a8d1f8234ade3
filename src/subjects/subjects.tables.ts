import type { DateOnly, Timestamp } from '../db/foundation.tables.ts';

/** Which version (SHA-256 of the shipped JSON) of each dictionary is loaded. */
export interface DictionaryVersionsTable {
  name: string;
  digest_sha256: string;
  item_count: number;
  loaded_at: Timestamp;
}

/**
 * The current evaluation grade of each subject (the latest evaluation_scores row), kept by triggers
 * on evaluation_scores (migration 2026-11-22T0300) for the search's grade filter. Read-only here.
 */
export interface SubjectGradesTable {
  uscc: string;
  grade: string;
  score: number;
  score_id: number;
  model_version: number;
  as_of: DateOnly;
}

export interface SubjectsTables {
  dictionary_versions: DictionaryVersionsTable;
  subject_grades: SubjectGradesTable;
}
