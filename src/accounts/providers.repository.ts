import type { Db } from '../db/database.ts';

/** The `providers` row the catalog created for a responsible unit (责任单位), if any. */
export async function findProviderRow(
  db: Db,
  id: string,
): Promise<{ id: string; name_zh: string; kinds: string[] } | undefined> {
  return db
    .selectFrom('providers')
    .select(['id', 'name_zh', 'kinds'])
    .where('id', '=', id)
    .executeTakeFirst();
}
