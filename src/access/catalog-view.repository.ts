import type { Db } from '../db/database.ts';

/** The newest catalog version and its digest (cheap: primary-key order, one row). */
export async function findCurrentCatalogHead(
  db: Db,
): Promise<{ version: number; digest: string } | undefined> {
  const r = await db
    .selectFrom('catalog_versions')
    .select(['version', 'digest_sha256'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? { version: Number(r.version), digest: r.digest_sha256 } : undefined;
}

export async function findCatalogDocument(
  db: Db,
  version: number,
): Promise<Record<string, unknown> | undefined> {
  const r = await db
    .selectFrom('catalog_versions')
    .select('document')
    .where('version', '=', version)
    .executeTakeFirst();
  if (!r) return undefined;
  return typeof r.document === 'string' ? (JSON.parse(r.document) as Record<string, unknown>) : r.document;
}
