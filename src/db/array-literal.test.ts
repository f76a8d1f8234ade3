import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../test/db.ts';
import { integerArray, jsonTexts, textArray } from './array-literal.ts';

// The bulk statements' columns travel as array literals built here (decision 0125): whatever a
// provider's text holds must reach the database unchanged, on both databases.
describe('array literals for bulk statements', () => {
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
  });
  after(() => t.close());

  const awkward = [
    'plain',
    '',
    'NULL',
    'null',
    'with "quotes"',
    'back\\slash \\" both',
    '{braces}, commas, (parens)',
    '  leading and trailing spaces  ',
    'line\nbreak\ttab',
    '郑州市市场监督管理局〔2024〕12号',
    "it's; DROP TABLE records; --",
    '<script>alert(1)</script>',
    '😀 astral',
  ];

  it('text elements arrive exactly as sent, SQL NULL only for null', async () => {
    const values = [...awkward, null];
    const r = await sql<{ v: string | null; n: number }>`
      SELECT v, n::int AS n FROM unnest(${textArray(values)}::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n`.execute(
      t.db,
    );
    assert.deepEqual(
      r.rows.map((x) => x.v),
      values,
    );
  });

  it('integers and NULLs in order; anything else is refused before the database sees it', async () => {
    const values = [1, -2, null, 9007199254740991, 0];
    const r = await sql<{ v: string | number | null }>`
      SELECT v FROM unnest(${integerArray(values)}::bigint[]) WITH ORDINALITY AS u(v, n) ORDER BY n`.execute(
      t.db,
    );
    assert.deepEqual(
      r.rows.map((x) => (x.v === null ? null : Number(x.v))),
      values,
    );
    assert.throws(() => integerArray([1.5]), /not an integer/);
    assert.throws(() => integerArray([Number.NaN]), /not an integer/);
  });

  it('JSON texts split on the server are the same documents, control characters and all', async () => {
    const docs = awkward.map((s, i) => JSON.stringify({ i, s, nested: { c: '\u001e\u001f\u0001' } }));
    const r = await sql<{ d: unknown }>`
      SELECT d::jsonb AS d FROM unnest(string_to_array(${jsonTexts(docs)}::text, E'\\x1e')) WITH ORDINALITY AS u(d, n)
      ORDER BY n`.execute(t.db);
    assert.deepEqual(
      r.rows.map((x) => (typeof x.d === 'string' ? JSON.parse(x.d) : x.d)),
      docs.map((d) => JSON.parse(d)),
    );
    assert.throws(() => jsonTexts(['{"a":"\u001e"}']), /U\+001E/);
  });
});
