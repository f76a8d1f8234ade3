import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../access/actor.ts';
import type { Db } from '../db/database.ts';
import { enqueueLedgerEntries } from '../ledger/ledger-queue.ts';
import { AppError } from '../shared/errors.ts';
import { canonicalJson, diffDocuments, type CatalogDiff } from './catalog.diff.ts';
import { findCategory, findKind } from './catalog.lookup.ts';
import * as repo from './catalog.repository.ts';
import {
  catalogDocumentSchema,
  type Catalog,
  type CatalogCategory,
  type CatalogDocument,
  type CatalogKind,
} from './catalog.schema.ts';
import { parseCatalogDocument, type CatalogFormat } from './catalog.validate.ts';

/** The seed catalog: both sharing lists (郑政办〔2022〕101号, 平政办〔2023〕7号) as data. */
export const seedCatalogPath = fileURLToPath(new URL('./data/catalog.json', import.meta.url));

export interface CatalogVersionInfo {
  version: number;
  label: string;
  source_format: string;
  digest_sha256: string;
  imported_by: string;
  created_at: string;
  categories: number;
  kinds: number;
}

export interface CatalogImportResult {
  version: number;
  /** False when the document equals the current version: nothing was written. */
  created: boolean;
  label: string;
  digest_sha256: string;
  previous_version: number | null;
  diff: CatalogDiff | null;
  message: { zh: string; en: string };
}

export interface KindEntry {
  catalogVersion: number;
  kind: CatalogKind;
  category: CatalogCategory;
}

export interface CatalogService {
  /** The latest version. Throws `catalog_missing` when none was imported. */
  getCurrent(): Promise<Catalog>;
  /** The latest version, or undefined when none was imported. */
  findCurrent(): Promise<Catalog | undefined>;
  /** A given version (records remember theirs). Throws `catalog_version_unknown`. */
  getVersion(version: number): Promise<Catalog>;
  /** A kind of the current (or a given) version. Throws `kind_unknown`. */
  getKind(code: string, version?: number): Promise<CatalogKind>;
  /** The kind, its category and the catalog version it was resolved in (what a record stores). */
  getKindEntry(code: string, version?: number): Promise<KindEntry>;
  listVersions(): Promise<CatalogVersionInfo[]>;
  importDocument(
    input: string | object,
    format: CatalogFormat,
    actor: Actor,
    label?: string,
  ): Promise<CatalogImportResult>;
  /** Imports the seed catalog when no version exists; returns the current version either way. */
  ensureSeedCatalog(): Promise<Catalog>;
  diff(fromVersion: number, toVersion: number): Promise<CatalogDiff>;
}

export interface CatalogServiceOptions {
  /**
   * How long (ms) the current version is trusted before asking the database again whether another
   * process imported a newer one. An import in this process invalidates the cache at once.
   */
  freshnessMs?: number;
}

/** SHA-256 of the canonical JSON (sorted keys) of the normalised document: key order and format do not matter. */
export function catalogDigest(doc: CatalogDocument): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

function actorName(actor: Actor): string {
  if (actor.type === 'anonymous') return 'anonymous';
  if (actor.type === 'system') return `system:${actor.name}`;
  return `${actor.type}:${actor.id}`;
}

let seedText: string | undefined;
/** The seed file's text, read once per process (tests import it many times). */
export function readSeedCatalog(): string {
  seedText ??= fs.readFileSync(seedCatalogPath, 'utf8');
  return seedText;
}

