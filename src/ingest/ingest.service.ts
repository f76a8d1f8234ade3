import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { AppContext } from '../app/context.ts';
import type { Actor } from '../access/actor.ts';
import { isEncryptedField, type FieldCrypto } from '../access/field-crypto.ts';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { Db } from '../db/database.ts';
import {
  applyRows,
  isRetryableWriteConflict,
  naturalKeyOf,
  type RowError,
  type StoreRow,
} from '../records/record-store.service.ts';
import { dialectName } from '../db/database.ts';
import { analyzeRecordStoreIfGrown, deferCommitFlush } from '../records/records.repository.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import { cleanSubjectNamePendingLists } from '../subjects/subjects.repository.ts';
import { storeBlob, type StoredBlob } from './blob-store.ts';
import {
  addBatchCounts,
  findBatch,
  findProvider,
  insertBatch,
  insertBatchErrors,
  listBatchErrors,
  listBatches,
  updateBatch,
  type BatchPatch,
  type BatchRow,
  type StoredRowError,
} from './batches.repository.ts';
import { createHeaderMatcher, type HeaderRow } from './headers.ts';
import {
  detectFormat,
  formatFromFilename,
  parseFile,
  type InputFormat,
  type ParsedRow,
  type ParseEvents,
} from './parsers/index.ts';
import { createRowValidator, printable, shownValue, type ValidatedRow } from './validate.ts';

/**
 * Batches (物理归集): a provider's upload becomes a batch. The flow (docs/ARCHITECTURE.md):
 * keep the raw bytes (blob + SHA-256 + SM3) → detect the format and encoding → find the header →
 * validate each row against the catalog → apply valid rows in chunks of 1,000 (one transaction each:
 * versions, ledger queue, subjects, row errors, progress) → outcome. With `allOrNothing` the whole
 * file is validated first (nothing written but errors and progress), and applied in one transaction
 * only when every row passed.
 */

export const batchSources = ['api', 'upload', 'cli', 'seed'] as const;
export type BatchSource = (typeof batchSources)[number];

/** Rows per write transaction. */
export const CHUNK_ROWS = 1000;
/** Errors kept in the outcome (the full list: GET /api/v1/batches/:id/errors). */
export const DEFAULT_ERROR_LIMIT = 100;

/**
 * On PGlite (no autovacuum), a batch that applied at least this many rows, and grew the record store
 * by a tenth, refreshes the planner's statistics when it ends (`analyzeRecordStoreIfGrown`).
 */
export const ANALYZE_AFTER_ROWS = 10_000;

/** Rules that are warnings about columns, not rejections of rows. */
export const warningRules = new Set(['unknown_column', 'duplicate_column', 'sheet_ignored']);

export interface BatchOutcome {
  batch: number;
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
}

export interface BatchProgress {
  batch: number;
  status: string;
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
}

interface CommonInput {
  providerId: string;
  kindCode: string;
  allOrNothing?: boolean;
  /** Errors returned in the outcome (default 100). */
  errorLimit?: number;
  /** Called after each chunk is committed (CLI progress bar); the pipeline waits for a returned promise. */
  onProgress?: (p: BatchProgress) => void | Promise<void>;
  /** Called once the batch row exists, before any row is read. */
  onBatchCreated?: (batchId: number) => void;
}

export interface IngestRowsInput extends CommonInput {
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;
  source: BatchSource;
  format?: string;
  filename?: string | null;
}

export interface IngestFileInput extends CommonInput {
  /** The bytes: a stream (HTTP body, upload) or a path on disk (CLI). */
  stream?: Readable | AsyncIterable<Buffer | Uint8Array | string>;
  path?: string;
  filename?: string | null;
  format?: InputFormat;
  source?: BatchSource;
}

/** What ingestion needs of the application context (the CLI, seed and benchmark pass the whole one). */
export type IngestContext = Pick<AppContext, 'db' | 'config' | 'catalog'> & {
  /** Encrypts natural persons' ID numbers at rest (SM4); absent only in bare benchmarks. */
  fieldCrypto?: FieldCrypto;
};

