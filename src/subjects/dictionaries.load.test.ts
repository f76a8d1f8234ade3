import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../test/db.ts';
import { ensureDictionaries, industryItems } from './dictionaries.ts';

describe('loading the dictionaries into the database', () => {
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
  });
  after(() => t.close());

  it('loads the whole GB/T 4754-2017 table (20/97/473/1,382) once, and nothing while the file is unchanged', async () => {
    assert.deepEqual((await ensureDictionaries(t.db)).loaded, ['regions', 'industries']);
    const levels = await sql<{ level: number; n: number }>`
      SELECT level, count(*)::int AS n FROM industries GROUP BY level ORDER BY level`.execute(t.db);
    assert.deepEqual(
      levels.rows.map((r) => [r.level, r.n]),
      [
        [1, 20],
        [2, 97],
        [3, 473],
        [4, 1382],
      ],
    );
    const version = await t.db
      .selectFrom('dictionary_versions')
      .select('item_count')
      .where('name', '=', 'industries')
      .executeTakeFirstOrThrow();
    assert.equal(version.item_count, industryItems().length);
    const row = await t.db
      .selectFrom('industries')
      .select(['name', 'parent_code'])
      .where('code', '=', '9231')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { name: '监察委员会', parent_code: '923' });
    assert.deepEqual((await ensureDictionaries(t.db)).loaded, []);
  });
});
