import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ConnectorInterfacesTable, PullCallsTable } from './connectors.tables.ts';

/** The only SQL on `connector_interfaces` and `pull_calls`. */

type Db = Kysely<Database>;

export type InterfaceRow = Selectable<ConnectorInterfacesTable>;
export type NewInterfaceRow = Insertable<ConnectorInterfacesTable>;
export type InterfacePatch = Updateable<ConnectorInterfacesTable>;
export type NewPullCallRow = Insertable<PullCallsTable>;
export type PullCallRow = Selectable<PullCallsTable>;

export async function listInterfaces(
  db: Db,
  filter: { providerId?: string | undefined; kindCode?: string | undefined; enabled?: boolean } = {},
): Promise<InterfaceRow[]> {
  let q = db.selectFrom('connector_interfaces').selectAll();
  if (filter.providerId !== undefined) q = q.where('provider_id', '=', filter.providerId);
  if (filter.kindCode !== undefined) q = q.where('kind_code', '=', filter.kindCode);
  if (filter.enabled !== undefined) q = q.where('enabled', '=', filter.enabled);
  return q.orderBy('kind_code').orderBy('provider_id').execute();
}

export async function findInterface(db: Db, id: number): Promise<InterfaceRow | undefined> {
  return db.selectFrom('connector_interfaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findInterfaceByProviderKind(
  db: Db,
  providerId: string,
  kindCode: string,
): Promise<InterfaceRow | undefined> {
  return db
    .selectFrom('connector_interfaces')
    .selectAll()
    .where('provider_id', '=', providerId)
    .where('kind_code', '=', kindCode)
    .executeTakeFirst();
}

/** The enabled interface of a kind, if any (a partial unique index keeps it to one). */
export async function findEnabledInterfaceForKind(
  db: Db,
  kindCode: string,
): Promise<InterfaceRow | undefined> {
  return db
    .selectFrom('connector_interfaces')
    .selectAll()
    .where('kind_code', '=', kindCode)
    .where('enabled', '=', true)
    .executeTakeFirst();
}

export async function insertInterface(db: Db, row: NewInterfaceRow): Promise<InterfaceRow> {
  return db.insertInto('connector_interfaces').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateInterface(db: Db, id: number, patch: InterfacePatch): Promise<InterfaceRow> {
  return db
    .updateTable('connector_interfaces')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteInterface(db: Db, id: number): Promise<void> {
  await db.deleteFrom('connector_interfaces').where('id', '=', id).execute();
}

export async function insertPullCalls(
  db: Db,
  rows: NewPullCallRow[],
): Promise<Array<{ id: number; request_id: string; created_at: Date }>> {
  if (rows.length === 0) return [];
  return db.insertInto('pull_calls').values(rows).returning(['id', 'request_id', 'created_at']).execute();
}

export async function listPullCalls(
  db: Db,
  filter: { uscc?: string; providerId?: string; pullId?: string; limit?: number },
): Promise<PullCallRow[]> {
  let q = db.selectFrom('pull_calls').selectAll();
  if (filter.uscc) q = q.where('uscc', '=', filter.uscc);
  if (filter.providerId) q = q.where('provider_id', '=', filter.providerId);
  if (filter.pullId) q = q.where('pull_id', '=', filter.pullId);
  return q
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
}

export interface ProviderCallStats {
  providerId: string;
  /** Sections that reached (or tried to reach) the provider: cache hits and refusals before a call excluded. */
  calls: number;
  ok: number;
  p50Ms: number | null;
  p95Ms: number | null;
  lastErrorAt: Date | null;
  lastErrorCode: string | null;
  lastErrorReason: { zh: string; en: string } | null;
  lastCallAt: Date | null;
}

/**
 * Per provider since `since`: network calls, successes, latency percentiles (ms) and the latest error.
 * Computed from the log, so every process of a deployment reports the same figures.
 */
export async function providerCallStats(db: Db, since: Date): Promise<ProviderCallStats[]> {
  const stats = await db
    .selectFrom('pull_calls')
    .where('created_at', '>=', since)
    .where('provider_id', 'is not', null)
    .where('cached', '=', false)
    .where('attempts', '>', 0)
    .select((eb) => [
      'provider_id',
      eb.fn.countAll<number>().as('calls'),
      sql<number>`count(*) FILTER (WHERE status = 'ok')`.as('ok'),
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)`.as('p50'),
      sql<number | null>`percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)`.as('p95'),
      eb.fn.max('created_at').as('last_call_at'),
    ])
    .groupBy('provider_id')
    .execute();
  const errors = await db
    .selectFrom('pull_calls')
    .distinctOn('provider_id')
    .select(['provider_id', 'created_at', 'error_code', 'reason'])
    .where('provider_id', 'is not', null)
    .where('status', '=', 'unavailable')
    .where('created_at', '>=', since)
    .orderBy('provider_id')
    .orderBy('id', 'desc')
    .execute();
  const byProvider = new Map(errors.map((e) => [e.provider_id!, e]));
  return stats.map((s) => {
    const e = byProvider.get(s.provider_id!);
    return {
      providerId: s.provider_id!,
      calls: Number(s.calls),
      ok: Number(s.ok),
      p50Ms: s.p50 === null ? null : Number(s.p50),
      p95Ms: s.p95 === null ? null : Number(s.p95),
      lastCallAt: s.last_call_at ? new Date(s.last_call_at) : null,
      lastErrorAt: e ? e.created_at : null,
      lastErrorCode: e?.error_code ?? null,
      lastErrorReason: e?.reason ?? null,
    };
  });
}