// ---- the catalog ----

/** The kind as the newest catalog version defines it, with that version's number. */
export async function resolveKind(
  ctx: IngestContext,
  kindCode: string,
): Promise<{ kind: CatalogKind; catalogVersion: number }> {
  const { kind, catalogVersion } = await ctx.catalog.getKindEntry(kindCode);
  return { kind, catalogVersion };
}

// ---- entry points ----

/**
 * Ingests rows given as objects (seed generator, API helpers, tests). The rows are written to the
 * blob store as NDJSON first (the raw input is kept like any upload), then processed like a file;
 * a row's number is its position in `rows`, from 1.
 */
export async function ingestRows(ctx: IngestContext, input: IngestRowsInput): Promise<BatchOutcome> {
  async function* ndjson(): AsyncGenerator<string> {
    let buf = '';
    let n = 0;
    for await (const r of input.rows as AsyncIterable<Record<string, unknown>>) {
      n++;
      let line: string;
      try {
        line = JSON.stringify(r);
      } catch (e) {
        // A value nested thousands deep (the records API parses any depth) overflows the stack.
        if (!(e instanceof RangeError)) throw e;
        throw new AppError('validation_failed', {
          detail: `第 ${n} 条记录嵌套层数过多 / record ${n} is nested too deeply`,
        });
      }
      buf += `${line}\n`;
      if (buf.length > 65536) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  return ingest(ctx, {
    ...input,
    source: input.source,
    filename: input.filename ?? null,
    format: 'ndjson',
    batchFormat: input.format ?? 'rows',
    bytes: ndjson(),
  });
}

/** Ingests a file (a stream or a path): CSV, NDJSON, JSON or XLSX. */
export async function ingestFile(ctx: IngestContext, input: IngestFileInput): Promise<BatchOutcome> {
  const bytes = input.stream ?? (input.path ? fs.createReadStream(input.path) : undefined);
  if (!bytes) throw new Error('ingestFile: stream or path required');
  const filename = input.filename ?? (input.path ? input.path.split(/[\\/]/).pop()! : null);
  return ingest(ctx, {
    ...input,
    source: input.source ?? 'upload',
    filename,
    format: input.format ?? formatFromFilename(filename),
    batchFormat: undefined,
    bytes,
  });
}

// ---- the pipeline ----

interface PipelineInput extends CommonInput {
  source: BatchSource;
  filename: string | null;
  format: InputFormat | undefined;
  /** What `batches.format` says when not the detected format ('rows' for ingestRows). */
  batchFormat: string | undefined;
  bytes: Readable | AsyncIterable<Buffer | Uint8Array | string>;
}

class Counters {
  received = 0;
  accepted = 0;
  unchanged = 0;
  rejected = 0;
  patch(): BatchPatch {
    return {
      received: this.received,
      accepted: this.accepted,
      unchanged: this.unchanged,
      rejected: this.rejected,
    };
  }
}

async function ingest(ctx: IngestContext, input: PipelineInput): Promise<BatchOutcome> {
  const { kind, catalogVersion } = await resolveKind(ctx, input.kindCode);
  if (kind.share_mode === 'pull') throw new AppError('kind_not_pushable', { kind: kind.code });
  const allOrNothing = input.allOrNothing ?? false;
  const batchId = await insertBatch(ctx.db, {
    providerId: input.providerId,
    kindCode: kind.code,
    source: input.source,
    format: input.batchFormat ?? input.format ?? 'unknown',
    filename: input.filename === null ? null : printable(input.filename),
    allOrNothing,
    catalogVersion,
  });
  input.onBatchCreated?.(batchId);
  const counters = new Counters();
  const errorLimit = input.errorLimit ?? DEFAULT_ERROR_LIMIT;
  const shown: RowError[] = [];
  const outcome = (): BatchOutcome => ({
    batch: batchId,
    received: counters.received,
    accepted: counters.accepted,
    unchanged: counters.unchanged,
    rejected: counters.rejected,
    errors: shown,
  });
  let anyApplied = false;

  try {
    const blob = await storeBlob(ctx.config.dataDir, input.bytes, ctx.config.uploadLimitBytes);
    const format = detectFormat(blob.head, input.format);
    await updateBatch(ctx.db, batchId, {
      status: allOrNothing ? 'validating' : 'running',
      byteSize: blob.byteSize,
      sha256: blob.sha256,
      sm3: blob.sm3,
      blobPath: blob.relativePath,
      ...(input.batchFormat ? {} : { format }),
    });

    const protect = createProtector(kind, ctx.fieldCrypto);
    const run: RunState = {
      ctx,
      kind,
      catalogVersion,
      input,
      batchId,
      counters,
      shown,
      errorLimit,
      blob,
      format,
      protect,
    };
    if (!allOrNothing) {
      await processRows(run, 'apply', () => {
        anyApplied = true;
      });
    } else {
      await processRows(run, 'validate');
      if (counters.rejected > 0) {
        await updateBatch(ctx.db, batchId, {
          ...counters.patch(),
          status: 'rejected',
          errorCode: 'batch_rejected',
          finished: true,
        });
        throw new AppError('batch_rejected', { count: counters.rejected }, { ...outcome() });
      }
      await updateBatch(ctx.db, batchId, { status: 'applying' });
      const storeErrors = await applyAllOrNothing(run);
      if (storeErrors) {
        counters.accepted = 0;
        counters.unchanged = 0;
        counters.rejected = new Set(storeErrors.map((e) => e.row)).size;
        shown.splice(0, shown.length, ...storeErrors.slice(0, errorLimit));
        await insertBatchErrors(ctx.db, batchId, storeErrors);
        await updateBatch(ctx.db, batchId, {
          ...counters.patch(),
          status: 'rejected',
          errorCode: 'batch_rejected',
          finished: true,
        });
        throw new AppError('batch_rejected', { count: counters.rejected }, { ...outcome() });
      }
    }
    // Best effort: without it (e.g. a database role that does not own the index) the lists are
    // merged anyway when they reach their 1 MB limit, or by autovacuum.
    if (counters.accepted > 0) await cleanSubjectNamePendingLists(ctx.db).catch(() => undefined);
    if (counters.accepted >= ANALYZE_AFTER_ROWS && dialectName(ctx.db) === 'pglite') {
      await analyzeRecordStoreIfGrown(ctx.db, counters.accepted);
    }
    await updateBatch(ctx.db, batchId, { ...counters.patch(), status: 'completed', finished: true });
    input.onProgress?.({ batch: batchId, status: 'completed', ...counters.patch() } as BatchProgress);
    return outcome();
  } catch (e) {
    if (isAppError(e) && e.code === 'batch_rejected') throw e;
    const app = isAppError(e) ? e : undefined;
    if (anyApplied) await cleanSubjectNamePendingLists(ctx.db).catch(() => undefined);
    // A file-level problem before any row was applied rejects the batch; after some chunks were
    // applied (a malformed line deep in a file, default mode) the batch is marked failed and the
    // outcome says how many rows were applied.
    await updateBatch(ctx.db, batchId, {
      ...counters.patch(),
      status: app && !anyApplied ? 'rejected' : 'failed',
      errorCode: app?.code ?? 'internal',
      errorMessage: app
        ? { zh: app.messageZh, en: app.messageEn }
        : { zh: '服务器内部错误', en: 'Internal error' },
      finished: true,
    }).catch(() => undefined);
    // The problem body carries the outcome so far (batch id, counts), whatever went wrong.
    if (app) {
      (app as { details: Record<string, unknown> | undefined }).details = {
        ...(app.details ?? {}),
        ...outcome(),
      };
    }
    throw e;
  }
}

interface RunState {
  ctx: IngestContext;
  kind: CatalogKind;
  catalogVersion: number;
  input: PipelineInput;
  batchId: number;
  counters: Counters;
  shown: RowError[];
  errorLimit: number;
  blob: StoredBlob;
  format: InputFormat;
  /** Encrypts personal ID numbers (cached per batch). */
  protect: (data: Record<string, unknown>) => Record<string, unknown>;
}

function parseEvents(run: RunState, warnings: RowError[]): ParseEvents {
  const { kind } = run;
  return {
    onHeader(row: number, header: HeaderRow) {
      for (const u of header.unknown) {
        const shown = shownValue(u.header)!; // cut to 200 characters, like values
        warnings.push({
          row,
          field: shown,
          rule: 'unknown_column',
          value: null,
          message: {
            zh: `第 ${u.index + 1} 列“${shown}”不是该信息项的字段，已忽略`,
            en: `column ${u.index + 1} "${shown}" is not a field of this kind and was ignored`,
          },
        });
      }
      for (const d of header.duplicate) {
        const shown = shownValue(d.header)!;
        warnings.push({
          row,
          field: d.field,
          rule: 'duplicate_column',
          value: shown,
          message: {
            zh: `第 ${d.index + 1} 列“${shown}”与前面的列重复，已忽略`,
            en: `column ${d.index + 1} "${shown}" repeats an earlier column and was ignored`,
          },
        });
      }
      const present = new Set(header.columns.filter((c): c is string => c !== undefined));
      const missing = kind.fields.filter(
        (f) =>
          (f.required || f.code === kind.subject_field || kind.natural_key.includes(f.code)) &&
          !present.has(f.code),
      );
      // A withdrawal file needs only the key columns; anything else must carry every required column.
      const keyOnly = present.has('_op');
      const reallyMissing = keyOnly
        ? missing.filter((f) => f.code === kind.subject_field || kind.natural_key.includes(f.code))
        : missing;
      if (reallyMissing.length) {
        throw new AppError('columns_missing', {
          row,
          columns: reallyMissing.map((f) => f.label_zh).join('、'),
          columns_en: reallyMissing.map((f) => f.code).join(', '),
        });
      }
    },
    onFirstObject(_row: number, present: Set<string>) {
      const fields = [...present].filter((c) => !c.startsWith('_')).length;
      if (fields < Math.min(2, kind.fields.length)) throw new AppError('header_missing', { kind: kind.code });
    },
    onWarning(w: RowError) {
      warnings.push(w);
    },
  };
}

/**
 * One pass over the stored file. 'apply': valid rows are written chunk by chunk, each chunk in its
 * own transaction together with its row errors and the batch's progress. 'validate': nothing but
 * row errors and progress is written.
 */
async function processRows(run: RunState, mode: 'apply' | 'validate', onApplied?: () => void): Promise<void> {
  const { ctx, kind, counters, batchId } = run;
  const validate = createRowValidator(kind);
  const warnings: RowError[] = [];
  const matcher = createHeaderMatcher(kind);
  const rows = parseFile(
    { path: run.blob.path, size: run.blob.byteSize, head: run.blob.head },
    run.format,
    matcher,
    kind.code,
    parseEvents(run, warnings),
  );
  // The chunk being filled; `received` and `rejected` count its rows as read and as refused by
  // validation. `counters` move only when a chunk commits, so the batch row always describes
  // exactly what is in the database.
  let chunk: Chunk = { rows: [], errors: [], received: 0, rejected: 0 };
  let seen = 0;
  // PostgreSQL: three chunks are written at once while the next is read, so that the database keeps
  // both cores busy while one chunk waits for its commit (measured at 200,000 rows: 2 writers
  // 16,400–20,700 rows/s, 3 writers 25,500–27,900 at the same load; 4 no better than 3). PGlite
  // has one connection, so one. Chunks in flight together never share a record, so rows of one
  // record still apply in file order.
  const writers = mode === 'apply' && dialectName(ctx.db) === 'postgres' ? 3 : 1;

  const flush = async (c: Chunk) => {
    const errors = [...c.errors];
    if (mode === 'apply') {
      const d = { received: c.received, accepted: 0, unchanged: 0, rejected: c.rejected };
      await ctx.db.transaction().execute(async (trx) => {
        await deferCommitFlush(trx);
        if (c.rows.length) {
          const r = await applyRows(trx, {
            lock: writers === 1,
            kind,
            providerId: run.input.providerId,
            batchId,
            catalogVersion: run.catalogVersion,
            rows: c.rows,
          });
          d.accepted = r.accepted;
          d.unchanged = r.unchanged;
          d.rejected += new Set(r.rejected.map((e) => e.row)).size;
          errors.push(...r.rejected);
        }
        await insertBatchErrors(trx, batchId, errors);
        await addBatchCounts(trx, batchId, d);
      });
      counters.received += d.received;
      counters.accepted += d.accepted;
      counters.unchanged += d.unchanged;
      counters.rejected += d.rejected;
      if (c.rows.length) onApplied?.();
    } else {
      await insertBatchErrors(ctx.db, batchId, errors);
      counters.received += c.received;
      counters.rejected += c.rejected;
      await updateBatch(ctx.db, batchId, counters.patch());
    }
    keepShown(run, errors);
    await run.input.onProgress?.({
      batch: batchId,
      status: mode === 'apply' ? 'running' : 'validating',
      ...counters.patch(),
    } as BatchProgress);
  };

  /** A chunk that met a concurrent writer (another batch of the kind) runs again, up to 5 times. */
  const flushWithRetry = async (c: Chunk) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await flush(c);
      } catch (e) {
        if (attempt >= 5 || !isRetryableWriteConflict(e)) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  };

  const cut = (): Chunk => {
    const c = chunk;
    c.errors = [...warnings.splice(0), ...c.errors];
    chunk = { rows: [], errors: [], received: 0, rejected: 0 };
    return c;
  };

  const subjectField = kind.subject_field;
  const keysOf = (c: Chunk) =>
    new Set(c.rows.map((r) => `${String(r.data[subjectField])}\u0000${naturalKeyOf(kind, r.data)}`));
  const inflight: { keys: Set<string>; done: Promise<void> }[] = [];
  const dispatch = async (c: Chunk) => {
    const keys = writers > 1 ? keysOf(c) : new Set<string>();
    for (const f of [...inflight]) {
      if ([...keys].some((k) => f.keys.has(k))) await f.done;
    }
    while (inflight.length >= writers) await Promise.race(inflight.map((f) => f.done));
    const entry = { keys, done: flushWithRetry(c) };
    inflight.push(entry);
    const remove = () => inflight.splice(inflight.indexOf(entry), 1);
    entry.done.then(remove, remove); // also keeps a failure from being "unhandled" until awaited
  };

  try {
    for await (const pr of rows) {
      seen++;
      chunk.received++;
      const v = pr.extra
        ? { ok: false as const, errors: [extraCellError(pr.row, pr.extra)] }
        : validate(pr.row, pr.values);
      if (v.ok) chunk.rows.push(toStoreRow(v.value, run));
      else {
        chunk.rejected++;
        chunk.errors.push(...v.errors);
      }
      if (chunk.received >= CHUNK_ROWS) await dispatch(cut());
    }
    if (chunk.received > 0 || warnings.length > 0) await dispatch(cut());
    while (inflight.length) await inflight[0]!.done;
  } finally {
    await Promise.allSettled(inflight.map((f) => f.done));
  }
  if (seen === 0) throw new AppError('file_empty');
}

/** A row with a cell outside the header's named columns (see ParsedRow.extra). */
function extraCellError(row: number, extra: NonNullable<ParsedRow['extra']>): RowError {
  const shown = shownValue(extra.value);
  return {
    row,
    field: null,
    rule: 'extra_cells',
    value: shown,
    message: {
      zh: `第 ${extra.index + 1} 列没有表头，却有内容“${shown}”：可能是值中含有未加引号的分隔符（逗号），该行未导入`,
      en: `column ${extra.index + 1} has no header but holds "${shown}": perhaps a delimiter (comma) inside an unquoted value; the row was not applied`,
    },
  };
}

interface Chunk {
  rows: StoreRow[];
  errors: RowError[];
  received: number;
  rejected: number;
}

/** Natural persons' ID numbers are stored encrypted (deterministic SM4, so digests stay stable). */
function toStoreRow(v: ValidatedRow, run: RunState): StoreRow {
  return { row: v.row, data: run.protect(v.data), op: v.op, reason: v.reason };
}

/**
 * `fieldCrypto.protectRecordData` for one batch, remembering the encrypted form of values already
 * seen: the encryption is deterministic, and the same person (a legal representative, a debtor)
 * recurs across a department's rows. SM4-GCM in JavaScript costs more per row than the rest of
 * validation; the cache is bounded (cleared at 50,000 entries).
 */
function createProtector(kind: CatalogKind, fieldCrypto: FieldCrypto | undefined) {
  const codes = fieldCrypto ? kind.fields.filter(isEncryptedField).map((f) => f.code) : [];
  if (!fieldCrypto || codes.length === 0) return (data: Record<string, unknown>) => data;
  const cache = new Map<string, Record<string, unknown>>();
  return (data: Record<string, unknown>): Record<string, unknown> => {
    let key = '';
    let any = false;
    for (const c of codes) {
      const v = data[c];
      if (v !== undefined) any = true;
      key += `${typeof v === 'string' ? v : JSON.stringify(v ?? null)}\u0001`;
    }
    if (!any) return data;
    let sealed = cache.get(key);
    if (!sealed) {
      const part: Record<string, unknown> = {};
      for (const c of codes) if (data[c] !== undefined) part[c] = data[c];
      sealed = fieldCrypto.protectRecordData(kind, part);
      if (cache.size >= 50_000) cache.clear();
      cache.set(key, sealed);
    }
    const out: Record<string, unknown> = {};
    for (const k in data) out[k] = k in sealed ? sealed[k] : data[k];
    return out;
  };
}

function keepShown(run: RunState, errors: RowError[]): void {
  for (const e of errors) {
    if (run.shown.length >= run.errorLimit) return;
    run.shown.push(e);
  }
}

class Rollback extends Error {}

/**
 * All-or-nothing, second pass: every row passed validation, so apply them all in one transaction.
 * If the store refuses any row (another provider's record, nothing to withdraw…), roll back and
 * return the refusals.
 */
async function applyAllOrNothing(run: RunState): Promise<RowError[] | undefined> {
  const { ctx, kind, counters, batchId } = run;
  const validate = createRowValidator(kind);
  const matcher = createHeaderMatcher(kind);
  const refused: RowError[] = [];
  const warnings: RowError[] = [];
  counters.accepted = 0;
  counters.unchanged = 0;
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const rows = parseFile(
        { path: run.blob.path, size: run.blob.byteSize, head: run.blob.head },
        run.format,
        matcher,
        kind.code,
        parseEvents(run, warnings),
      );
      let chunk: StoreRow[] = [];
      const flush = async () => {
        const r = await applyRows(trx, {
          kind,
          providerId: run.input.providerId,
          batchId,
          catalogVersion: run.catalogVersion,
          rows: chunk,
        });
        chunk = [];
        counters.accepted += r.accepted;
        counters.unchanged += r.unchanged;
        refused.push(...r.rejected);
        run.input.onProgress?.({ batch: batchId, status: 'applying', ...counters.patch() } as BatchProgress);
      };
      for await (const pr of rows) {
        const v = validate(pr.row, pr.values);
        if (!v.ok || pr.extra) {
          throw new Error(`row ${pr.row} passed validation once and failed the second time`);
        }
        chunk.push(toStoreRow(v.value, run));
        if (chunk.length >= CHUNK_ROWS) await flush();
      }
      if (chunk.length) await flush();
      if (refused.length) throw new Rollback();
      await updateBatch(trx as unknown as Db, batchId, counters.patch());
    });
  } catch (e) {
    if (e instanceof Rollback) return refused;
    throw e;
  }
  return undefined;
}

