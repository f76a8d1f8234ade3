import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Aggregates for the operator dashboard, computed from batches (one row per push, a few per provider
 * per day) rather than from the record tables: records received per month are the batches' accepted
 * rows (new or changed versions). Months are China Standard Time (UTC+8, no daylight saving), so a
 * push at 2026-01-31 23:30 Beijing time counts in January.
 */

export interface MonthlyIngestRow {
  month: string; // YYYY-MM
  kind_code: string;
  provider_id: string;
  batches: number;
  received: number;
  accepted: number;
  rejected: number;
}

export async function listMonthlyIngest(db: Kysely<Database>, since: Date): Promise<MonthlyIngestRow[]> {
  const r = await sql<{
    month: string;
    kind_code: string;
    provider_id: string;
    batches: string | number;
    received: string | number;
    accepted: string | number;
    rejected: string | number;
  }>`
    SELECT to_char(date_trunc('month', created_at + interval '8 hours'), 'YYYY-MM') AS month,
           kind_code, provider_id,
           count(*) AS batches,
           coalesce(sum(received), 0) AS received,
           coalesce(sum(accepted), 0) AS accepted,
           coalesce(sum(rejected), 0) AS rejected
    FROM batches
    WHERE created_at >= ${since}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`.execute(db);
  return r.rows.map((x) => ({
    month: x.month,
    kind_code: x.kind_code,
    provider_id: x.provider_id,
    batches: Number(x.batches),
    received: Number(x.received),
    accepted: Number(x.accepted),
    rejected: Number(x.rejected),
  }));
}

export interface ProviderHealthRow {
  id: string;
  name_zh: string;
  name_en: string;
  status: string;
  kinds: string[];
  batches: number;
  received: number;
  rejected: number;
  failed: number;
  /** Median seconds from receipt to finish, over the window. */
  median_seconds: number | null;
  last_batch_id: number | null;
  last_batch_status: string | null;
  last_batch_at: Date | null;
  last_completed_at: Date | null;
}

export async function listProviderHealth(db: Kysely<Database>, since: Date): Promise<ProviderHealthRow[]> {
  const r = await sql<{
    id: string;
    name_zh: string;
    name_en: string;
    status: string;
    kinds: string[];
    batches: string | number | null;
    received: string | number | null;
    rejected: string | number | null;
    failed: string | number | null;
    median_seconds: string | number | null;
    last_batch_id: string | number | null;
    last_batch_status: string | null;
    last_batch_at: Date | string | null;
    last_completed_at: Date | string | null;
  }>`
    SELECT p.id, p.name_zh, p.name_en, p.status, p.kinds,
           w.batches, w.received, w.rejected, w.failed, w.median_seconds,
           last.id AS last_batch_id, last.status AS last_batch_status, last.created_at AS last_batch_at,
           done.finished_at AS last_completed_at
    FROM providers p
    LEFT JOIN (
      SELECT provider_id,
             count(*) AS batches,
             coalesce(sum(received), 0) AS received,
             coalesce(sum(rejected), 0) AS rejected,
             count(*) FILTER (WHERE status IN ('failed', 'rejected')) AS failed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at))
               FILTER (WHERE finished_at IS NOT NULL) AS median_seconds
      FROM batches
      WHERE created_at >= ${since}
      GROUP BY provider_id
    ) w ON w.provider_id = p.id
    LEFT JOIN LATERAL (
      SELECT b.id, b.status, b.created_at FROM batches b
      WHERE b.provider_id = p.id ORDER BY b.id DESC LIMIT 1
    ) last ON true
    LEFT JOIN LATERAL (
      SELECT b.finished_at FROM batches b
      WHERE b.provider_id = p.id AND b.status = 'completed' ORDER BY b.id DESC LIMIT 1
    ) done ON true
    ORDER BY last.created_at DESC NULLS LAST, p.id`.execute(db);
  const date = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
  return r.rows.map((x) => ({
    id: x.id,
    name_zh: x.name_zh,
    name_en: x.name_en,
    status: x.status,
    kinds: x.kinds,
    batches: Number(x.batches ?? 0),
    received: Number(x.received ?? 0),
    rejected: Number(x.rejected ?? 0),
    failed: Number(x.failed ?? 0),
    median_seconds: x.median_seconds === null ? null : Number(x.median_seconds),
    last_batch_id: x.last_batch_id === null ? null : Number(x.last_batch_id),
    last_batch_status: x.last_batch_status,
    last_batch_at: date(x.last_batch_at),
    last_completed_at: date(x.last_completed_at),
  }));
}
