import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** SQL for catalog versions and the providers they name. Every function takes a db or a transaction. */

export interface CatalogVersionRow {
  version: number;
  label: string;
  source_format: string;
  digest_sha256: string;
  document: Record<string, unknown>;
  imported_by: string;
  created_at: Date;
}

export interface CatalogVersionSummaryRow {
  version: number;
  label: string;
  source_format: string;
  digest_sha256: string;
  imported_by: string;
  created_at: Date;
  categories: number;
  kinds: number;
}

// `Generated<Timestamp>` nests two ColumnTypes, which Kysely does not unwrap on select; name the type here.
const createdAt = sql<Date>`created_at`.as('created_at');

export async function findLatestVersionNumber(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db
    .selectFrom('catalog_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return row?.version ?? undefined;
}

export async function findVersion(
  db: Kysely<Database>,
  version: number,
): Promise<CatalogVersionRow | undefined> {
  return db
    .selectFrom('catalog_versions')
    .select(['version', 'label', 'source_format', 'digest_sha256', 'document', 'imported_by', createdAt])
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listVersions(db: Kysely<Database>): Promise<CatalogVersionSummaryRow[]> {
  return db
    .selectFrom('catalog_versions')
    .select([
      'version',
      'label',
      'source_format',
      'digest_sha256',
      'imported_by',
      createdAt,
      sql<number>`jsonb_array_length(document -> 'categories')`.as('categories'),
      sql<number>`jsonb_array_length(document -> 'kinds')`.as('kinds'),
    ])
    .orderBy('version', 'desc')
    .execute();
}

/**
 * Serialises imports: version numbers are max + 1, so two imports at once must not both read the
 * same max. EXCLUSIVE mode still lets readers read the current version meanwhile.
 */
export async function lockVersions(trx: Kysely<Database>): Promise<void> {
  await sql`LOCK TABLE catalog_versions IN EXCLUSIVE MODE`.execute(trx);
}

export async function insertVersion(
  trx: Kysely<Database>,
  row: Omit<CatalogVersionRow, 'created_at'>,
): Promise<void> {
  await trx
    .insertInto('catalog_versions')
    .values({ ...row, document: JSON.stringify(row.document) })
    .execute();
}

export interface ProviderUpsert {
  id: string;
  name_zh: string;
  name_en: string;
  kinds: string[];
}

/**
 * Creates or updates the providers a catalog names (name and the kinds they are responsible for);
 * providers the catalog no longer names keep their row (accounts and history refer to it) with no
 * kinds. Status is left alone: onboarding owns it.
 */
export async function syncProviders(trx: Kysely<Database>, providers: ProviderUpsert[]): Promise<void> {
  const ids = providers.map((p) => p.id);
  if (providers.length) {
    await trx
      .insertInto('providers')
      .values(providers.map((p) => ({ id: p.id, name_zh: p.name_zh, name_en: p.name_en, kinds: p.kinds })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name_zh: eb.ref('excluded.name_zh'),
          name_en: eb.ref('excluded.name_en'),
          kinds: eb.ref('excluded.kinds'),
        })),
      )
      .execute();
  }
  let q = trx.updateTable('providers').set({ kinds: sql<string[]>`'{}'::text[]` });
  if (ids.length) q = q.where('id', 'not in', ids);
  await q.where(sql<boolean>`cardinality(kinds) > 0`).execute();
}

export async function listProviderKinds(
  db: Kysely<Database>,
): Promise<{ id: string; name_zh: string; kinds: string[] }[]> {
  return db.selectFrom('providers').select(['id', 'name_zh', 'kinds']).orderBy('id').execute();
}
