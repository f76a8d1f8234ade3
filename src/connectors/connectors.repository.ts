import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { AccessLogTable } from '../access/access.tables.ts';
import type { Database } from '../db/schema.ts';
import { queueInsertSql, type QueueInsert } from '../ledger/ledger.repository.ts';
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

/**
 * Reserves ids for a pull's `pull_calls` rows (the ledger leaves name their rows, and a leaf's hash is
 * computed before the statement that writes both). Run while the providers are being called: off the
 * critical path. A pull that fails before logging leaves a gap in the sequence, nothing else.
 */
export async function reservePullCallIds(db: Db, n: number): Promise<number[]> {
  const r = await sql<{ id: number | string }>`
    SELECT nextval('pull_calls_id_seq') AS id FROM generate_series(1, ${n}::int)`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/**
 * A pull's whole trail in one statement (one round trip, one durable commit): its `pull_calls` rows,
 * the subject's access-log row when data was shown (the access module's table, same columns as its
 * `insertAccessLog`), and the ledger leaves, encoded by the ledger queue (`queueInsertSql`).
 */
export async function writePullLog(
  db: Db,
  calls: Array<NewPullCallRow & { id: number }>,
  access: Insertable<AccessLogTable> | null,
  leaves: QueueInsert[],
): Promise<void> {
  const json = JSON.stringify(calls);
  const accessCte = access
    ? sql`, a AS (
      INSERT INTO access_log (uscc, actor_type, actor_id, org_id, basis, purpose, consent_id, mode, kinds,
        record_count, non_public)
      VALUES (${access.uscc}, ${access.actor_type}, ${access.actor_id ?? null}, ${access.org_id ?? null},
        ${access.basis}, ${access.purpose ?? null}, ${access.consent_id ?? null}, ${access.mode ?? null},
        ${access.kinds}::text[], ${access.record_count}, ${access.non_public})
      RETURNING id)`
    : sql``;
  const queueCte = leaves.length ? sql`, q AS (${queueInsertSql(leaves)} RETURNING 1)` : sql``;
  await sql`
    WITH p AS (
      INSERT INTO pull_calls (id, request_id, pull_id, uscc, kind_code, provider_id, interface_id, consent_id,
        actor_type, actor_id, org_id, purpose, status, error_code, reason, http_status, attempts, latency_ms,
        cached, stored, record_count, digest_sha256, digest_sm3)
      SELECT id, request_id, pull_id, uscc, kind_code, provider_id, interface_id, consent_id, actor_type,
        actor_id, org_id, purpose, status, error_code, reason::jsonb, http_status, attempts, latency_ms,
        cached, stored, record_count, digest_sha256, digest_sm3
      FROM json_to_recordset(${json}::json) AS r(id bigint, request_id text, pull_id text, uscc text,
        kind_code text, provider_id text, interface_id bigint, consent_id text, actor_type text,
        actor_id text, org_id text, purpose text, status text, error_code text, reason text,
        http_status int, attempts int, latency_ms int, cached boolean, stored boolean, record_count int,
        digest_sha256 text, digest_sm3 text)
      RETURNING id
    )${accessCte}${queueCte}
    SELECT count(*)::int AS n FROM p`.execute(db);
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
