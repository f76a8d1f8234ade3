// `npm test`: every *.test.ts under src/ with Node's own test runner, on PGlite by default or on
// PostgreSQL when TEST_DATABASE_URL is set (each test file creates and drops its own schema).
// Extra arguments are passed through (e.g. `npm test -- src/catalog`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
let files = findTests('src').sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));

const url = process.env.TEST_DATABASE_URL;
if (url) {
  // Extensions are created once, in `public`, before test files race to create them.
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
  await c.query('CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public');
  await c.end();
}
console.log(`Running ${files.length} test files on ${url ? 'PostgreSQL' : 'PGlite'}`);
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-reporter=spec', ...flags, ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
