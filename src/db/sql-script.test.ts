import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitStatements } from './sql-script.ts';

describe('splitStatements', () => {
  it('splits at line-ending semicolons, skips comments, keeps $$ bodies whole', () => {
    const parts = splitStatements(`
      -- a comment
      CREATE TABLE a (x int);
      CREATE FUNCTION f() RETURNS int AS $$
        SELECT 1;
      $$ LANGUAGE sql;
      CREATE INDEX i ON a (x);
    `);
    assert.equal(parts.length, 3);
    assert.match(parts[1]!, /SELECT 1;/);
    assert.ok(!parts[0]!.endsWith(';'));
  });
});