export function createCatalogService(db: Db, opts: CatalogServiceOptions = {}): CatalogService {
  const freshnessMs = opts.freshnessMs ?? 1000;
  // Stored versions never change, so a parsed version is cached for the life of the process.
  const versions = new Map<number, Catalog>();
  let current: { version: number | undefined; checkedAt: number } | undefined;

  async function loadVersion(version: number): Promise<Catalog | undefined> {
    const cached = versions.get(version);
    if (cached) return cached;
    const row = await repo.findVersion(db, version);
    if (!row) return undefined;
    const catalog: Catalog = { ...catalogDocumentSchema.parse(row.document), version: row.version };
    versions.set(version, catalog);
    return catalog;
  }

  async function currentVersionNumber(): Promise<number | undefined> {
    const now = Date.now();
    if (current && current.version !== undefined && now - current.checkedAt < freshnessMs) {
      return current.version;
    }
    const version = await repo.findLatestVersionNumber(db);
    current = { version, checkedAt: now };
    return version;
  }

  async function findCurrent(): Promise<Catalog | undefined> {
    const n = await currentVersionNumber();
    return n === undefined ? undefined : loadVersion(n);
  }

  async function getCurrent(): Promise<Catalog> {
    const c = await findCurrent();
    if (!c) throw new AppError('catalog_missing');
    return c;
  }

  async function getVersion(version: number): Promise<Catalog> {
    const c = Number.isInteger(version) && version > 0 ? await loadVersion(version) : undefined;
    if (!c) throw new AppError('catalog_version_unknown', { version: String(version) });
    return c;
  }

  async function getKindEntry(code: string, version?: number): Promise<KindEntry> {
    const catalog = version === undefined ? await getCurrent() : await getVersion(version);
    const kind = findKind(catalog, code);
    if (!kind) throw new AppError('kind_unknown', { kind: code });
    // Integrity checks guarantee the category exists.
    const category = findCategory(catalog, kind.category)!;
    return { catalogVersion: catalog.version, kind, category };
  }

  async function importParsed(
    doc: CatalogDocument,
    format: string,
    actor: Actor,
    onlyIfEmpty: boolean,
  ): Promise<CatalogImportResult> {
    const digest = catalogDigest(doc);
    const result = await db.transaction().execute(async (trx) => {
      await repo.lockVersions(trx);
      const latest = await repo.findLatestVersionNumber(trx);
      const previous = latest === undefined ? undefined : await repo.findVersion(trx, latest);
      const prevDoc = previous ? catalogDocumentSchema.parse(previous.document) : undefined;
      if (previous && prevDoc && (onlyIfEmpty || diffDocuments(prevDoc, doc).identical)) {
        const same = diffDocuments(prevDoc, doc).identical;
        return {
          version: previous.version,
          created: false,
          label: previous.label,
          digest_sha256: previous.digest_sha256,
          previous_version: previous.version,
          diff: same ? diffDocuments(prevDoc, doc) : null,
          message: same
            ? {
                zh: `内容与当前版本 ${previous.version} 相同，未创建新版本`,
                en: `identical to the current version ${previous.version}; no new version created`,
              }
            : {
                zh: `已有目录版本 ${previous.version}`,
                en: `catalog version ${previous.version} already exists`,
              },
        } satisfies CatalogImportResult;
      }
      const version = (latest ?? 0) + 1;
      await repo.insertVersion(trx, {
        version,
        label: doc.label,
        source_format: format,
        digest_sha256: digest,
        document: doc as unknown as Record<string, unknown>,
        imported_by: actorName(actor),
      });
      await repo.syncProviders(trx, providersOf(doc));
      await enqueueLedgerEntries(trx, [
        {
          entryType: 'catalog_version',
          refTable: 'catalog_versions',
          refId: version,
          payload: { version, digest_sha256: digest, label: doc.label },
        },
      ]);
      return {
        version,
        created: true,
        label: doc.label,
        digest_sha256: digest,
        previous_version: latest ?? null,
        diff: prevDoc ? diffDocuments(prevDoc, doc) : null,
        message: {
          zh: `已创建目录版本 ${version}（${doc.categories.length} 个信息种类，${doc.kinds.length} 个信息项）`,
          en: `created catalog version ${version} (${doc.categories.length} categories, ${doc.kinds.length} kinds)`,
        },
      } satisfies CatalogImportResult;
    });
    current = undefined; // invalidate: the next read asks the database
    return result;
  }

  return {
    getCurrent,
    findCurrent,
    getVersion,
    getKindEntry,
    async getKind(code, version) {
      return (await getKindEntry(code, version)).kind;
    },
    async listVersions() {
      const rows = await repo.listVersions(db);
      return rows.map((r) => ({
        ...r,
        created_at: new Date(r.created_at).toISOString(),
        categories: Number(r.categories),
        kinds: Number(r.kinds),
      }));
    },
    async importDocument(input, format, actor, label) {
      const doc = parseCatalogDocument(input, format);
      if (label !== undefined && label.trim() !== '') doc.label = label.trim();
      return importParsed(doc, format, actor, false);
    },
    async ensureSeedCatalog() {
      const existing = await findCurrent();
      if (existing) return existing;
      const doc = parseCatalogDocument(readSeedCatalog(), 'json');
      const r = await importParsed(doc, 'json', { type: 'system', name: 'seed' }, true);
      return getVersion(r.version);
    },
    async diff(fromVersion, toVersion) {
      const [a, b] = await Promise.all([getVersion(fromVersion), getVersion(toVersion)]);
      const { version: _a, ...docA } = a;
      const { version: _b, ...docB } = b;
      return diffDocuments(docA, docB);
    },
  };
}

/** Providers named by a document, each with the kinds it is responsible for (first name wins). */
export function providersOf(doc: CatalogDocument): repo.ProviderUpsert[] {
  const byId = new Map<string, repo.ProviderUpsert>();
  for (const kind of doc.kinds) {
    for (const p of kind.providers) {
      const entry = byId.get(p.id) ?? { id: p.id, name_zh: p.name_zh, name_en: p.name_en, kinds: [] };
      if (!entry.kinds.includes(kind.code)) entry.kinds.push(kind.code);
      byId.set(p.id, entry);
    }
  }
  return [...byId.values()];
}
