import type { ColumnType, Generated } from 'kysely';

/** A timestamptz: written as Date or ISO text, read as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A date column, read as YYYY-MM-DD text (the pg/PGlite type parsers return dates as text). */
type Day = ColumnType<string, string, string>;

/** One issued report (frozen): who asked, for what, and the digests of its canonical JSON. */
export interface ReportsTable {
  /** XR-YYYYMMDD-NNNNNN-C (C: ISO 7064 MOD 11-2 check character). */
  number: string;
  uscc: string;
  /** public | full | self | special */
  report_type: string;
  subject_name: string;
  requester_type: string;
  requester_id: string | null;
  /** Institution id (full reports), the subject's uscc (self), null for anonymous. */
  requester_org: string | null;
  requester_name: string;
  purpose: string | null;
  consent_id: string | null;
  /** Special reports: the window of years covered (inclusive, China time). */
  window_from: Day | null;
  window_to: Day | null;
  issued_at: Timestamp;
  /** Relative to DATA_DIR. */
  json_path: string;
  json_sha256: string;
  json_sm3: string;
  json_bytes: number;
  record_count: number;
  access_log_id: number | null;
}

/** A rendered file of a report (HTML or PDF), frozen on first rendering. */
export interface ReportRenditionsTable {
  number: string;
  format: string;
  uscc: string;
  path: string;
  sha256: string;
  sm3: string;
  bytes: number;
  /** PDF: the ledger bundle embedded in it (JSON text), so a re-rendering gives the same bytes. */
  ledger_bundle: string | null;
  created_at: Generated<Date>;
}

export interface ReportsTables {
  reports: ReportsTable;
  report_renditions: ReportRenditionsTable;
}
