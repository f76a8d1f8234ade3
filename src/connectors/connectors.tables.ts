import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** A timestamptz with a database default: optional on insert, read as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** 0 = unlimited; stored as `real`, read back as a number. */
type Real = ColumnType<number, number | undefined, number>;

/** A provider's interface for one pull kind (接口调用): where and how the platform calls it. */
export interface ConnectorInterfacesTable {
  id: Generated<number>;
  provider_id: string;
  kind_code: string;
  base_url: string;
  /** none | bearer | hmac */
  auth_type: Generated<string>;
  auth_key_id: string | null;
  /** Bearer token or HMAC secret; never returned by the API. */
  auth_secret: string | null;
  /** hmac-sha256 | hmac-sm3 */
  signature_algorithm: Generated<string>;
  timeout_ms: Generated<number>;
  retries: Generated<number>;
  rate_limit_per_s: Real;
  max_concurrency: Generated<number>;
  cache_ttl_s: Generated<number>;
  /** null = the catalog's default (decision 0062). */
  store_as_records: boolean | null;
  enabled: Generated<boolean>;
  note: Generated<string>;
  created_by: string;
  updated_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One section of one pull: the call (or the reason there was none), with the digest of what came back. */
export interface PullCallsTable {
  id: Generated<number>;
  request_id: string;
  pull_id: string;
  uscc: string;
  kind_code: string;
  provider_id: string | null;
  interface_id: number | null;
  consent_id: string | null;
  actor_type: string;
  actor_id: string;
  org_id: string | null;
  purpose: string | null;
  /** ok | unavailable | denied */
  status: string;
  error_code: string | null;
  reason: JSONColumnType<{ zh: string; en: string } | null, string | null, string | null>;
  http_status: number | null;
  attempts: number;
  latency_ms: number;
  cached: boolean;
  stored: boolean;
  record_count: number;
  digest_sha256: string | null;
  digest_sm3: string | null;
  created_at: Timestamp;
}

export interface ConnectorsTables {
  connector_interfaces: ConnectorInterfacesTable;
  pull_calls: PullCallsTable;
}
