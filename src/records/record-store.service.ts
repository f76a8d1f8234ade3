import type { Kysely } from 'kysely';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { Database } from '../db/schema.ts';
import { leafHashesOfTextsBase64, ledgerQueueBypassed, noteQueuedEntries } from '../ledger/ledger-queue.ts';
import { ensureSubjects, type SubjectTouch } from '../subjects/subjects.service.ts';
import { canonicalJson } from './canonical.ts';
import { hash } from 'node:crypto';
import {
  findHeads,
  findLatestData,
  insertVersions,
  lockKindForWrite,
  reserveIds,
  type NewVersionRow,
  type RecordHead,
} from './records.repository.ts';
import { subjectTouchFor } from './subject-touch.ts';
import {
  publicityComputer,
  realDay,
  type PublicityRulesDoc,
  type StoredPublicityFacts,
} from '../rights/publicity/publicity-compute.ts';
import { lockPublicityRulesForWrite } from '../rights/publicity/publicity.repository.ts';

/**
 * The record store: turns validated rows into append-only versions.
 *
 * - A record's identity is (subject uscc, kind, natural key); it is written once.
 * - Every change is a new row in `record_versions`; nothing is updated or deleted.
 * - An identical re-send (same canonical data digest) is `unchanged`: no version, no ledger entry.
 * - Each new version is queued for the ledger in the same transaction.
 */

/** What a row asks for. `upsert` (default): create or, when the data changed, a new version. */
export const rowOps = ['upsert', 'correct', 'withdraw', 'restore'] as const;
export type RowOp = (typeof rowOps)[number];

export interface StoreRow {
  /** Row number as the provider sees it (spreadsheet row / CSV line). */
  row: number;
  /** Validated values by field code (empty values omitted). */
  data: Record<string, unknown>;
  op?: RowOp;
  /** Required for correct, withdraw and restore. */
  reason?: string | null;
}

export interface RowError {
  row: number;
  field: string | null;
  rule: string;
  value: string | null;
  message: { zh: string; en: string };
}

export type RowResult = 'created' | 'updated' | 'corrected' | 'withdrawn' | 'restored' | 'unchanged';

export interface ApplyRowsInput {
  /**
   * Take the per-kind write lock (default). Ingestion on PostgreSQL writes two chunks at once
   * without it, keeps the two chunks' keys disjoint and retries a chunk that meets a concurrent
   * writer (`isRetryableWriteConflict`).
   */
  lock?: boolean;
  kind: CatalogKind;
  providerId: string;
  batchId: number | null;
  catalogVersion: number;
  rows: StoreRow[];
}

export interface ApplyRowsResult {
  /** Rows that became a new version. */
  accepted: number;
  unchanged: number;
  /** Rows the store refused (unknown record to withdraw, another provider's record…). */
  rejected: RowError[];
  /** Per accepted or unchanged row, in input order. */
  results: { row: number; result: RowResult; recordId: number; version: number }[];
}

/**
 * Conflicts that a fresh attempt resolves: unique violations (another transaction created the same
 * identity or version meanwhile), deadlocks, serialisation failures.
 */
export function isRetryableWriteConflict(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === '40P01' || code === '40001';
}

/** The natural key text of a row: the value itself for one field, a JSON array for several. */
export function naturalKeyOf(kind: CatalogKind, data: Record<string, unknown>): string {
  const parts = kind.natural_key.map((f) => {
    const v = data[f];
    return v === undefined || v === null ? '' : String(v);
  });
  return parts.length === 1 ? parts[0]! : JSON.stringify(parts);
}

interface Head {
  recordId: number | null;
  /** Position among the chunk's new identities (its reserved id) when created in this chunk. */
  pendingIndex: number;
  providerId: string;
  version: number;
  status: string;
  digest: string;
  /** Known data (set when written in this chunk or fetched for withdraw/restore). */
  data?: Record<string, unknown>;
}

interface PendingVersion extends Omit<
  NewVersionRow,
  'id' | 'recordId' | 'leafHash' | 'publicity' | 'createsRecord'
> {
  head: Head;
  row: number;
  result: RowResult;
  data: Record<string, unknown>;
}

