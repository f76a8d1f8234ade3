import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { canonicalJson, type LedgerEntryFacts } from './canonical.ts';
import * as src from './sources.repository.ts';

/**
 * Checks of each ledger entry against the row it records (docs/decisions/0045-ledger-verification.md).
 * The leaf proves the entry was not changed; these checks prove the row was not changed either:
 *
 * - record_versions: the row exists; the entry's ids, version, op, status, kind, catalog version and
 *   `data_digest` equal the row's; and `data_digest` is still SHA-256 of the canonical JSON of the row's
 *   `data` (records/canonical.ts). An UPDATE of `data` behind the application's back fails here.
 * - catalog_versions: the row exists, its digest equals the entry's and the stored document still hashes
 *   to it. evaluation_models: the digest matches.
 * - consents, consent_uses, access_log, pull_calls, evaluation_runs, reports: the row still exists (rows
 *   change legitimately after the entry, e.g. a consent's use count, so only existence is checked).
 * - every row of record_versions and catalog_versions has an entry (a row inserted by hand has none).
 */

type Db = Kysely<Database>;

export interface SourceEntry {
  leafIndex: number;
  entryId: number;
  facts: LedgerEntryFacts;
}

export interface SourceProblem {
  kind: 'source_missing' | 'source_mismatch' | 'source_unlogged';
  leafIndex?: number;
  entryId?: number;
  refTable: string;
  refId: string;
  message: { zh: string; en: string };
}

/** Tables whose rows are never deleted, with the column their ledger entries use as ref id. */
export const sourceKeyColumns: Record<string, string> = {
  record_versions: 'id',
  catalog_versions: 'version',
  evaluation_models: 'version',
  evaluation_runs: 'id',
  consents: 'id',
  consent_uses: 'id',
  access_log: 'id',
  pull_calls: 'id',
  reports: 'number',
};

/** Tables every row of which must have a ledger entry. */
export const fullyLoggedTables = ['record_versions', 'catalog_versions'];

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  return String(a) === String(b);
}

function missing(e: SourceEntry): SourceProblem {
  const { refTable, refId } = e.facts;
  return {
    kind: 'source_missing',
    leafIndex: e.leafIndex,
    entryId: e.entryId,
    refTable,
    refId,
    message: {
      zh: `第 ${e.leafIndex} 号叶子记录的 ${refTable} ${refId} 已不存在（被删除）`,
      en: `${refTable} ${refId}, recorded by leaf ${e.leafIndex}, no longer exists (deleted)`,
    },
  };
}

function mismatch(e: SourceEntry, zh: string, en: string): SourceProblem {
  const { refTable, refId } = e.facts;
  return {
    kind: 'source_mismatch',
    leafIndex: e.leafIndex,
    entryId: e.entryId,
    refTable,
    refId,
    message: {
      zh: `第 ${e.leafIndex} 号叶子记录的 ${refTable} ${refId} 与账本不符：${zh}`,
      en: `${refTable} ${refId}, recorded by leaf ${e.leafIndex}, differs from the ledger: ${en}`,
    },
  };
}

async function checkRecordVersions(db: Db, entries: SourceEntry[]): Promise<SourceProblem[]> {
  const ids = entries.map((e) => Number(e.facts.refId)).filter((n) => Number.isSafeInteger(n));
  const rows = await src.findRecordVersions(db, ids);
  const out: SourceProblem[] = [];
  for (const e of entries) {
    const row = rows.get(Number(e.facts.refId));
    if (!row) {
      out.push(missing(e));
      continue;
    }
    const p = e.facts.payload;
    const fields: Array<[string, unknown, unknown]> = [
      ['uscc', e.facts.uscc ?? p.uscc, row.uscc],
      ['record_id', p.record_id, row.recordId],
      ['kind', p.kind ?? p.kind_code, row.kindCode],
      ['version', p.version, row.version],
      ['op', p.op, row.op],
      ['status', p.status, row.status],
      ['catalog_version', p.catalog_version, row.catalogVersion],
      ['data_digest', p.data_digest, row.dataDigest],
      ['natural_key', p.natural_key, row.naturalKey],
    ];
    const differ = fields.filter(([, want, got]) => want !== undefined && !same(want, got)).map(([k]) => k);
    if (differ.length) {
      out.push(mismatch(e, `字段 ${differ.join('、')} 被改动`, `${differ.join(', ')} changed`));
      continue;
    }
    // The digest the row carries must still be the digest of the data the row holds.
    const digest = sha256(canonicalJson(JSON.parse(row.data)));
    if (digest !== row.dataDigest) {
      out.push(
        mismatch(
          e,
          '记录数据在写入后被改动（数据摘要不符）',
          'the record data was changed after it was written (data digest mismatch)',
        ),
      );
    }
  }
  return out;
}

async function checkDigested(
  db: Db,
  table: 'catalog_versions' | 'evaluation_models',
  entries: SourceEntry[],
): Promise<SourceProblem[]> {
  const versions = entries.map((e) => Number(e.facts.refId)).filter((n) => Number.isSafeInteger(n));
  const rows = await src.findDigestedRows(db, table, versions);
  const out: SourceProblem[] = [];
  for (const e of entries) {
    const row = rows.get(String(Number(e.facts.refId)));
    if (!row) {
      out.push(missing(e));
      continue;
    }
    const want = e.facts.payload.digest_sha256;
    if (want !== undefined && want !== row.digestSha256) {
      out.push(mismatch(e, '摘要被改动', 'digest changed'));
    } else if (
      row.document !== null &&
      sha256(canonicalJson(JSON.parse(row.document))) !== row.digestSha256
    ) {
      out.push(
        mismatch(e, '文档在写入后被改动（摘要不符）', 'the document was changed after it was written'),
      );
    }
  }
  return out;
}

/** Checks a page of entries against their rows; entries about other tables are skipped. */
export async function checkSources(db: Db, entries: SourceEntry[]): Promise<SourceProblem[]> {
  const byTable = new Map<string, SourceEntry[]>();
  for (const e of entries) {
    if (!(e.facts.refTable in sourceKeyColumns)) continue;
    const list = byTable.get(e.facts.refTable) ?? [];
    list.push(e);
    byTable.set(e.facts.refTable, list);
  }
  const out: SourceProblem[] = [];
  for (const [table, list] of byTable) {
    if (table === 'record_versions') out.push(...(await checkRecordVersions(db, list)));
    else if (table === 'catalog_versions' || table === 'evaluation_models') {
      out.push(...(await checkDigested(db, table, list)));
    } else {
      const keys = await src.findExistingKeys(
        db,
        table,
        sourceKeyColumns[table]!,
        list.map((e) => e.facts.refId),
      );
      for (const e of list) if (!keys.has(e.facts.refId)) out.push(missing(e));
    }
  }
  return out;
}

/** Rows of the fully logged tables that have no ledger entry. */
export async function findUnlogged(db: Db, limit: number): Promise<SourceProblem[]> {
  const out: SourceProblem[] = [];
  for (const table of fullyLoggedTables) {
    for (const key of await src.findUnloggedKeys(db, table, sourceKeyColumns[table]!, limit)) {
      out.push({
        kind: 'source_unlogged',
        refTable: table,
        refId: key,
        message: {
          zh: `${table} ${key} 没有账本条目（可能是绕过应用直接插入的）`,
          en: `${table} ${key} has no ledger entry (inserted behind the application's back?)`,
        },
      });
    }
  }
  return out;
}
