import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * DESIGN.md invariant 2, "one read path": no code reads the record tables (`records`,
 * `record_versions`) except
 *  - the record store itself (src/records/: writes, and the read queries of record-reads.repository.ts),
 *  - the read path (src/access/read-path.ts, which calls record-reads.repository.ts, and its
 *    two-statement form in src/access/read-path.repository.ts),
 *  - the ledger's tamper check (src/ledger/: recomputes leaves from stored rows; it returns
 *    positions and digests, never record content),
 *  - migrations (they create the tables) and tests (they set up and inspect fixtures).
 * Anything else must call `readRecords` (src/access/read-path.ts). This test scans the sources for
 * Kysely calls and SQL naming the tables, and fails naming the file and line.
 */

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const allowed: { prefix: string; why: string }[] = [
  { prefix: 'records/', why: 'the record store and its read queries' },
  { prefix: 'access/read-path.ts', why: 'the one read path' },
  { prefix: 'access/read-path.repository.ts', why: 'the one read path: its snapshot statement' },
  { prefix: 'ledger/', why: 'tamper verification against stored rows' },
  { prefix: 'db/migrations/', why: 'schema' },
];

const tables = '(records|record_versions)';
/** Kysely builder calls naming a record table, e.g. selectFrom('record_versions as v'), innerJoin('records'). */
const kyselyCall = new RegExp(
  String.raw`\b(selectFrom|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|with)\(\s*['"\`]${tables}\b`,
);
/** SQL text naming a record table after FROM / JOIN (raw sql`` templates and strings). */
const sqlText = new RegExp(String.raw`\b(FROM|JOIN)\s+(public\.)?${tables}\b(?!\s*\()`, 'i');
/** sql.table('records') and sql.id('record_versions'). */
const sqlTable = new RegExp(String.raw`sql\.(table|id)\(\s*['"\`]${tables}['"\`]`);

export function findRecordTableReads(source: string): number[] {
  const lines: number[] = [];
  source.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*\*/.test(code)) return; // doc comment lines
    if (kyselyCall.test(code) || sqlText.test(code) || sqlTable.test(code)) lines.push(i + 1);
  });
  return lines;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.testing.ts')) out.push(p);
  }
  return out;
}

describe('one read path (DESIGN.md invariant 2)', () => {
  it('recognises reads of the record tables in Kysely calls and SQL', () => {
    assert.deepEqual(findRecordTableReads(`db.selectFrom('record_versions as v').selectAll()`), [1]);
    assert.deepEqual(findRecordTableReads(`q.innerJoin("records as r", 'r.id', 'v.record_id')`), [1]);
    assert.deepEqual(
      findRecordTableReads('x\nconst r = await sql`SELECT * FROM record_versions WHERE uscc = ${u}`'),
      [2],
    );
    assert.deepEqual(findRecordTableReads('sql`select 1 from public.records r join x on true`'), [1]);
    assert.deepEqual(findRecordTableReads(`sql.table('records')`), [1]);
    // Not reads of the record tables:
    assert.deepEqual(findRecordTableReads(`db.selectFrom('record_marks')`), []);
    assert.deepEqual(findRecordTableReads(`// selectFrom('records')`), []);
    assert.deepEqual(findRecordTableReads(`const from = 'records are read'`), []);
    assert.deepEqual(findRecordTableReads(`ctx.access.readRecords({ actor, uscc })`), []);
  });

  it('finds no other code that reads records or record_versions', () => {
    const offenders: string[] = [];
    for (const file of walk(srcDir)) {
      const rel = path.relative(srcDir, file).split(path.sep).join('/');
      if (allowed.some((a) => rel.startsWith(a.prefix))) continue;
      for (const line of findRecordTableReads(fs.readFileSync(file, 'utf8'))) {
        offenders.push(
          `src/${rel}:${line} reads the record tables directly; call readRecords (src/access/read-path.ts) instead`,
        );
      }
    }
    assert.deepEqual(offenders, []);
  });
});
