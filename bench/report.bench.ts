// `npm run bench:report [-- --quick] [-- --pglite-only | --pg-only]` (BENCH_SUBJECTS=n to choose the size)
// PostgreSQL only: `--keep` keeps the generated database (and its data directory: the master key that
// encrypted the ID numbers) and prints its name; `--reuse <database>` measures again on kept data
// without generating it; `--setup-only` generates, keeps and stops (the 10^7-row load takes 15–20 min).
//
// Credit reports on a large database: 100,000 subjects with 100 record versions each (10,000,000
// records; --quick: 2,000 subjects, 200,000 records), written with bulk SQL (bench/evaluate-data.ts),
// plus one subject with 300 records stored through the real record store (120 行政处罚 with encrypted
// ID numbers, 60 法院判决, 120 水费). Measured, on PGlite and on PostgreSQL:
// - JSON report (self edition, issued by the enterprise: read path, pulls, evaluation, canonical JSON,
//   blob, report row and ledger entry): p50 / p99 — target p99 ≤ 50 ms on PostgreSQL;
// - public JSON report (anonymous): p50 / p99;
// - PDF (first rendering: bundle, layout, font subset, embedded files, blob, ledger entry) — target ≤ 500 ms;
// - throughput of POST /api/v1/reports (public, over the real HTTP stack via inject) against a bare route
//   doing one primary-key lookup on the same database, same process: the ratio.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import type { Actor } from '../src/access/actor.ts';
import { storeRecords, testUscc } from '../src/accounts/accounts.testing.ts';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { idCheckDigit } from '../src/shared/identifiers.ts';
import {
  createCheckFunction,
  generateRecords,
  generateSubjects,
  RECORDS_PER_SUBJECT,
} from './evaluate-data.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--pglite-only') ? 'pglite' : args.includes('--pg-only') ? 'postgres' : null;
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
// BENCH_SUBJECTS overrides the size (e.g. 20000 for a middle run).
const SUBJECTS = Number(process.env.BENCH_SUBJECTS ?? (quick ? 2_000 : 100_000));
const argValue = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reuse = argValue('--reuse');
const setupOnly = args.includes('--setup-only');
const keep = args.includes('--keep') || setupOnly || !!reuse;
if (reuse && !/^xinrong_bench_report_[0-9a-f]{8}$/.test(reuse)) {
  throw new Error(`--reuse: not a kept database: ${reuse}`);
}
/** A kept database's data directory (DATA_DIR: its master key decrypts the stored ID numbers). */
const keptDataDir = (name: string) => path.join(os.tmpdir(), `${name}-data`);
const JSON_RUNS = quick ? 40 : 300;
const PDF_RUNS = quick ? 4 : 20;
const TPUT_RUNS = quick ? 40 : 300;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function idNumber(n: number): string {
  const body = `4101021980${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return body + idCheckDigit(body);
}

async function openDb(
  kind: 'pglite' | 'postgres',
): Promise<{ db: Db; url?: string; name?: string; close(): Promise<void> }> {
  if (kind === 'postgres') {
    const name = reuse ?? `xinrong_bench_report_${randomBytes(4).toString('hex')}`;
    if (!reuse) {
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
    }
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    const db = createDb({ databaseUrl: url.toString(), poolSize: 4 });
    return {
      db,
      url: url.toString(),
      name,
      async close() {
        await db.destroy();
        if (keep) {
          process.stderr.write(`[postgres] kept database ${name} (--reuse ${name})\n`);
          return;
        }
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP DATABASE ${name}`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-report-'));
  const db = createDb({ dataDir: dir });
  return {
    db,
    async close() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Result {
  kind: string;
  selfP50: number;
  selfP99: number;
  /** Process CPU per self report (user + system; PGlite includes the database, PostgreSQL does not). */
  selfCpu: number;
  publicP50: number;
  publicP99: number;
  pdfP50: number;
  pdfMax: number;
  reportRps: number;
  pkRps: number;
}

async function bench(kind: 'pglite' | 'postgres'): Promise<Result | undefined> {
  const log = (s: string) => process.stderr.write(`[${kind}] ${s}\n`);
  const { db, url, name: dbName, close } = await openDb(kind);
  const kept = kind === 'postgres' && keep && dbName;
  const dataDir = kept
    ? keptDataDir(dbName)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-report-data-'));
  if (kept) fs.mkdirSync(dataDir, { recursive: true });
  try {
    let t0 = process.hrtime.bigint();
    const uscc = testUscc(9_000_001);
    const name = '郑州基准报告科技有限公司';
    // Kept data are brought to the current schema (migrations added since it was generated).
    if (kind === 'postgres' && reuse) await migrateToLatest(db);
    if (!(kind === 'postgres' && reuse)) {
      await migrateToLatest(db);
      await createCheckFunction(db);
      await sql`DROP INDEX record_versions_subject`.execute(db);
      await generateSubjects(db, SUBJECTS);
      const step = 5000;
      for (let from = 1; from <= SUBJECTS; from += step) {
        await generateRecords(db, from, Math.min(SUBJECTS, from + step - 1), 0.42);
        if (((from - 1) / step) % 4 === 0) log(`generated ${Math.min(SUBJECTS, from + step - 1)} subjects`);
      }
      await sql`CREATE INDEX record_versions_subject ON record_versions (uscc, kind_code, record_id, version DESC)`.execute(
        db,
      );
      log(
        `${SUBJECTS} subjects, ${SUBJECTS * RECORDS_PER_SUBJECT} records in ${(ms(t0) / 1000).toFixed(1)} s`,
      );
      // The bulk rows use record ids 1..N×100 without `records` rows: move the record store's ids past them.
      await sql`SELECT setval(pg_get_serial_sequence('records', 'id'), ${SUBJECTS * RECORDS_PER_SUBJECT + 1})`.execute(
        db,
      );
    }
    const ctx = createAppContext({ ...loadConfig({}), dataDir, databaseUrl: url }, db);
    const catalog = await ctx.catalog.ensureSeedCatalog();
    // The subject of 300 records is stored through the record store (ID numbers encrypted with this
    // data directory's key); a kept database whose key was lost gets it again (--reuse after deleting it).
    const hasSubject =
      kind === 'postgres' &&
      !!reuse &&
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM record_versions WHERE uscc = ${uscc}`.execute(
          db,
        )
      ).rows[0]!.n > 0;
    if (!hasSubject) {
      await storeRecords(ctx, catalog, 'business_licence', [
        { uscc, name, legal_rep_name: '张三', established_on: '2015-03-01' },
      ]);
      await storeRecords(
        ctx,
        catalog,
        'admin_penalty',
        Array.from({ length: 120 }, (_, i) => ({
          uscc,
          name,
          legal_rep_name: '张三',
          legal_rep_id_number: idNumber(i),
          penalty_decision_no: `郑市监罚〔2025〕${i + 1}号`,
          decided_on: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
          publicity_until: '2099-12-31',
          violation_facts: '未按规定公示年度报告，经责令限期改正逾期未改正',
          fine_amount: 5000 + i,
        })),
      );
      await storeRecords(
        ctx,
        catalog,
        'court_judgment',
        Array.from({ length: 60 }, (_, i) => ({
          uscc,
          name,
          case_no: `（2024）豫0105民初${i + 1}号`,
          cause: '买卖合同纠纷',
          plaintiff_name: '李四',
          published_on: '2024-06-01',
        })),
      );
      await storeRecords(
        ctx,
        catalog,
        'water_fee',
        Array.from({ length: 119 }, (_, i) => ({
          uscc,
          name,
          account_no: `W${i}`,
          bill_period: `${2016 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}`,
          paid_on: `${2016 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}-15`,
        })),
      );
      // VACUUM as well: on PostgreSQL an insert-triggered autovacuum of the fresh 10^7-row table would
      // otherwise run during the measurements.
      await sql`VACUUM ANALYZE`.execute(db);
      log(
        `setup (generation, index, the subject of 300 records, VACUUM ANALYZE) ${(ms(t0) / 1000).toFixed(1)} s`,
      );
    }
    if (setupOnly) return undefined;
    const owner: Actor = { type: 'enterprise', id: 'bench-owner', uscc };
    const anon: Actor = { type: 'anonymous' };

    // Warm-up (font, catalog, JIT, plans).
    for (let i = 0; i < 5; i++) await ctx.reports.createReport(owner, { uscc, type: 'self' });
    const first = await ctx.reports.createReport(owner, { uscc, type: 'self' });
    await ctx.reports.getReportFile(owner, first.number, 'pdf');
    log(`self report of ${first.recordCount} records`);

    const selfMs: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < JSON_RUNS; i++) {
      t0 = process.hrtime.bigint();
      await ctx.reports.createReport(owner, { uscc, type: 'self' });
      selfMs.push(ms(t0));
    }
    const cpu = process.cpuUsage(cpu0);
    const publicMs: number[] = [];
    for (let i = 0; i < JSON_RUNS; i++) {
      t0 = process.hrtime.bigint();
      await ctx.reports.createReport(anon, { uscc, type: 'public' });
      publicMs.push(ms(t0));
    }
    const pdfMs: number[] = [];
    for (let i = 0; i < PDF_RUNS; i++) {
      const m = await ctx.reports.createReport(owner, { uscc, type: 'self' });
      t0 = process.hrtime.bigint();
      await ctx.reports.getReportFile(owner, m.number, 'pdf');
      pdfMs.push(ms(t0));
    }

    // Throughput over HTTP: the real app vs a bare primary-key route on the same database.
    const built = await buildApp(ctx, { logger: false });
    await built.app.ready();
    const bare = Fastify({ logger: false });
    bare.get('/pk/:uscc', async (req) => {
      const r = await db
        .selectFrom('subjects')
        .select(['uscc', 'name'])
        .where('uscc', '=', (req.params as { uscc: string }).uscc)
        .executeTakeFirst();
      return r ?? {};
    });
    await bare.ready();
    const rps = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await fn();
      const start = process.hrtime.bigint();
      for (let i = 0; i < TPUT_RUNS; i++) await fn();
      return TPUT_RUNS / (ms(start) / 1000);
    };
    const reportRps = await rps(async () => {
      const res = await built.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: { uscc, type: 'public' },
      });
      if (res.statusCode !== 201) throw new Error(res.body);
    });
    const pkRps = await rps(async () => {
      const res = await bare.inject({ url: `/pk/${uscc}` });
      if (res.statusCode !== 200) throw new Error(res.body);
    });
    await built.app.close();
    await bare.close();
    return {
      kind,
      selfP50: pct(selfMs, 50),
      selfP99: pct(selfMs, 99),
      selfCpu: (cpu.user + cpu.system) / 1000 / JSON_RUNS,
      publicP50: pct(publicMs, 50),
      publicP99: pct(publicMs, 99),
      pdfP50: pct(pdfMs, 50),
      pdfMax: Math.max(...pdfMs),
      reportRps,
      pkRps,
    };
  } finally {
    await close();
    // A kept database keeps its data directory: its master key decrypts the stored ID numbers.
    if (!kept) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const kind of ['pglite', 'postgres'] as const) {
  if (only && only !== kind) continue;
  // Kept data live in a PostgreSQL database: --keep, --reuse and --setup-only measure PostgreSQL only.
  if (keep && kind !== 'postgres') continue;
  const r = await bench(kind);
  if (r) results.push(r);
}
if (setupOnly) process.exit(0);
const f = (n: number) => n.toFixed(1);
console.log(
  `\nbench:report — ${SUBJECTS} subjects, ${SUBJECTS * RECORDS_PER_SUBJECT} records + a subject with 300 (load ${os.loadavg()[0]!.toFixed(1)})`,
);
console.log(
  'database   self JSON p50/p99 ms   public JSON p50/p99 ms   PDF p50/max ms   report req/s   pk req/s   ratio',
);
for (const r of results) {
  console.log(
    `${r.kind.padEnd(10)} ${`${f(r.selfP50)} / ${f(r.selfP99)}`.padEnd(22)} ${`${f(r.publicP50)} / ${f(r.publicP99)}`.padEnd(24)} ${`${f(r.pdfP50)} / ${f(r.pdfMax)}`.padEnd(16)} ${f(r.reportRps).padEnd(14)} ${f(r.pkRps).padEnd(10)} ${f(r.pkRps / r.reportRps)}×`,
  );
}
const pgr = results.find((r) => r.kind === 'postgres') ?? results[0]!;
console.log(
  `summary: ${pgr.kind} self JSON report p99 ${f(pgr.selfP99)} ms (target ≤ 50; p50 ${f(pgr.selfP50)} ms, ${f(pgr.selfCpu)} ms process CPU each, load ${os.loadavg()[0]!.toFixed(1)}), PDF p50 ${f(pgr.pdfP50)} ms (target ≤ 500), bare pk route ${f(pgr.pkRps / pgr.reportRps)}× the report throughput`,
);
