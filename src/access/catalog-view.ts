import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';
import type { Catalog, CatalogCategory, CatalogDocument, CatalogKind } from '../catalog/catalog.schema.ts';
import { findCatalogDocument, findCurrentCatalogHead } from './catalog-view.repository.ts';

/**
 * The catalog as the access layer needs it: kinds and categories by code, kinds per category.
 * Built once per catalog version and cached (a catalog version never changes once stored).
 */
export interface CatalogView {
  version: number;
  catalog: Catalog;
  kinds: Map<string, CatalogKind>;
  categories: Map<string, CatalogCategory>;
  kindsByCategory: Map<string, CatalogKind[]>;
}

export function buildCatalogView(catalog: Catalog): CatalogView {
  const kinds = new Map(catalog.kinds.map((k) => [k.code, k]));
  const categories = new Map(catalog.categories.map((c) => [c.code, c]));
  const kindsByCategory = new Map<string, CatalogKind[]>();
  for (const k of catalog.kinds) {
    const list = kindsByCategory.get(k.category) ?? [];
    list.push(k);
    kindsByCategory.set(k.category, list);
  }
  return { version: catalog.version, catalog, kinds, categories, kindsByCategory };
}

/** Expands categories to their kinds and de-duplicates, keeping catalog order. */
export function expandScope(
  view: CatalogView,
  kinds: readonly string[],
  categories: readonly string[],
): string[] {
  const set = new Set(kinds);
  for (const c of categories) for (const k of view.kindsByCategory.get(c) ?? []) set.add(k.code);
  return view.catalog.kinds.map((k) => k.code).filter((code) => set.has(code));
}

const cache = new Map<string, CatalogView>();
const byCatalog = new WeakMap<Catalog, CatalogView>();

/** The catalog service (`ctx.catalog`) or anything else that hands out the current catalog. */
export interface CatalogSource {
  getCurrent(): Promise<Catalog>;
}

/**
 * The current catalog view: from the catalog service when one is given (it caches the current
 * version), otherwise straight from `catalog_versions` (callers holding only a transaction): one
 * one-row query per call (the newest version and its digest); the
 * document is parsed only when a new version appears. Keyed by digest, as several databases in one
 * process (tests) may hold different documents under the same version number.
 */
export async function loadCatalogView(db: Db, source?: CatalogSource): Promise<CatalogView> {
  // Inside a transaction the source (bound to the pool / PGlite's single connection) must not be
  // used: on PGlite it would wait for the connection the transaction holds. Read through `db`.
  if (source && !db.isTransaction) {
    const catalog = await source.getCurrent();
    let view = byCatalog.get(catalog);
    if (!view) {
      view = buildCatalogView(catalog);
      byCatalog.set(catalog, view);
    }
    return view;
  }
  const head = await findCurrentCatalogHead(db);
  if (!head) throw new AppError('catalog_missing');
  const key = `${head.version}:${head.digest}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const doc = (await findCatalogDocument(db, head.version)) as unknown as CatalogDocument | undefined;
  if (!doc) throw new AppError('catalog_missing');
  const view = buildCatalogView({ ...doc, version: head.version });
  if (cache.size > 16) cache.clear();
  cache.set(key, view);
  return view;
}
