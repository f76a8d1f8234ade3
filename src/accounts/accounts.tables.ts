import type { ColumnType, Generated } from 'kysely';
import type { DateOnly, Timestamp } from '../db/foundation.tables.ts';

type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export interface OrganisationsTable {
  id: string;
  /** institution | provider | district | department | platform */
  kind: string;
  /** bank | insurer | guarantor | credit_service (institutions only) */
  institution_type: string | null;
  name_zh: string;
  name_en: Generated<string>;
  uscc: string | null;
  region_code: string | null;
  status: Generated<string>;
  created_by: string;
  created_at: Timestamp;
}

export interface DataSharingAgreementsTable {
  id: Generated<number>;
  org_id: string;
  scope_kinds: TextArray;
  scope_categories: TextArray;
  purposes: TextArray;
  purpose_text: string;
  valid_from: DateOnly;
  valid_until: DateOnly;
  document_ref: string | null;
  created_by: string;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  username: string;
  role: string;
  org_id: string | null;
  uscc: string | null;
  display_name: Generated<string>;
  password_hash: string;
  totp_secret_enc: string | null;
  totp_last_step: number | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  status: Generated<string>;
  real_name_verified_at: Timestamp | null;
  created_by: string;
  created_at: Timestamp;
  last_login_at: Timestamp | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  mfa_pending: Generated<boolean>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ClientKeysTable {
  key_id: string;
  org_id: string;
  /** provider | institution_system */
  role: string;
  secret_enc: string;
  label: Generated<string>;
  created_by: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface RequestNoncesTable {
  key_id: string;
  nonce: string;
  seen_at: Timestamp;
}

export interface AccountsTables {
  organisations: OrganisationsTable;
  data_sharing_agreements: DataSharingAgreementsTable;
  users: UsersTable;
  sessions: SessionsTable;
  client_keys: ClientKeysTable;
  request_nonces: RequestNoncesTable;
}
