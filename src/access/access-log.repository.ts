import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AccessLogTable } from './access.tables.ts';

export type AccessLogRow = Selectable<AccessLogTable>;

export async function insertAccessLog(db: Db, row: Insertable<AccessLogTable>): Promise<AccessLogRow> {
  return db.insertInto('access_log').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface AccessLogFilter {
  uscc?: string | undefined;
  orgId?: string | undefined;
  actorId?: string | undefined;
  consentId?: string | undefined;
  /** Only reads of non-public data. */
  nonPublicOnly?: boolean | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset pagination: rows with id below this. */
  beforeId?: number | undefined;
  limit: number;
}

/** Newest first. */
export async function listAccessLog(db: Db, f: AccessLogFilter): Promise<AccessLogRow[]> {
  let q = db.selectFrom('access_log').selectAll();
  if (f.uscc) q = q.where('uscc', '=', f.uscc);
  if (f.orgId) q = q.where('org_id', '=', f.orgId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.consentId) q = q.where('consent_id', '=', f.consentId);
  if (f.nonPublicOnly) q = q.where('non_public', '=', true);
  if (f.from) q = q.where('occurred_at', '>=', f.from);
  if (f.to) q = q.where('occurred_at', '<', f.to);
  if (f.beforeId) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/**
 * This transaction's commit returns before its WAL record is flushed (PostgreSQL
 * `synchronous_commit = off`, transaction-local): a crash within the WAL writer delay (~0.2–0.6 s)
 * may lose it, the database stays consistent. Opt-in for the read path (XINRONG_READ_COMMIT=async).
 */
export async function commitWithoutWaitingForFlush(trx: Db): Promise<void> {
  await sql`SET LOCAL synchronous_commit = off`.execute(trx);
}
