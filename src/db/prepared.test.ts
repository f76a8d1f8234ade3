import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../test/db.ts';
import { executePrepared } from './database.ts';

// Statements kept prepared (docs/decisions/0120): the read path's snapshot and write run through
// `executePrepared`, which must give the same results as an ordinary query on both databases.
describe('executePrepared', () => {
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
  });
  after(() => t.close());

  const query = (n: number) => sql<{ n: number; s: string }>`SELECT ${n}::int AS n, 'x' || ${n}::text AS s`;

  it('returns what an ordinary query returns, with other values each time', async () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      const plain = await query(n).execute(t.db);
      const prepared = await executePrepared(t.db, query(n));
      assert.deepEqual(prepared.rows, plain.rows);
    }
  });

  it('on PostgreSQL runs as a named statement the connection keeps, rows as arrays when asked', async () => {
    const arrays = sql<[number, string]>`SELECT ${5}::int AS n, 'y' || ${5}::text AS s`;
    const text = arrays.compile(t.db).sql;
    await t.db.connection().execute(async (c) => {
      const r = await executePrepared(c, arrays, { rowMode: 'array' });
      if (t.dialect === 'pglite') {
        // No round trip to save: an ordinary query, rows as objects (callers accept both).
        assert.deepEqual(r.rows, [{ n: 5, s: 'y5' }]);
        return;
      }
      assert.deepEqual(r.rows, [[5, 'y5']]);
      const kept = await sql<{ name: string }>`
        SELECT name FROM pg_prepared_statements WHERE statement = ${text}`.execute(c);
      assert.equal(kept.rows.length, 1);
      assert.match(kept.rows[0]!.name, /^xinrong_p\d+$/);
    });
    await assert.rejects(() => executePrepared(t.db, arrays), /two row modes/);
  });
});
