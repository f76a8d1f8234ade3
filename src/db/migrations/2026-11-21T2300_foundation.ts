import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Foundation tables: catalog versions, providers, subjects, records (identity) and record versions
// (append-only), ingestion batches and their row errors, machine-client tokens.
// Every large table carries `uscc` so that it can be distributed by it (Citus) later.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE catalog_versions (
      version integer PRIMARY KEY,
      label text NOT NULL,
      source_format text NOT NULL,
      digest_sha256 text NOT NULL,
      document jsonb NOT NULL,
      imported_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE providers (
      id text PRIMARY KEY,
      name_zh text NOT NULL,
      name_en text NOT NULL DEFAULT '',
      kinds text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'active',
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- Bearer tokens for machine clients until request signing lands (accounts issue).
    CREATE TABLE api_tokens (
      token_hash text PRIMARY KEY,
      principal_type text NOT NULL,
      principal_id text NOT NULL,
      label text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );

    CREATE TABLE regions (
      code text PRIMARY KEY,
      name text NOT NULL,
      parent_code text,
      level smallint NOT NULL
    );

    CREATE TABLE industries (
      code text PRIMARY KEY,
      name text NOT NULL,
      parent_code text,
      level smallint NOT NULL
    );

    CREATE TABLE subjects (
      uscc text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      subject_type text NOT NULL,
      region_code text,
      industry_code text,
      legal_rep_name text,
      registration_status text,
      established_on date,
      registered_capital numeric,
      address text,
      is_provisional boolean NOT NULL DEFAULT false,
      name_bigrams text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX subjects_name_trgm ON subjects USING gin (name public.gin_trgm_ops);
    CREATE INDEX subjects_name_bigrams ON subjects USING gin (name_bigrams);
    CREATE INDEX subjects_region ON subjects (region_code);
    CREATE INDEX subjects_industry ON subjects (industry_code);

    CREATE TABLE subject_names (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      name text NOT NULL,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      source text NOT NULL,
      UNIQUE (uscc, name)
    );

    CREATE TABLE batches (
      id bigserial PRIMARY KEY,
      provider_id text NOT NULL,
      kind_code text NOT NULL,
      source text NOT NULL,
      format text NOT NULL,
      filename text,
      byte_size bigint NOT NULL DEFAULT 0,
      sha256 text,
      sm3 text,
      blob_path text,
      status text NOT NULL,
      all_or_nothing boolean NOT NULL DEFAULT false,
      catalog_version integer,
      received integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      unchanged integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      error_code text,
      error_message jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX batches_provider ON batches (provider_id, id DESC);

    CREATE TABLE batch_errors (
      id bigserial PRIMARY KEY,
      batch_id bigint NOT NULL REFERENCES batches (id),
      row_number integer NOT NULL,
      field text,
      rule text NOT NULL,
      value text,
      message_zh text NOT NULL,
      message_en text NOT NULL
    );
    CREATE INDEX batch_errors_batch ON batch_errors (batch_id, row_number);

    -- Identity of a record: one row per (subject, kind, natural key), written once, never updated.
    CREATE TABLE records (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      kind_code text NOT NULL,
      natural_key text NOT NULL,
      provider_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (uscc, kind_code, natural_key)
    );

    -- Every version of every record, append-only: a change is a new row, never an UPDATE.
    -- status: active | withdrawn. op: create | update | correct | withdraw | restore.
    CREATE TABLE record_versions (
      id bigserial PRIMARY KEY,
      record_id bigint NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      kind_code text NOT NULL,
      version integer NOT NULL,
      op text NOT NULL,
      status text NOT NULL,
      data jsonb NOT NULL,
      data_digest text NOT NULL,
      occurred_on date,
      catalog_version integer NOT NULL,
      provider_id text NOT NULL,
      batch_id bigint,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (record_id, version)
    );
    CREATE INDEX record_versions_subject ON record_versions (uscc, kind_code, record_id, version DESC);
    CREATE INDEX record_versions_batch ON record_versions (batch_id);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE record_versions;
    DROP TABLE records;
    DROP TABLE batch_errors;
    DROP TABLE batches;
    DROP TABLE subject_names;
    DROP TABLE subjects;
    DROP TABLE industries;
    DROP TABLE regions;
    DROP TABLE api_tokens;
    DROP TABLE providers;
    DROP TABLE catalog_versions;
  `,
  );
}