const opResult: Record<RowOp, RowResult> = {
  upsert: 'updated',
  correct: 'corrected',
  withdraw: 'withdrawn',
  restore: 'restored',
};

function reject(row: number, rule: string, zh: string, en: string, value: string | null = null): RowError {
  return { row, field: null, rule, value, message: { zh, en } };
}

/** SHA-256 (hex) of a canonical data text (one-shot: no Hash object per row). */
function digestOf(json: string): string {
  return hash('sha256', json, 'hex');
}

/** The facts of a record version's ledger entry (docs/decisions/0030). */
export interface RecordVersionEntry {
  versionId: number;
  recordId: number;
  uscc: string;
  kind: string;
  naturalKey: string;
  version: number;
  op: string;
  status: string;
  dataDigest: string;
  catalogVersion: number;
}

/**
 * The canonical leaf text of a record version's ledger entry, written out directly: it equals
 * `canonicalEntry` of the entry `{type: 'record_version', ref: record_versions/id, uscc, payload:
 * {record_id, uscc, kind, natural_key, version, op, status, data_digest, catalog_version}}` (members
 * in canonical order; tested against it), at a third of the cost for a million rows.
 */
export function recordVersionEntryText(e: RecordVersionEntry): string {
  const uscc = JSON.stringify(e.uscc);
  return (
    `{"payload":{"catalog_version":${e.catalogVersion},"data_digest":${JSON.stringify(e.dataDigest)},` +
    `"kind":${JSON.stringify(e.kind)},"natural_key":${JSON.stringify(e.naturalKey)},"op":${JSON.stringify(e.op)},` +
    `"record_id":${e.recordId},"status":${JSON.stringify(e.status)},"uscc":${uscc},"version":${e.version}},` +
    `"ref":{"id":"${e.versionId}","table":"record_versions"},"type":"record_version","uscc":${uscc},"v":1}`
  );
}

/**
 * Applies one chunk of validated rows of one kind inside the caller's transaction: one query for the
 * existing identities and their latest digests, one that reserves ids, one or two for the subjects,
 * and one that creates the new identities, appends the versions and queues their ledger entries.
 * Rows of the same record within a chunk are applied in order. Callers pass chunks of about 1,000
 * rows.
 */
