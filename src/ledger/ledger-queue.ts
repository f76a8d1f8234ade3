import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { canonicalEntry } from './canonical.ts';
import { leafHashBase64, treeHasher, type HashAlgorithm, type TreeHasher } from './hash.ts';
import { insertQueueRows, type QueueInsert } from './ledger.repository.ts';
import { leafHashesBase64 } from './leaf-hash-worker.ts';

/** What may become a leaf of the ledger (tamper-evident log). */
export const ledgerEntryTypes = [
  'record_version', // a record version or status change
  'catalog_version',
  'consent', // grant, revocation, use
  'access', // a read of non-public data
  'report', // a report issued
  'objection', // filing, decision, deadline change
  'repair',
  'commitment',
  'evaluation_model',
  'evaluation_run',
  'safe_room_job',
  'pull_call',
  'whitelist', // a financing-whitelist step: recommended, approved, rejected, withdrawn, removed
] as const;
export type LedgerEntryType = (typeof ledgerEntryTypes)[number];

export interface LedgerEntryInput {
  entryType: LedgerEntryType;
  /** Table and id of the row this entry records, so a verifier can name the record behind a bad leaf. */
  refTable: string;
  refId: string | number;
  uscc?: string | null;
  /**
   * The facts to commit to; canonically encoded by the ledger. Keep it to what is stored in refTable,
   * and to ids and digests: entries are public (GET /api/v1/ledger/entries/:index), so never put
   * non-public content here (a record's data goes in as its digest).
   */
  payload: Record<string, unknown>;
}

/** Canonical entries longer than this are refused: a payload holds ids and digests, not documents. */
export const MAX_ENTRY_BYTES = 16 * 1024;

let hasher: TreeHasher = treeHasher('sm3');
let bypassed = false;
const stats = { calls: 0, entries: 0, ms: 0, encodeMs: 0 };

/** Time spent queueing in this process (the benchmark reports the ledger's share of ingestion with it). */
export function ledgerQueueStats(): { calls: number; entries: number; ms: number; encodeMs: number } {
  return { ...stats };
}

/**
 * Sets the hash of the leaf hashes computed when entries are queued (the ledger service does this from
 * LEDGER_HASH). The sequencer spot-checks every transaction's entries, so a process configured with
 * another hash cannot put wrong leaves into the log.
 */
export function setLedgerQueueHashAlgorithm(alg: HashAlgorithm): void {
  if (hasher.alg !== alg) hasher = treeHasher(alg);
}

/**
 * Benchmarks only (`bench/ledger.bench.ts` measures ingestion with and without the ledger): makes
 * `enqueueLedgerEntries` a no-op. Never call it in the application.
 */
export function bypassLedgerQueueForBenchmark(on: boolean): void {
  bypassed = on;
}

/** True while a benchmark bypasses the queue: writers that insert queue rows themselves skip them. */
export function ledgerQueueBypassed(): boolean {
  return bypassed;
}

/**
 * The leaf hash of an entry whose canonical text (canonical.ts, `canonicalEntry`) the caller built
 * itself, for a writer that inserts its queue rows in its own statement: record versions, in the
 * statement that appends them (records.repository.ts `insertVersions`). That statement must store
 * exactly the facts of `text`; the sequencer recomputes the first entry of every transaction from the
 * stored columns and would replace (and log) hashes that do not match.
 */
export function leafHashOfText(text: string): Buffer {
  return Buffer.from(leafHashOfTextBase64(text), 'base64');
}

/** Entries hold ids and digests: one longer than MAX_ENTRY_BYTES is a writer's mistake. */
function refuseOversized(text: string): void {
  if (text.length > MAX_ENTRY_BYTES / 3 && Buffer.byteLength(text, 'utf8') > MAX_ENTRY_BYTES) {
    throw new Error(
      `ledger entry is ${Buffer.byteLength(text, 'utf8')} bytes; payloads hold ids and digests`,
    );
  }
}

/** `leafHashOfText` as base64 (what the queue insert sends), without a Buffer per entry. */
export function leafHashOfTextBase64(text: string): string {
  refuseOversized(text);
  return leafHashBase64(hasher.alg, text);
}

/**
 * `leafHashOfTextBase64` of many entries, in order; large sets are hashed on a worker thread
 * (leaf-hash-worker.ts), so that ingestion's main thread does not spend ~1.8 µs per version on SM3.
 */
export async function leafHashesOfTextsBase64(texts: string[]): Promise<string[]> {
  for (const text of texts) refuseOversized(text);
  return leafHashesBase64(hasher.alg, texts);
}

/** Counts entries queued by such a writer (and the time spent) in `ledgerQueueStats`. */
export function noteQueuedEntries(entries: number, ms: number, encodeMs: number): void {
  stats.calls += 1;
  stats.entries += entries;
  stats.ms += ms;
  stats.encodeMs += encodeMs;
}

/**
 * Queues entries for the ledger inside the caller's transaction: they exist exactly when the change
 * they record commits. The sequencer later assigns leaf indexes in commit order. Call it once per
 * batch of changes (one INSERT for the whole list), not once per row.
 */
export async function enqueueLedgerEntries(
  trx: Kysely<Database>,
  entries: LedgerEntryInput[],
): Promise<void> {
  if (entries.length === 0 || bypassed) return;
  const started = performance.now();
  const rows = encodeLedgerEntries(entries);
  try {
    await insertQueueRows(trx, rows);
  } finally {
    stats.calls += 1;
    stats.entries += entries.length;
    stats.ms += performance.now() - started;
  }
}

/**
 * The queue rows for entries (canonical encoding, size check, leaf hash), for a caller that writes
 * them inside its own statement with `queueInsertSql` (the read path: access-log row and leaves in
 * one round trip). Empty when the queue is bypassed for a benchmark.
 */
export function encodeLedgerEntries(entries: LedgerEntryInput[]): QueueInsert[] {
  if (bypassed) return [];
  const started = performance.now();
  const rows: QueueInsert[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const refId = String(e.refId);
    const uscc = e.uscc ?? null;
    const text = canonicalEntry({
      entryType: e.entryType,
      refTable: e.refTable,
      refId,
      uscc,
      payload: e.payload,
    });
    // A UTF-8 character is at most 3 bytes per UTF-16 unit: count bytes only when it could matter.
    const bytes = text.length > MAX_ENTRY_BYTES / 3 ? Buffer.byteLength(text, 'utf8') : text.length;
    if (bytes > MAX_ENTRY_BYTES) {
      throw new Error(`ledger entry ${e.refTable}:${refId} is ${bytes} bytes; payloads hold ids and digests`);
    }
    rows[i] = {
      entryType: e.entryType,
      refTable: e.refTable,
      refId,
      uscc,
      payload: e.payload,
      leafHash: hasher.hashLeaf(text),
    };
  }
  stats.encodeMs += performance.now() - started;
  return rows;
}
