import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { WhitelistEntriesTable, WhitelistEventsTable } from './whitelist.tables.ts';

export type WhitelistEntryRow = Selectable<WhitelistEntriesTable>;
export type WhitelistEventRow = Selectable<WhitelistEventsTable>;

/** An entry with the names a list shows (subject, recommending organisation, recommender). */
export interface WhitelistEntryListRow extends WhitelistEntryRow {
  subject_name: string | null;
  region_code: string | null;
  org_name: string | null;
  org_kind: string | null;
  recommended_by_name: string | null;
}

export async function insertEntry(
  db: Db,
  row: Insertable<WhitelistEntriesTable>,
): Promise<WhitelistEntryRow> {
  return db.insertInto('whitelist_entries').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertEvent(db: Db, row: Insertable<WhitelistEventsTable>): Promise<void> {
  await db.insertInto('whitelist_events').values(row).execute();
}

export async function listEvents(db: Db, entryId: number): Promise<WhitelistEventRow[]> {
  return db
    .selectFrom('whitelist_events')
    .selectAll()
    .where('entry_id', '=', entryId)
    .orderBy('id')
    .execute();
}

/** The open (pending or listed) entry of a subject by an organisation, if any. */
export async function findOpenEntry(
  db: Db,
  uscc: string,
  orgId: string,
): Promise<WhitelistEntryRow | undefined> {
  return db
    .selectFrom('whitelist_entries')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('org_id', '=', orgId)
    .where('status', 'in', ['pending', 'listed'])
    .executeTakeFirst();
}

/**
 * Moves an entry from one of `from` to a new status in one statement (a concurrent step loses: no
 * row comes back, and the caller reports the status it finds).
 */
export async function transitionEntry(
  db: Db,
  id: number,
  from: string[],
  set: Partial<Omit<Insertable<WhitelistEntriesTable>, 'id'>> & { status: string },
): Promise<WhitelistEntryRow | undefined> {
  return db
    .updateTable('whitelist_entries')
    .set({ ...set, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

export interface WhitelistFilter {
  /** Stored statuses; `inForceOn` narrows listed entries to those valid on that day. */
  statuses?: string[] | undefined;
  /** Listed entries valid on this day (YYYY-MM-DD) are "in force"; with `expired`, those past it. */
  inForceOn?: string | undefined;
  expiredOn?: string | undefined;
  orgId?: string | undefined;
  uscc?: string | undefined;
  category?: string | undefined;
  /** region_code range of the subject (a prefix padded with 0s and 9s). */
  region?: { from: string; to: string } | undefined;
  limit: number;
  offset: number;
}

function whereSql(f: WhitelistFilter) {
  const parts = [sql<boolean>`true`];
  if (f.statuses?.length) parts.push(sql<boolean>`w.status IN (${sql.join(f.statuses)})`);
  if (f.inForceOn) parts.push(sql<boolean>`w.status = 'listed' AND w.valid_until >= ${f.inForceOn}::date`);
  if (f.expiredOn) parts.push(sql<boolean>`w.status = 'listed' AND w.valid_until < ${f.expiredOn}::date`);
  if (f.orgId) parts.push(sql<boolean>`w.org_id = ${f.orgId}`);
  if (f.uscc) parts.push(sql<boolean>`w.uscc = ${f.uscc}`);
  if (f.category) parts.push(sql<boolean>`w.category = ${f.category}`);
  if (f.region) parts.push(sql<boolean>`s.region_code BETWEEN ${f.region.from} AND ${f.region.to}`);
  return sql.join(parts, sql` AND `);
}

const listSelect = sql`
  w.*, s.name AS subject_name, s.region_code, o.name_zh AS org_name, o.kind AS org_kind,
  u.display_name AS recommended_by_name
  FROM whitelist_entries w
  LEFT JOIN subjects s ON s.uscc = w.uscc
  LEFT JOIN organisations o ON o.id = w.org_id
  LEFT JOIN users u ON u.id = w.recommended_by`;

/** Newest first, a page at a time, with the total (whitelists hold thousands of entries, not millions). */
export async function listEntries(
  db: Db,
  f: WhitelistFilter,
): Promise<{ rows: WhitelistEntryListRow[]; total: number }> {
  const where = whereSql(f);
  const [rows, count] = await Promise.all([
    sql<WhitelistEntryListRow>`SELECT ${listSelect} WHERE ${where}
      ORDER BY w.id DESC LIMIT ${f.limit} OFFSET ${f.offset}`.execute(db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM whitelist_entries w
      LEFT JOIN subjects s ON s.uscc = w.uscc WHERE ${where}`.execute(db),
  ]);
  return { rows: rows.rows, total: count.rows[0]?.n ?? 0 };
}

export async function findEntry(db: Db, id: number): Promise<WhitelistEntryListRow | undefined> {
  const r = await sql<WhitelistEntryListRow>`SELECT ${listSelect} WHERE w.id = ${id}`.execute(db);
  return r.rows[0];
}

/** Every entry of one subject, newest first. */
export async function listSubjectEntries(db: Db, uscc: string): Promise<WhitelistEntryListRow[]> {
  const r = await sql<WhitelistEntryListRow>`SELECT ${listSelect} WHERE w.uscc = ${uscc}
    ORDER BY w.id DESC LIMIT 100`.execute(db);
  return r.rows;
}
