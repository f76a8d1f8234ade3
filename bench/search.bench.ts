// `npm run bench:search [-- --quick] [-- --db pglite|postgres|both] [-- --subjects N]`
//
// Subject search latency at 1,000,000 subjects (--quick: 50,000) on embedded PGlite and on
// PostgreSQL, against a primary-key lookup measured in the same run as the baseline. Subjects come
// from the demo generator (src/seed) and are written with ensureSubjects, the path ingestion uses.
// For each query type the benchmark prints median and p95 latency, the ratio to the baseline, and
// the indexes its plan uses (EXPLAIN ANALYZE), flagging any sequential scan of `subjects`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { createDb, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { anonymous, type Actor } from '../src/access/actor.ts';
import { insertScores } from '../src/evaluation/evaluation.repository.ts';
import {
  createSubjectsService,
  ensureSubjects,
  type SubjectTouch,
} from '../src/subjects/subjects.service.ts';
import { findSubjectRow } from '../src/subjects/subjects.repository.ts';
import { demoSubject, type DemoSubject } from '../src/seed/subjects.ts';
import { createRng } from '../src/seed/prng.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const n = Number(arg('--subjects') ?? (quick ? 50_000 : 1_000_000));
const which = arg('--db') ?? 'both';
const repeats = quick ? 40 : 150;
const seedKey = 20261121;
const pgUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

interface Target {
  label: 'PGlite' | 'PostgreSQL';
  db: Db;
  close(): Promise<void>;
}

