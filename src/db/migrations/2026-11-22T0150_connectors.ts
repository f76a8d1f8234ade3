import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// On-demand data (接口调用): providers' interfaces per pull kind, and the log of every pull section.
// connector_interfaces is small (a reference table once sharded); pull_calls is large and carries uscc.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE connector_interfaces (
      id bigserial PRIMARY KEY,
      provider_id text NOT NULL,
      kind_code text NOT NULL,
      base_url text NOT NULL,
      auth_type text NOT NULL DEFAULT 'none',
      auth_key_id text,
      auth_secret text,
      signature_algorithm text NOT NULL DEFAULT 'hmac-sha256',
      timeout_ms integer NOT NULL DEFAULT 3000,
      retries integer NOT NULL DEFAULT 2,
      rate_limit_per_s real NOT NULL DEFAULT 50,
      max_concurrency integer NOT NULL DEFAULT 16,
      cache_ttl_s integer NOT NULL DEFAULT 0,
      store_as_records boolean,
      enabled boolean NOT NULL DEFAULT true,
      note text NOT NULL DEFAULT '',
      created_by text NOT NULL,
      updated_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT connector_interfaces_auth CHECK (auth_type IN ('none', 'bearer', 'hmac')),
      UNIQUE (provider_id, kind_code)
    );
    -- At most one enabled interface per kind: the platform knows whom to call.
    CREATE UNIQUE INDEX connector_interfaces_enabled_kind ON connector_interfaces (kind_code) WHERE enabled;

    CREATE TABLE pull_calls (
      id bigserial PRIMARY KEY,
      request_id text NOT NULL UNIQUE,
      pull_id text NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      kind_code text NOT NULL,
      provider_id text,
      interface_id bigint,
      consent_id text,
      actor_type text NOT NULL,
      actor_id text NOT NULL,
      org_id text,
      purpose text,
      status text NOT NULL,
      error_code text,
      reason jsonb,
      http_status integer,
      attempts integer NOT NULL DEFAULT 0,
      latency_ms integer NOT NULL DEFAULT 0,
      cached boolean NOT NULL DEFAULT false,
      stored boolean NOT NULL DEFAULT false,
      record_count integer NOT NULL DEFAULT 0,
      digest_sha256 text,
      digest_sm3 text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX pull_calls_subject ON pull_calls (uscc, created_at DESC);
    CREATE INDEX pull_calls_provider ON pull_calls (provider_id, created_at DESC);
    CREATE INDEX pull_calls_consent ON pull_calls (consent_id) WHERE consent_id IS NOT NULL;
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE pull_calls;
    DROP TABLE connector_interfaces;
  `,
  );
}