export async function applyRows(trx: Kysely<Database>, input: ApplyRowsInput): Promise<ApplyRowsResult> {
  const { kind, providerId } = input;
  const out: ApplyRowsResult = { accepted: 0, unchanged: 0, rejected: [], results: [] };
  if (input.rows.length === 0) return out;

  const subjectField = kind.subject_field;
  const keyed = input.rows.map((r) => {
    const uscc = String(r.data[subjectField] ?? '');
    return { r, uscc, naturalKey: naturalKeyOf(kind, r.data), mapKey: '' };
  });
  for (const k of keyed) k.mapKey = `${k.uscc}\u0000${k.naturalKey}`;

  if (input.lock !== false) await lockKindForWrite(trx, kind.code);
  const distinct = new Map<string, { uscc: string; naturalKey: string }>();
  for (const k of keyed) distinct.set(k.mapKey, { uscc: k.uscc, naturalKey: k.naturalKey });
  const existing: RecordHead[] = await findHeads(trx, kind.code, [...distinct.values()]);
  const heads = new Map<string, Head>();
  for (const h of existing) {
    heads.set(`${h.uscc}\u0000${h.naturalKey}`, {
      recordId: h.recordId,
      pendingIndex: -1,
      providerId: h.providerId,
      version: h.version,
      status: h.status,
      digest: h.dataDigest,
    });
  }

  // Withdrawals and restores carry the data of the version they change: fetch it in one query.
  const needData = keyed
    .filter((k) => k.r.op === 'withdraw' || k.r.op === 'restore')
    .map((k) => heads.get(k.mapKey)?.recordId)
    .filter((id): id is number => typeof id === 'number');
  if (needData.length) {
    const data = await findLatestData(trx, [...new Set(needData)]);
    for (const h of heads.values()) {
      if (h.recordId !== null && data.has(h.recordId)) h.data = data.get(h.recordId);
    }
  }

  let newIdentities = 0;
  const pending: PendingVersion[] = [];
  const unchangedRows: { row: number; head: Head; version: number }[] = [];
  const touches: SubjectTouch[] = [];

  for (const { r, uscc, naturalKey, mapKey } of keyed) {
    const op: RowOp = r.op ?? 'upsert';
    const reason = r.reason?.trim() || null;
    let head = heads.get(mapKey);
    if (head && head.providerId !== providerId) {
      out.rejected.push(
        reject(
          r.row,
          'record_owner',
          `该记录由其他数据提供单位（${head.providerId}）报送，不能由本单位变更`,
          `this record belongs to another provider (${head.providerId}) and cannot be changed by this one`,
          naturalKey,
        ),
      );
      continue;
    }
    if (op !== 'upsert' && !reason) {
      out.rejected.push(
        reject(
          r.row,
          'reason_required',
          '更正、撤销或恢复须填写原因',
          'a reason is required to correct, withdraw or restore',
        ),
      );
      continue;
    }
    if (!head) {
      if (op !== 'upsert') {
        out.rejected.push(
          reject(
            r.row,
            'record_not_found',
            `要${op === 'correct' ? '更正' : op === 'withdraw' ? '撤销' : '恢复'}的记录不存在（${naturalKey}）`,
            `no such record to ${op} (${naturalKey})`,
            naturalKey,
          ),
        );
        continue;
      }
      const dataJson = canonicalJson(r.data);
      head = {
        recordId: null,
        pendingIndex: newIdentities++,
        providerId,
        version: 1,
        status: 'active',
        digest: digestOf(dataJson),
        data: r.data,
      };
      heads.set(mapKey, head);
      pending.push(
        version(
          head,
          r.row,
          uscc,
          naturalKey,
          'create',
          'active',
          dataJson,
          head.digest,
          r.data,
          null,
          'created',
        ),
      );
      touches.push(subjectTouchFor(kind, uscc, r.data));
      continue;
    }

    // An existing record (or one created earlier in this chunk).
    let status = head.status;
    let data = r.data;
    let dataJson: string;
    let digest: string;
    if (op === 'withdraw' || op === 'restore') {
      const target = op === 'withdraw' ? 'withdrawn' : 'active';
      if (head.status === target) {
        unchangedRows.push({ row: r.row, head, version: head.version });
        continue;
      }
      if (!head.data) throw new Error(`record ${head.recordId}: data of the latest version not loaded`);
      data = head.data;
      status = target;
      dataJson = canonicalJson(data);
      digest = head.digest;
    } else {
      dataJson = canonicalJson(data);
      digest = digestOf(dataJson);
      // A re-send of identical data changes nothing; a withdrawn record stays withdrawn (only an
      // explicit restore, a correction or changed data brings it back).
      if (digest === head.digest) {
        unchangedRows.push({ row: r.row, head, version: head.version });
        continue;
      }
      status = 'active';
    }
    head.version += 1;
    head.status = status;
    head.digest = digest;
    head.data = data;
    pending.push(
      version(
        head,
        r.row,
        uscc,
        naturalKey,
        op === 'upsert' ? 'update' : op,
        status,
        dataJson,
        digest,
        data,
        reason,
        opResult[op],
      ),
    );
    if (status === 'active') touches.push(subjectTouchFor(kind, uscc, data));
  }

  // Ids for the new identities and, when the ledger is on, for the versions (each version's ledger
  // entry names its version, and is hashed here before the statement that appends both). Without
  // the ledger (a benchmark's baseline) version ids come from the column default instead.
  const ledgerOn = !ledgerQueueBypassed();
  const reserved = await reserveIds(trx, {
    records: newIdentities,
    versions: ledgerOn ? pending.length : 0,
  });
  for (const h of heads.values()) {
    if (h.recordId === null) h.recordId = reserved.recordIds[h.pendingIndex]!;
  }

  // Each version's ledger entry: its canonical text here, its SM3 leaf hash on the ledger's worker
  // thread (the main thread is ingestion's bottleneck), started now so that the worker hashes while
  // the subjects' and publicity statements run, and awaited just before the versions statement.
  const ids = reserved.versionIds;
  const started = performance.now();
  let hashing: Promise<string[]> | null = null;
  if (ledgerOn && pending.length) {
    const texts = pending.map((p, i) =>
      recordVersionEntryText({
        versionId: ids[i]!,
        recordId: p.head.recordId!,
        uscc: p.uscc,
        kind: kind.code,
        naturalKey: p.naturalKey,
        version: p.version,
        op: p.op,
        status: p.status,
        dataDigest: p.dataDigest,
        catalogVersion: input.catalogVersion,
      }),
    );
    hashing = leafHashesOfTextsBase64(texts);
    // Awaited below; if a statement in between fails, its rejection must not go unhandled.
    hashing.catch(() => undefined);
  }
  let encodeMs = performance.now() - started;

  if (touches.length) await ensureSubjects(trx, touches, `ingest:${kind.code}`);

  // Stored publicity ends (公示截止) of kinds with a publicity rule: the latest version of each record
  // in the chunk carries its own, written by the versions statement (decision 0122).
  const rules =
    kind.publicity?.from_field && pending.length
      ? ((await lockPublicityRulesForWrite(trx)) as PublicityRulesDoc | undefined)
      : undefined;
  const computePublicity = rules ? publicityComputer(rules, kind) : null;
  // The latest version of each record in the chunk carries the record's publicity facts.
  const publicityOf: (StoredPublicityFacts | null)[] = new Array(pending.length).fill(null);
  if (computePublicity) {
    const latestOfRecord = new Set<Head>();
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i]!;
      if (latestOfRecord.has(p.head)) continue;
      latestOfRecord.add(p.head);
      publicityOf[i] = computePublicity(p.data);
    }
  }

  const rows: NewVersionRow[] = new Array(pending.length);
  for (let i = 0; i < pending.length; i++) {
    const p = pending[i]!;
    rows[i] = {
      publicity: publicityOf[i]!,
      id: ids[i] ?? null,
      recordId: p.head.recordId!,
      uscc: p.uscc,
      version: p.version,
      op: p.op,
      status: p.status,
      dataJson: p.dataJson,
      dataDigest: p.dataDigest,
      occurredOn: p.occurredOn,
      reason: p.reason,
      naturalKey: p.naturalKey,
      createsRecord: p.op === 'create',
      leafHash: null,
    };
  }
  if (hashing) {
    const waited = performance.now();
    const hashes = await hashing;
    for (let i = 0; i < rows.length; i++) rows[i]!.leafHash = hashes[i]!;
    encodeMs += performance.now() - waited;
  }
  await insertVersions(
    trx,
    { kindCode: kind.code, catalogVersion: input.catalogVersion, providerId, batchId: input.batchId },
    rows,
  );
  // The queue rows' insert is part of the versions statement: only the encoding is the ledger's own time.
  if (ledgerOn && rows.length) noteQueuedEntries(rows.length, encodeMs, encodeMs);

  out.accepted = pending.length;
  out.unchanged = unchangedRows.length;
  for (const p of pending) {
    out.results.push({ row: p.row, result: p.result, recordId: p.head.recordId!, version: p.version });
  }
  for (const u of unchangedRows) {
    out.results.push({
      row: u.row,
      result: 'unchanged',
      recordId: u.head.recordId!,
      version: u.version,
    });
  }
  out.results.sort((a, b) => a.row - b.row);
  return out;

  function version(
    head: Head,
    row: number,
    uscc: string,
    naturalKey: string,
    op: string,
    status: string,
    dataJson: string,
    digest: string,
    data: Record<string, unknown>,
    reason: string | null,
    result: RowResult,
  ): PendingVersion {
    const occurred = kind.date_field ? data[kind.date_field] : undefined;
    return {
      head,
      row,
      uscc,
      naturalKey,
      version: head.version,
      op,
      status,
      dataJson,
      dataDigest: digest,
      data,
      // A real calendar day only (validation checks dates; this keeps an unchecked caller from failing the statement).
      occurredOn: realDay(occurred),
      reason,
      result,
    };
  }
}
