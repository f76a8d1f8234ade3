import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../db/foundation.tables.ts';

export interface AccessLogTable {
  id: Generated<number>;
  uscc: string;
  actor_type: string;
  actor_id: string | null;
  org_id: string | null;
  /** public | self | operator | consent | internal */
  basis: string;
  purpose: string | null;
  consent_id: string | null;
  /** full_report | query | verify when a consent was used */
  mode: string | null;
  kinds: ColumnType<string[], string[], string[]>;
  record_count: number;
  non_public: boolean;
  occurred_at: Timestamp;
}

export interface RecordMarksTable {
  id: Generated<number>;
  record_id: number;
  uscc: string;
  /** repaired | disputed */
  mark: string;
  active: Generated<boolean>;
  source_table: string;
  source_id: string;
  note: string | null;
  created_at: Timestamp;
  cleared_at: Timestamp | null;
}

export interface AccessTables {
  access_log: AccessLogTable;
  record_marks: RecordMarksTable;
}
