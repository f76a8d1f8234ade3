import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Timestamps: written as Date or left to the default, read as Date. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type DateOnly = ColumnType<string, string, string>;

export interface CatalogVersionsTable {
  version: number;
  label: string;
  source_format: string;
  digest_sha256: string;
  document: JSONColumnType<Record<string, unknown>, string, string>;
  imported_by: string;
  created_at: Timestamp;
}

export interface ProvidersTable {
  id: string;
  name_zh: string;
  name_en: Generated<string>;
  kinds: Generated<string[]>;
  status: Generated<string>;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  token_hash: string;
  principal_type: string;
  principal_id: string;
  label: Generated<string>;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface RegionsTable {
  code: string;
  name: string;
  parent_code: string | null;
  level: number;
}

export type IndustriesTable = RegionsTable;

export interface SubjectsTable {
  uscc: string;
  name: string;
  subject_type: string;
  region_code: string | null;
  industry_code: string | null;
  legal_rep_name: string | null;
  registration_status: string | null;
  established_on: DateOnly | null;
  /** 万元 (10,000 yuan), as registered. */
  registered_capital: ColumnType<string | null, string | number | null, string | number | null>;
  address: string | null;
  is_provisional: Generated<boolean>;
  name_bigrams: Generated<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SubjectNamesTable {
  id: Generated<number>;
  uscc: string;
  name: string;
  first_seen_at: Timestamp;
  source: string;
}

export interface BatchesTable {
  id: Generated<number>;
  provider_id: string;
  kind_code: string;
  source: string;
  format: string;
  filename: string | null;
  byte_size: Generated<number>;
  sha256: string | null;
  sm3: string | null;
  blob_path: string | null;
  status: string;
  all_or_nothing: Generated<boolean>;
  catalog_version: number | null;
  received: Generated<number>;
  accepted: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  error_code: string | null;
  error_message: JSONColumnType<{ zh: string; en: string } | null, string | null, string | null>;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface BatchErrorsTable {
  id: Generated<number>;
  batch_id: number;
  row_number: number;
  field: string | null;
  rule: string;
  value: string | null;
  message_zh: string;
  message_en: string;
}

export interface RecordsTable {
  id: Generated<number>;
  uscc: string;
  kind_code: string;
  natural_key: string;
  provider_id: string;
  created_at: Timestamp;
}

export interface RecordVersionsTable {
  id: Generated<number>;
  record_id: number;
  uscc: string;
  kind_code: string;
  version: number;
  op: string;
  status: string;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  data_digest: string;
  occurred_on: DateOnly | null;
  catalog_version: number;
  provider_id: string;
  batch_id: number | null;
  reason: string | null;
  created_at: Timestamp;
}

export interface FoundationTables {
  catalog_versions: CatalogVersionsTable;
  providers: ProvidersTable;
  api_tokens: ApiTokensTable;
  regions: RegionsTable;
  industries: IndustriesTable;
  subjects: SubjectsTable;
  subject_names: SubjectNamesTable;
  batches: BatchesTable;
  batch_errors: BatchErrorsTable;
  records: RecordsTable;
  record_versions: RecordVersionsTable;
}
