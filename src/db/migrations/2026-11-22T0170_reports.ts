import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Standardized credit reports (信用报告): one row per issued report, frozen. The canonical JSON and the
// rendered files live as blobs under DATA_DIR/reports/; the rows keep their digests (SHA-256 and SM3),
// so a changed blob is detected. Both tables carry uscc (sharding by subject later).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    CREATE SEQUENCE report_serial;
    CREATE TABLE reports (
      number text COLLATE "C" PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      report_type text NOT NULL,
      subject_name text NOT NULL,
      requester_type text NOT NULL,
      requester_id text,
      requester_org text,
      requester_name text NOT NULL,
      purpose text,
      consent_id text,
      window_from date,
      window_to date,
      issued_at timestamptz NOT NULL,
      json_path text NOT NULL,
      json_sha256 text NOT NULL,
      json_sm3 text NOT NULL,
      json_bytes integer NOT NULL,
      record_count integer NOT NULL,
      access_log_id bigint,
      CONSTRAINT reports_type CHECK (report_type IN ('public', 'full', 'self', 'special'))
    );
    CREATE INDEX reports_uscc ON reports (uscc, issued_at DESC);
    CREATE INDEX reports_requester ON reports (requester_org, issued_at DESC);
    CREATE INDEX reports_requester_id ON reports (requester_id, issued_at DESC);

    CREATE TABLE report_renditions (
      number text COLLATE "C" NOT NULL REFERENCES reports (number),
      format text NOT NULL,
      uscc text COLLATE "C" NOT NULL,
      path text NOT NULL,
      sha256 text NOT NULL,
      sm3 text NOT NULL,
      bytes integer NOT NULL,
      ledger_bundle text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (number, format),
      CONSTRAINT report_renditions_format CHECK (format IN ('html', 'pdf'))
    );
    CREATE INDEX report_renditions_sha256 ON report_renditions (sha256);
    CREATE INDEX reports_json_sha256 ON reports (json_sha256);
    `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TABLE report_renditions;
    DROP TABLE reports;
    DROP SEQUENCE report_serial;
    `,
  );
}
