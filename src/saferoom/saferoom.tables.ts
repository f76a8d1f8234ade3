import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DateOnly } from '../db/foundation.tables.ts';

/** Set by the database (now()), read as Date. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SafeRoomJobsTable {
  id: Generated<number>;
  institution_id: string;
  created_by: string;
  name: string;
  /** queued | running | completed | failed */
  status: string;
  options: JSONColumnType<Record<string, unknown>, string, string>;
  /** csv | json */
  input_format: string;
  input_sha256: string;
  input_rows: number;
  input_subjects: number;
  /** The released output only (model card, metrics, aggregates over ≥ k subjects). */
  result: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  result_sha256: string | null;
  error_code: string | null;
  error_message: JSONColumnType<{ zh: string; en: string } | null, string | null, string | null>;
  created_at: CreatedAt;
  started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface SafeRoomLoansTable {
  id: Generated<number>;
  job_id: number;
  row_number: number;
  uscc: string;
  loan_date: DateOnly;
  /** Yuan. */
  amount: ColumnType<string, string | number, string | number>;
  defaulted: boolean;
}

export interface SafeRoomTables {
  safe_room_jobs: SafeRoomJobsTable;
  safe_room_loans: SafeRoomLoansTable;
}
