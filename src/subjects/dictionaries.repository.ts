import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export type DictionaryName = 'regions' | 'industries';

export interface DictionaryRow {
  code: string;
  name: string;
  parent_code: string | null;
  level: number;
}

export async function findDictionaryDigest(
  db: Kysely<Database>,
  name: DictionaryName,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('dictionary_versions')
    .select('digest_sha256')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.digest_sha256;
}

/** Inserts or updates every item (one statement), then records the digest of what was loaded. */
export async function upsertDictionary(
  db: Kysely<Database>,
  name: DictionaryName,
  items: DictionaryRow[],
  digest: string,
): Promise<void> {
  const table = sql.table(name);
  await sql`
    INSERT INTO ${table} (code, name, parent_code, level)
    SELECT * FROM unnest(${items.map((i) => i.code)}::text[], ${items.map((i) => i.name)}::text[],
                         ${items.map((i) => i.parent_code)}::text[], ${items.map((i) => i.level)}::smallint[])
    ON CONFLICT (code) DO UPDATE
      SET name = excluded.name, parent_code = excluded.parent_code, level = excluded.level
  `.execute(db);
  await db
    .insertInto('dictionary_versions')
    .values({ name, digest_sha256: digest, item_count: items.length })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ digest_sha256: digest, item_count: items.length, loaded_at: new Date() }),
    )
    .execute();
}

export async function listDictionary(
  db: Kysely<Database>,
  name: DictionaryName,
  opts: { parent?: string | undefined; maxLevel?: number | undefined } = {},
): Promise<DictionaryRow[]> {
  let q = db.selectFrom(name).select(['code', 'name', 'parent_code', 'level']).orderBy('code');
  if (opts.parent !== undefined) q = q.where('parent_code', '=', opts.parent);
  if (opts.maxLevel !== undefined) q = q.where('level', '<=', opts.maxLevel);
  return q.execute();
}
