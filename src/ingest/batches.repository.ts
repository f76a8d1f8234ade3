import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { BatchesTable } from '../db/foundation.tables.ts';
import type { RowError } from '../records/record-store.service.ts';

type Db = Kysely<Database>;
export type BatchRow = Selectable<BatchesTable>;

export interface NewBatch {
  providerId: string;
  kindCode: string;
  source: string;
  format: string;
  filename: string | null;
  allOrNothing: boolean;
  catalogVersion: number | null;
}

export async function insertBatch(db: Db, b: NewBatch): Promise<number> {
  const r = await db
    .insertInto('batches')
    .values({
      provider_id: b.providerId,
      kind_code: b.kindCode,
      source: b.source,
      format: b.format,
      filename: b.filename,
      sha256: null,
      sm3: null,
      blob_path: null,
      status: 'receiving',
      all_or_nothing: b.allOrNothing,
      catalog_version: b.catalogVersion,
      error_code: null,
      error_message: null,
      started_at: new Date(),
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export interface BatchPatch {
  status?: string;
  format?: string;
  byteSize?: number;
  sha256?: string;
  sm3?: string;
  blobPath?: string;
  received?: number;
  accepted?: number;
  unchanged?: number;
  rejected?: number;
  errorCode?: string | null;
  errorMessage?: { zh: string; en: string } | null;
  finished?: boolean;
}

export async function updateBatch(db: Db, id: number, p: BatchPatch): Promise<void> {
  await db
    .updateTable('batches')
    .set({
      ...(p.status !== undefined ? { status: p.status } : {}),
      ...(p.format !== undefined ? { format: p.format } : {}),
      ...(p.byteSize !== undefined ? { byte_size: p.byteSize } : {}),
      ...(p.sha256 !== undefined ? { sha256: p.sha256 } : {}),
      ...(p.sm3 !== undefined ? { sm3: p.sm3 } : {}),
      ...(p.blobPath !== undefined ? { blob_path: p.blobPath } : {}),
      ...(p.received !== undefined ? { received: p.received } : {}),
      ...(p.accepted !== undefined ? { accepted: p.accepted } : {}),
      ...(p.unchanged !== undefined ? { unchanged: p.unchanged } : {}),
      ...(p.rejected !== undefined ? { rejected: p.rejected } : {}),
      ...(p.errorCode !== undefined ? { error_code: p.errorCode } : {}),
      ...(p.errorMessage !== undefined
        ? { error_message: p.errorMessage === null ? null : JSON.stringify(p.errorMessage) }
        : {}),
      ...(p.finished ? { finished_at: new Date() } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Adds a committed chunk's counts (chunks may commit out of order when written concurrently). */
export async function addBatchCounts(
  db: Db,
  id: number,
  d: { received: number; accepted: number; unchanged: number; rejected: number },
): Promise<void> {
  await db
    .updateTable('batches')
    .set((eb) => ({
      received: eb('received', '+', d.received),
      accepted: eb('accepted', '+', d.accepted),
      unchanged: eb('unchanged', '+', d.unchanged),
      rejected: eb('rejected', '+', d.rejected),
    }))
    .where('id', '=', id)
    .execute();
}

/** Row errors (and column warnings) of a batch, one statement per call whatever the count. */
export async function insertBatchErrors(db: Db, batchId: number, errors: RowError[]): Promise<void> {
  if (errors.length === 0) return;
  await sql`
    INSERT INTO batch_errors (batch_id, row_number, field, rule, value, message_zh, message_en)
    SELECT ${batchId}::bigint, e.row_number, e.field, e.rule, e.value, e.message_zh, e.message_en
    FROM unnest(
      ${errors.map((e) => e.row)}::int[],
      ${errors.map((e) => e.field)}::text[],
      ${errors.map((e) => e.rule)}::text[],
      ${errors.map((e) => e.value)}::text[],
      ${errors.map((e) => e.message.zh)}::text[],
      ${errors.map((e) => e.message.en)}::text[]
    ) AS e(row_number, field, rule, value, message_zh, message_en)`.execute(db);
}

export async function findBatch(db: Db, id: number): Promise<BatchRow | undefined> {
  return db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listBatches(
  db: Db,
  opts: { providerId?: string; kindCode?: string; beforeId?: number; limit: number },
): Promise<BatchRow[]> {
  let q = db.selectFrom('batches').selectAll();
  if (opts.providerId !== undefined) q = q.where('provider_id', '=', opts.providerId);
  if (opts.kindCode !== undefined) q = q.where('kind_code', '=', opts.kindCode);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export interface StoredRowError extends RowError {
  id: number;
}

/** A page of a batch's errors in row order (keyset on the error id within equal rows). */
export async function listBatchErrors(
  db: Db,
  batchId: number,
  opts: { afterRow?: number; afterId?: number; limit: number },
): Promise<StoredRowError[]> {
  let q = db
    .selectFrom('batch_errors')
    .select(['id', 'row_number', 'field', 'rule', 'value', 'message_zh', 'message_en'])
    .where('batch_id', '=', batchId);
  if (opts.afterRow !== undefined && opts.afterId !== undefined) {
    const { afterRow, afterId } = opts;
    q = q.where((eb) =>
      eb.or([
        eb('row_number', '>', afterRow),
        eb.and([eb('row_number', '=', afterRow), eb('id', '>', afterId)]),
      ]),
    );
  }
  const rows = await q.orderBy('row_number').orderBy('id').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    row: r.row_number,
    field: r.field,
    rule: r.rule,
    value: r.value,
    message: { zh: r.message_zh, en: r.message_en },
  }));
}

export async function countBatchErrors(db: Db, batchId: number): Promise<number> {
  const r = await db
    .selectFrom('batch_errors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('batch_id', '=', batchId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function findProvider(
  db: Db,
  id: string,
): Promise<{ id: string; kinds: string[]; status: string } | undefined> {
  return db.selectFrom('providers').select(['id', 'kinds', 'status']).where('id', '=', id).executeTakeFirst();
}
