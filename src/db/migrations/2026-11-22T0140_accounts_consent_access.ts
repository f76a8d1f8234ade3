import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Accounts (organisations, users, sessions, machine-client keys, request nonces, data-sharing
// agreements), consents (grants, uses, written authorizations), the access log and record marks
// (repaired / disputed, written by the subject-rights module, read by the read path).
// Accounts and organisations are small reference tables; consents, uses, the access log and record
// marks carry `uscc` so they can be distributed by it later.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    -- kind: institution | provider | district | department | platform.
    -- institution_type (institutions only): bank | insurer | guarantor | credit_service.
    CREATE TABLE organisations (
      id text PRIMARY KEY,
      kind text NOT NULL,
      institution_type text,
      name_zh text NOT NULL,
      name_en text NOT NULL DEFAULT '',
      uscc text COLLATE "C",
      region_code text,
      status text NOT NULL DEFAULT 'active',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX organisations_kind ON organisations (kind, id);

    -- The data-sharing agreement (数据共享协议) on file for an onboarded institution or provider:
    -- what it may receive or send (scope), why (purposes), and for how long (term, calendar dates).
    CREATE TABLE data_sharing_agreements (
      id bigserial PRIMARY KEY,
      org_id text NOT NULL REFERENCES organisations (id),
      scope_kinds text[] NOT NULL DEFAULT '{}',
      scope_categories text[] NOT NULL DEFAULT '{}',
      purposes text[] NOT NULL DEFAULT '{}',
      purpose_text text NOT NULL,
      valid_from date NOT NULL,
      valid_until date NOT NULL,
      document_ref text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX data_sharing_agreements_org ON data_sharing_agreements (org_id, valid_until DESC);

    CREATE TABLE users (
      id text PRIMARY KEY,
      username text NOT NULL,
      role text NOT NULL,
      org_id text REFERENCES organisations (id),
      uscc text COLLATE "C",
      display_name text NOT NULL DEFAULT '',
      password_hash text NOT NULL,
      totp_secret_enc text,
      totp_last_step bigint,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      status text NOT NULL DEFAULT 'active',
      real_name_verified_at timestamptz,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_login_at timestamptz
    );
    CREATE UNIQUE INDEX users_username ON users (lower(username));
    CREATE UNIQUE INDEX users_enterprise_subject ON users (uscc) WHERE role = 'enterprise' AND status = 'active';

    -- Browser sessions: the cookie holds a random token, the table its SHA-256 only.
    CREATE TABLE sessions (
      token_hash text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id),
      mfa_pending boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      ip text,
      user_agent text
    );
    CREATE INDEX sessions_user ON sessions (user_id);

    -- Machine clients' HMAC keys; the secret is SM4-GCM encrypted with the master key in DATA_DIR/keys.
    CREATE TABLE client_keys (
      key_id text PRIMARY KEY,
      org_id text NOT NULL REFERENCES organisations (id),
      role text NOT NULL,
      secret_enc text NOT NULL,
      label text NOT NULL DEFAULT '',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX client_keys_org ON client_keys (org_id);

    -- Nonces of signed requests seen within the freshness window (replay protection).
    CREATE TABLE request_nonces (
      key_id text NOT NULL,
      nonce text NOT NULL,
      seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (key_id, nonce)
    );
    CREATE INDEX request_nonces_seen ON request_nonces (seen_at);

    -- Consent (授权) from a subject to an institution. State is computed from revoked_at, valid_until,
    -- use_count / max_uses at read time; it is never stored as a status column that could go stale.
    CREATE TABLE consents (
      id text PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      institution_id text NOT NULL REFERENCES organisations (id),
      purpose text NOT NULL,
      scope_kinds text[] NOT NULL DEFAULT '{}',
      scope_categories text[] NOT NULL DEFAULT '{}',
      mode text NOT NULL,
      valid_from timestamptz NOT NULL,
      valid_until timestamptz NOT NULL,
      max_uses integer,
      use_count integer NOT NULL DEFAULT 0,
      last_used_at timestamptz,
      data_from date,
      data_to date,
      source text NOT NULL,
      written_authorization_id bigint,
      granted_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_by text,
      revoke_reason text
    );
    CREATE INDEX consents_subject ON consents (uscc, institution_id, created_at DESC);
    CREATE INDEX consents_institution ON consents (institution_id, created_at DESC);

    CREATE TABLE consent_uses (
      id bigserial PRIMARY KEY,
      consent_id text NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      actor_type text NOT NULL,
      actor_id text NOT NULL,
      mode text NOT NULL,
      kinds text[] NOT NULL,
      used_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX consent_uses_consent ON consent_uses (consent_id, id);

    -- 书面授权: a scan uploaded by an institution, confirmed by an operator into a consent.
    -- status: pending | confirmed | rejected.
    CREATE TABLE written_authorizations (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      institution_id text NOT NULL,
      uploaded_by text NOT NULL,
      filename text,
      content_type text NOT NULL,
      byte_size bigint NOT NULL,
      sha256 text NOT NULL,
      sm3 text NOT NULL,
      blob_path text NOT NULL,
      request jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      reviewed_by text,
      reviewed_at timestamptz,
      review_note text,
      consent_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX written_authorizations_status ON written_authorizations (status, id);
    CREATE INDEX written_authorizations_institution ON written_authorizations (institution_id, id DESC);

    -- Every read of a subject's records through the read path. basis: public | self | operator |
    -- consent | internal. mode: the consent mode used (full_report | query | verify) or null.
    CREATE TABLE access_log (
      id bigserial PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      actor_type text NOT NULL,
      actor_id text,
      org_id text,
      basis text NOT NULL,
      purpose text,
      consent_id text,
      mode text,
      kinds text[] NOT NULL,
      record_count integer NOT NULL,
      non_public boolean NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX access_log_subject ON access_log (uscc, id DESC);
    CREATE INDEX access_log_org ON access_log (org_id, id DESC);
    CREATE INDEX access_log_time ON access_log (occurred_at);

    -- Marks the read path applies to records: repaired (已修复) and disputed (异议处理中). Written by the
    -- subject-rights module; a mark is cleared (active = false), never deleted.
    CREATE TABLE record_marks (
      id bigserial PRIMARY KEY,
      record_id bigint NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      mark text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      source_table text NOT NULL,
      source_id text NOT NULL,
      note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      cleared_at timestamptz
    );
    CREATE INDEX record_marks_subject ON record_marks (uscc, record_id) WHERE active;
    CREATE INDEX record_marks_source ON record_marks (source_table, source_id);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE record_marks;
    DROP TABLE access_log;
    DROP TABLE written_authorizations;
    DROP TABLE consent_uses;
    DROP TABLE consents;
    DROP TABLE request_nonces;
    DROP TABLE client_keys;
    DROP TABLE sessions;
    DROP TABLE users;
    DROP TABLE data_sharing_agreements;
    DROP TABLE organisations;
  `,
  );
}