// ---- the service behind routes and the CLI: who may push what, who sees which batch ----

export interface BatchView {
  id: number;
  providerId: string;
  kindCode: string;
  source: string;
  format: string;
  filename: string | null;
  byteSize: number;
  sha256: string | null;
  sm3: string | null;
  status: string;
  allOrNothing: boolean;
  catalogVersion: number | null;
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  errorCode: string | null;
  errorMessage: { zh: string; en: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface PushInput {
  kindCode: string;
  /** Operators (and the CLI) push on behalf of a provider; default: the kind's first responsible provider. */
  providerId?: string | undefined;
  allOrNothing?: boolean | undefined;
  filename?: string | null | undefined;
  format?: InputFormat | undefined;
  source: BatchSource;
  errorLimit?: number | undefined;
  onProgress?: ((p: BatchProgress) => void | Promise<void>) | undefined;
}

export interface IngestService {
  /** A file or request body (stream). */
  pushFile(actor: Actor, input: PushInput & { stream?: Readable; path?: string }): Promise<BatchOutcome>;
  /** Rows as objects (the records correct / withdraw API). */
  pushRows(
    actor: Actor,
    input: PushInput & { rows: Iterable<Record<string, unknown>> },
  ): Promise<BatchOutcome>;
  /** Corrects or withdraws records through the same pipeline (a batch of `_op` rows). */
  changeRecords(
    actor: Actor,
    input: {
      op: 'correct' | 'withdraw' | 'restore';
      kindCode: string;
      providerId?: string | undefined;
      reason: string;
      records: Record<string, unknown>[];
      allOrNothing?: boolean | undefined;
    },
  ): Promise<BatchOutcome>;
  listBatches(
    actor: Actor,
    opts: { kindCode?: string; beforeId?: number; limit?: number },
  ): Promise<BatchView[]>;
  getBatch(actor: Actor, id: number): Promise<BatchView>;
  /** A page of the batch's errors in row order (`after`: the last error id of the previous page). */
  listErrors(
    actor: Actor,
    id: number,
    opts: { afterRow?: number; afterId?: number; limit: number },
  ): Promise<StoredRowError[]>;
}

function iso(d: Date | string | null): string | null {
  if (d === null) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

export function toBatchView(b: BatchRow): BatchView {
  const msg = b.error_message as unknown;
  return {
    id: Number(b.id),
    providerId: b.provider_id,
    kindCode: b.kind_code,
    source: b.source,
    format: b.format,
    filename: b.filename,
    byteSize: Number(b.byte_size),
    sha256: b.sha256,
    sm3: b.sm3,
    status: b.status,
    allOrNothing: b.all_or_nothing,
    catalogVersion: b.catalog_version,
    received: b.received,
    accepted: b.accepted,
    unchanged: b.unchanged,
    rejected: b.rejected,
    errorCode: b.error_code,
    errorMessage: (typeof msg === 'string' ? JSON.parse(msg) : msg) as BatchView['errorMessage'],
    createdAt: iso(b.created_at as unknown as Date)!,
    startedAt: iso(b.started_at as unknown as Date | null),
    finishedAt: iso(b.finished_at as unknown as Date | null),
  };
}

/** Only the provider itself and operators (and the platform's own CLI) see a batch. */
function canSeeBatch(actor: Actor, b: BatchRow): boolean {
  if (actor.type === 'system' || actor.type === 'operator') return true;
  return actor.type === 'provider' && (actor.orgId ?? actor.id) === b.provider_id;
}

export function createIngestService(ctx: IngestContext): IngestService {
  /** Which provider a push is filed under, and whether the actor may push this kind for it. */
  async function providerFor(actor: Actor, kindCode: string, requested: string | undefined): Promise<string> {
    if (actor.type === 'provider') {
      const own = actor.orgId ?? actor.id;
      if (requested && requested !== own) throw new AppError('forbidden');
      const provider = await findProvider(ctx.db, own);
      if (!provider || provider.status !== 'active' || !provider.kinds.includes(kindCode)) {
        // An unknown kind is reported as such (400) rather than hidden behind 403.
        await resolveKind(ctx, kindCode);
        throw new AppError('kind_not_assigned', { provider: own, kind: kindCode });
      }
      return own;
    }
    if (actor.type === 'operator' || actor.type === 'system') {
      const { kind } = await resolveKind(ctx, kindCode);
      if (requested && actor.type === 'operator') {
        // As for a provider pushing itself: an operator's typo would otherwise file records under a
        // provider that does not exist, or is not responsible for the kind, and that can never correct them.
        const provider = await findProvider(ctx.db, requested);
        if (!provider || provider.status !== 'active' || !provider.kinds.includes(kind.code)) {
          throw new AppError('kind_not_assigned', { provider: requested, kind: kind.code });
        }
      }
      return requested ?? kind.providers[0]!.id;
    }
    throw new AppError('forbidden');
  }

  async function visibleBatch(actor: Actor, id: number): Promise<BatchRow> {
    const b = await findBatch(ctx.db, id);
    if (!b || !canSeeBatch(actor, b)) throw new AppError('batch_not_found', { id });
    return b;
  }

  return {
    async pushFile(actor, input) {
      const providerId = await providerFor(actor, input.kindCode, input.providerId);
      return ingestFile(ctx, {
        providerId,
        kindCode: input.kindCode,
        allOrNothing: input.allOrNothing ?? false,
        filename: input.filename ?? null,
        format: input.format,
        source: input.source,
        ...(input.stream ? { stream: input.stream } : {}),
        ...(input.path ? { path: input.path } : {}),
        ...(input.errorLimit ? { errorLimit: input.errorLimit } : {}),
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      });
    },
    async pushRows(actor, input) {
      const providerId = await providerFor(actor, input.kindCode, input.providerId);
      return ingestRows(ctx, {
        providerId,
        kindCode: input.kindCode,
        rows: input.rows,
        source: input.source,
        allOrNothing: input.allOrNothing ?? false,
        ...(input.errorLimit ? { errorLimit: input.errorLimit } : {}),
      });
    },
    async changeRecords(actor, input) {
      const providerId = await providerFor(actor, input.kindCode, input.providerId);
      return ingestRows(ctx, {
        providerId,
        kindCode: input.kindCode,
        rows: input.records.map((r) => ({ ...r, _op: input.op, _reason: input.reason })),
        source: 'api',
        format: input.op,
        allOrNothing: input.allOrNothing ?? true,
      });
    },
    async listBatches(actor, opts) {
      let providerId: string | undefined;
      if (actor.type === 'provider') providerId = actor.orgId ?? actor.id;
      else if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden');
      const rows = await listBatches(ctx.db, {
        ...(providerId !== undefined ? { providerId } : {}),
        ...(opts.kindCode ? { kindCode: opts.kindCode } : {}),
        ...(opts.beforeId ? { beforeId: opts.beforeId } : {}),
        limit: Math.min(opts.limit ?? 50, 500),
      });
      return rows.map(toBatchView);
    },
    async getBatch(actor, id) {
      return toBatchView(await visibleBatch(actor, id));
    },
    async listErrors(actor, id, opts) {
      await visibleBatch(actor, id);
      return listBatchErrors(ctx.db, id, opts);
    },
  };
}
