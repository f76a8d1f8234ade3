import type { CatalogService } from '../catalog/catalog.service.ts';
import type { Db } from '../db/database.ts';
import { listMonthlyIngest, listProviderHealth } from './dashboard.repository.ts';
import { findPublicCounts, type PublicCounts } from './stats.repository.ts';

export interface PublicStats extends PublicCounts {
  /** When the counts were taken (ISO 8601). */
  asOf: string;
}

export interface Series {
  code: string;
  nameZh: string;
  nameEn: string;
  /** Records stored per month, aligned with `months`. */
  accepted: number[];
}

export interface IngestTrend {
  months: string[];
  byCategory: Series[];
  byProvider: Series[];
  totals: { batches: number; received: number; accepted: number; rejected: number };
}

/** on_time: a completed batch within 7 days; late: within 31 days; stale: older; never: no batch yet. */
export type Timeliness = 'on_time' | 'late' | 'stale' | 'never';

export interface ProviderHealth {
  id: string;
  nameZh: string;
  nameEn: string;
  status: string;
  kinds: string[];
  batches: number;
  received: number;
  rejected: number;
  failed: number;
  /** rejected / received over the window, null without rows. */
  rejectionRate: number | null;
  medianSeconds: number | null;
  lastBatch: { id: number; status: string; at: string } | null;
  lastCompletedAt: string | null;
  daysSinceCompleted: number | null;
  timeliness: Timeliness;
}

export interface StatsService {
  publicStats(): Promise<PublicStats>;
  ingestTrend(months: number): Promise<IngestTrend>;
  providerHealth(days: number): Promise<{ windowDays: number; asOf: string; providers: ProviderHealth[] }>;
}

/** Headline figures are cached for a minute: the home page is the busiest public page. */
const publicTtlMs = 60_000;
const dayMs = 86_400_000;
/**
 * Timeliness bands (platform choice, docs/decisions/0073): departments are asked to report at least
 * monthly; a week without a completed batch is worth a look, a month is late.
 */
const onTimeDays = 7;
const lateDays = 31;

/** YYYY-MM of a moment in China Standard Time (UTC+8, no daylight saving). */
function cstMonth(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** The last `n` months, oldest first, ending with the current month (CST). */
export function lastMonths(n: number, now: number): string[] {
  const [y, m] = cstMonth(now).split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

export function classifyTimeliness(daysSinceCompleted: number | null): Timeliness {
  if (daysSinceCompleted === null) return 'never';
  if (daysSinceCompleted <= onTimeDays) return 'on_time';
  if (daysSinceCompleted <= lateDays) return 'late';
  return 'stale';
}

export function createStatsService(deps: {
  db: Db;
  catalog: CatalogService;
  now?: () => number;
}): StatsService {
  const now = deps.now ?? Date.now;
  let cached: { at: number; value: Promise<PublicStats> } | undefined;
  return {
    publicStats() {
      const t = now();
      if (!cached || t - cached.at > publicTtlMs) {
        const value = findPublicCounts(deps.db).then((c) => ({ ...c, asOf: new Date(t).toISOString() }));
        cached = { at: t, value };
        value.catch(() => {
          cached = undefined; // a failed count is retried on the next request
        });
      }
      return cached.value;
    },

    async ingestTrend(n) {
      const t = now();
      const months = lastMonths(n, t);
      // From the first day of the oldest month, in CST.
      const since = new Date(Date.parse(`${months[0]}-01T00:00:00+08:00`));
      const rows = await listMonthlyIngest(deps.db, since);
      const catalog = await deps.catalog.findCurrent();
      const kindCategory = new Map((catalog?.kinds ?? []).map((k) => [k.code, k.category]));
      const categories = new Map((catalog?.categories ?? []).map((c) => [c.code, c]));
      const providerNames = new Map<string, string>();
      for (const k of catalog?.kinds ?? []) for (const p of k.providers) providerNames.set(p.id, p.name_zh);
      const index = new Map(months.map((m, i) => [m, i]));
      const byCategory = new Map<string, number[]>();
      const byProvider = new Map<string, number[]>();
      const totals = { batches: 0, received: 0, accepted: 0, rejected: 0 };
      const add = (map: Map<string, number[]>, key: string, i: number, v: number) => {
        const arr = map.get(key) ?? months.map(() => 0);
        arr[i] = (arr[i] ?? 0) + v;
        map.set(key, arr);
      };
      for (const r of rows) {
        const i = index.get(r.month);
        if (i === undefined) continue;
        add(byCategory, kindCategory.get(r.kind_code) ?? 'other', i, r.accepted);
        add(byProvider, r.provider_id, i, r.accepted);
        totals.batches += r.batches;
        totals.received += r.received;
        totals.accepted += r.accepted;
        totals.rejected += r.rejected;
      }
      const order = (code: string) => categories.get(code)?.order ?? Number.MAX_SAFE_INTEGER;
      return {
        months,
        byCategory: [...byCategory]
          .sort((a, b) => order(a[0]) - order(b[0]))
          .map(([code, accepted]) => ({
            code,
            nameZh: categories.get(code)?.name_zh ?? '其他',
            nameEn: categories.get(code)?.name_en ?? 'Other',
            accepted,
          })),
        byProvider: [...byProvider]
          .sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))
          .map(([code, accepted]) => ({
            code,
            nameZh: providerNames.get(code) ?? code,
            nameEn: code,
            accepted,
          })),
        totals,
      };
    },

    async providerHealth(days) {
      const t = now();
      const rows = await listProviderHealth(deps.db, new Date(t - days * dayMs));
      return {
        windowDays: days,
        asOf: new Date(t).toISOString(),
        providers: rows.map((r) => {
          const since = r.last_completed_at ? Math.floor((t - r.last_completed_at.getTime()) / dayMs) : null;
          return {
            id: r.id,
            nameZh: r.name_zh,
            nameEn: r.name_en,
            status: r.status,
            kinds: r.kinds,
            batches: r.batches,
            received: r.received,
            rejected: r.rejected,
            failed: r.failed,
            rejectionRate: r.received > 0 ? r.rejected / r.received : null,
            medianSeconds: r.median_seconds,
            lastBatch:
              r.last_batch_id !== null && r.last_batch_at
                ? {
                    id: r.last_batch_id,
                    status: r.last_batch_status ?? '',
                    at: r.last_batch_at.toISOString(),
                  }
                : null,
            lastCompletedAt: r.last_completed_at?.toISOString() ?? null,
            daysSinceCompleted: since,
            timeliness: classifyTimeliness(since),
          };
        }),
      };
    },
  };
}