async function openPglite(): Promise<Target> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-search-'));
  const db = createDb({ dataDir: dir });
  await migrateToLatest(db);
  return {
    label: 'PGlite',
    db,
    async close() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<Target | undefined> {
  const admin = new pg.Client({ connectionString: pgUrl });
  try {
    await admin.connect();
  } catch {
    console.log(`PostgreSQL not reachable at ${pgUrl}: skipped`);
    return undefined;
  }
  const schema = `bench_search_${randomBytes(4).toString('hex')}`;
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = createDb({ databaseUrl: pgUrl, schema, poolSize: 2 });
  await migrateToLatest(db);
  return {
    label: 'PostgreSQL',
    db,
    async close() {
      await db.destroy();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

function touch(s: DemoSubject): SubjectTouch {
  return {
    uscc: s.uscc,
    name: s.name,
    registration: {
      name: s.name,
      legal_rep_name: s.legalRep.name,
      established_on: s.establishedOn,
      registration_status: s.status,
      registered_capital: s.capital,
      address: s.address,
      region_code: s.district.code,
      industry_code: s.industry.code,
    },
  };
}

/**
 * Loads the subjects with ensureSubjects. The secondary indexes are dropped first and rebuilt after
 * (from their own definitions in pg_indexes), as one would for any bulk load: loading through the
 * live GIN indexes would take most of the run. Returns seconds for rows and for indexes.
 */
async function load(db: Db): Promise<{ rows: number; indexes: number }> {
  const defs = await sql<{ indexname: string; indexdef: string }>`
    SELECT indexname, indexdef FROM pg_indexes
    WHERE tablename = 'subjects' AND schemaname = current_schema() AND indexname <> 'subjects_pkey'
  `.execute(db);
  for (const d of defs.rows) await sql`DROP INDEX ${sql.id(d.indexname)}`.execute(db);
  const started = performance.now();
  const chunk = 1000;
  let last = started;
  for (let from = 0; from < n; from += chunk * 10) {
    await db.transaction().execute(async (trx) => {
      for (let c = from; c < Math.min(n, from + chunk * 10); c += chunk) {
        const touches: SubjectTouch[] = [];
        for (let i = c; i < Math.min(n, c + chunk); i++) touches.push(touch(demoSubject(seedKey, i)));
        await ensureSubjects(trx, touches, 'bench');
      }
    });
    const now = performance.now();
    if (now - last > 5000 && process.stderr.isTTY) {
      const done = Math.min(n, from + chunk * 10);
      process.stderr.write(
        `\r  loading ${done}/${n} (${Math.round(done / ((now - started) / 1000))} subjects/s)   `,
      );
      last = now;
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const loaded = performance.now();
  for (const d of defs.rows) await sql.raw(d.indexdef).execute(db);
  await sql`ANALYZE subjects`.execute(db);
  return { rows: (loaded - started) / 1000, indexes: (performance.now() - loaded) / 1000 };
}

/** Grade bands of the default model, with a plausible spread (A+ 5 %, A 25 %, B 40 %, C 20 %, D 10 %). */
function gradeOf(i: number): string {
  const r = (Math.imul(i + 1, 2654435761) >>> 0) % 100;
  return r < 5 ? 'A+' : r < 30 ? 'A' : r < 70 ? 'B' : r < 90 ? 'C' : 'D';
}

/**
 * Gives every subject a current grade through the real score writer (evaluation_scores; the
 * subject_grades triggers keep the latest grade per subject), 4,000 per statement as a full
 * evaluation run writes them. Returns seconds.
 */
async function grade(db: Db): Promise<number> {
  const started = performance.now();
  const chunk = 4000;
  for (let from = 0; from < n; from += chunk) {
    const rows = [];
    for (let i = from; i < Math.min(n, from + chunk); i++) {
      rows.push({ uscc: demoSubject(seedKey, i).uscc, score: 700, grade: gradeOf(i), reasonsJson: '[]' });
    }
    await insertScores(db, 1, 1, '2026-11-22', rows);
  }
  await sql`ANALYZE subject_grades`.execute(db);
  return (performance.now() - started) / 1000;
}

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)]!,
    p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!,
  };
}

async function time(fn: (k: number) => Promise<unknown>): Promise<number[]> {
  for (let k = 0; k < 3; k++) await fn(repeats + k); // warm-up
  const out: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    await fn(k);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Indexes a plan uses, and whether it scans `subjects` sequentially. */
function planSummary(lines: string[]): string {
  const text = lines.join('\n');
  const indexes = [
    ...new Set(
      [...text.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using |on )(\w+)/g)].map(
        (m) => m[1],
      ),
    ),
  ];
  const seq = /Seq Scan on subjects/.test(text) ? ' ⚠ SEQ SCAN on subjects' : '';
  // subjects_* and subject_grades_* (the grade filter's table)
  return `${indexes.filter((i) => i!.startsWith('subject')).join(', ') || '(none)'}${seq}`;
}

async function run(target: Target) {
  console.log(`\n== ${target.label}: ${n.toLocaleString('en')} subjects ==`);
  const t = await load(target.db);
  console.log(
    `load: ensureSubjects (1,000 per statement) ${t.rows.toFixed(1)} s, ${Math.round(n / t.rows)} subjects/s; secondary indexes rebuilt in ${t.indexes.toFixed(1)} s`,
  );
  const graded = await grade(target.db);
  console.log(
    `grades: ${n.toLocaleString('en')} scores written (subject_grades kept by trigger) in ${graded.toFixed(1)} s, ${Math.round(n / graded)} scores/s`,
  );
  const svc = createSubjectsService(target.db);
  await svc.ensureDictionaries();
  const rng = createRng(seedKey, 99);
  const sample = Array.from({ length: repeats + 3 }, () => demoSubject(seedKey, rng.int(0, n - 1)));
  const frag4 = (s: DemoSubject) => {
    const chars = Array.from(s.name);
    const at = chars.length > 8 ? rng.int(2, chars.length - 6) : 0;
    return chars.slice(at, at + 4).join('');
  };
  // Grade filters are for institutions and operators (decision 0022); other queries run anonymously.
  const bank: Actor = { type: 'institution', id: 'bench', orgId: 'bench_bank' };
  const queries: [string, (k: number) => Parameters<typeof svc.search>[0], Actor?][] = [
    ['exact USCC', (k) => ({ q: sample[k]!.uscc })],
    ['USCC prefix (12 chars)', (k) => ({ q: sample[k]!.uscc.slice(0, 12) })],
    ['2-char fragment, frequent (科技)', () => ({ q: '科技' })],
    ['2-char fragment, trade name', (k) => ({ q: sample[k]!.tradeName })],
    ['4-char fragment', (k) => ({ q: frag4(sample[k]!) })],
    ['region listing (4104)', () => ({ region: '4104' })],
    ['2-char fragment in a county', (k) => ({ q: '科技', region: sample[k]!.district.code })],
    [
      'trade name in an industry section',
      (k) => ({ q: sample[k]!.tradeName, industry: sample[k]!.industry.section }),
    ],
    ['grade listing (B)', () => ({ grade: 'B' }), bank],
    ['grade listing, rare (A+), page 5', () => ({ grade: 'A+', page: 5 }), bank],
    ['grade in a county', (k) => ({ grade: 'A', region: sample[k]!.district.code }), bank],
    ['2-char fragment with a grade', (k) => ({ q: sample[k]!.tradeName, grade: 'C' }), bank],
    ['frequent fragment (科技) with a grade', () => ({ q: '科技', grade: 'D' }), bank],
  ];
  const baseline = stats(await time((k) => findSubjectRow(target.db, sample[k]!.uscc)));
  console.log(
    `${'query'.padEnd(36)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(8)} ${'× pk'.padStart(7)}  indexes (EXPLAIN ANALYZE)`,
  );
  console.log(
    `${'primary-key lookup (baseline)'.padEnd(36)} ${baseline.median.toFixed(2).padStart(10)} ${baseline.p95.toFixed(2).padStart(8)} ${'1.0'.padStart(7)}  subjects_pkey`,
  );
  const results: Record<string, { median: number; ratio: number; seq: boolean }> = {};
  for (const [label, q, actor] of queries) {
    const s = stats(await time((k) => svc.search(q(k), actor ?? anonymous)));
    const lines = await svc.explainSearch(q(0), { analyze: true });
    if (args.includes('--plans')) console.log(lines.join('\n'));
    const plan = planSummary(lines);
    const ratio = s.median / baseline.median;
    results[label] = { median: s.median, ratio, seq: plan.includes('SEQ SCAN') };
    console.log(
      `${label.padEnd(36)} ${s.median.toFixed(2).padStart(10)} ${s.p95.toFixed(2).padStart(8)} ${ratio.toFixed(1).padStart(7)}  ${plan}`,
    );
  }
  return { label: target.label, baseline: baseline.median, results };
}

const summaries: string[] = [];
let seqScans = 0;
for (const label of ['pglite', 'postgres'] as const) {
  if (which !== 'both' && which !== label) continue;
  const target = label === 'pglite' ? await openPglite() : await openPostgres();
  if (!target) continue;
  try {
    const r = await run(target);
    const worst = Object.entries(r.results).sort((a, b) => b[1].median - a[1].median)[0]!;
    seqScans += Object.values(r.results).filter((x) => x.seq).length;
    summaries.push(
      `${r.label}: pk ${r.baseline.toFixed(2)} ms, 2-char ${r.results['2-char fragment, trade name']!.median.toFixed(1)} ms, slowest "${worst[0]}" ${worst[1].median.toFixed(1)} ms (${worst[1].ratio.toFixed(0)}× pk)`,
    );
  } finally {
    await target.close();
  }
}
console.log(
  `\nsearch bench (${n.toLocaleString('en')} subjects${quick ? ', quick' : ''}): ${summaries.join('; ')}${seqScans ? `; ${seqScans} plans scan subjects sequentially` : '; every plan uses indexes'}`,
);
