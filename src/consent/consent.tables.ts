import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DateOnly, Timestamp } from '../db/foundation.tables.ts';

type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export interface ConsentsTable {
  id: string;
  uscc: string;
  institution_id: string;
  purpose: string;
  scope_kinds: TextArray;
  scope_categories: TextArray;
  mode: string;
  valid_from: Timestamp;
  valid_until: Timestamp;
  max_uses: number | null;
  use_count: Generated<number>;
  last_used_at: Timestamp | null;
  data_from: DateOnly | null;
  data_to: DateOnly | null;
  /** online | written */
  source: string;
  written_authorization_id: number | null;
  granted_by: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export interface ConsentUsesTable {
  id: Generated<number>;
  consent_id: string;
  uscc: string;
  actor_type: string;
  actor_id: string;
  mode: string;
  kinds: TextArray;
  used_at: Timestamp;
}

export interface WrittenAuthorizationsTable {
  id: Generated<number>;
  uscc: string;
  institution_id: string;
  uploaded_by: string;
  filename: string | null;
  content_type: string;
  byte_size: number;
  sha256: string;
  sm3: string;
  blob_path: string;
  request: JSONColumnType<Record<string, unknown>, string, string>;
  /** pending | confirmed | rejected */
  status: Generated<string>;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  review_note: string | null;
  consent_id: string | null;
  created_at: Timestamp;
}

export interface ConsentTables {
  consents: ConsentsTable;
  consent_uses: ConsentUsesTable;
  written_authorizations: WrittenAuthorizationsTable;
}
