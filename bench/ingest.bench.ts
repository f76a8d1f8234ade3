// `npm run bench:ingest [-- --quick] [-- --rows N] [-- --pglite-rows N]`
//
// Pushes generated 行政处罚信息 CSV rows through the real ingestion path (blob + digests, decode,
// parse, header match, validate, SM4 for ID numbers, version, store, subjects, ledger queue, batch
// progress) on PGlite and on PostgreSQL, and the same file through a raw bulk insert (the same CSV
// reader + one INSERT … SELECT FROM unnest($1, …, $19) per 1,000 rows into a bare table of 18 text
// columns without indexes) as the baseline. `--baseline-transport json` uses the previous baseline
// (one jsonb_to_recordset($1) parameter per 1,000 rows, up to session 4), which is slower.
// Each measurement runs in its own child process so that its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { createAppContext } from '../src/app/context.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ingestFile } from '../src/ingest/ingest.service.ts';
import { readText } from '../src/ingest/parsers/text.ts';
import { csvRecords } from '../src/ingest/parsers/csv-reader.ts';
import { integerArray, textArray } from '../src/db/array-literal.ts';
import { idCheckDigit, usccCheckChar } from '../src/shared/identifiers.ts';

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
/** The baseline's transport: `arrays` (default) or `json` (the baseline up to session 4). */
const baselineTransport = (arg('--baseline-transport') ?? process.env.BASELINE_TRANSPORT ?? 'arrays') as
  'arrays' | 'json';
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// ---- data ----

const surnames = '王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗';
const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂';
const trades = ['商贸', '建材', '餐饮', '物流', '科技', '食品', '医药', '机械', '服装', '农业'];
const violations = [
  '未按规定公示年度报告',
  '销售不合格产品',
  '无证经营',
  '虚假宣传',
  '超范围经营',
  '未落实食品安全管理制度',
];
const districts = ['410102', '410103', '410104', '410105', '410402', '410403'];

function uscc(n: number): string {
  const body = `91${districts[n % districts.length]}MA${String(n).padStart(7, '0')}`.slice(0, 17);
  return body + usccCheckChar(body);
}
function idNumber(n: number): string {
  const birth = `19${String(60 + (n % 40)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`;
  const body = `410102${birth}${String(n % 1000).padStart(3, '0')}`;
  return body + idCheckDigit(body);
}

/** N rows of 行政处罚信息, one subject per 5 rows, with a title row above the header (~420 bytes a row). */
async function generateCsv(file: string, n: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const header =
    '企业名称,统一社会信用代码,行政相对人类别,法定代表人姓名,法定代表人证件类型,法定代表人证件号码,行政处罚决定文书名称,行政处罚决定文书号,违法行为类型,违法事实,行政处罚依据,行政处罚内容,罚款金额,行政处罚决定日期,公示截止期,行政机关名称,行政机关统一社会信用代码,数据提供单位';
  let buf = `郑州市行政处罚信息（基准测试数据）\r\n${header}\r\n`;
  const authorityBody = '11410100MB1234567';
  const authority = authorityBody + usccCheckChar(authorityBody);
  for (let i = 0; i < n; i++) {
    const s = Math.floor(i / 5);
    const name = `郑州市${trades[s % trades.length]}第${s}有限公司`;
    const rep = surnames[s % surnames.length]! + given[(s * 7) % given.length]!;
    const month = 1 + (i % 12);
    const day = 1 + (i % 28);
    const v = violations[i % violations.length]!;
    buf += `${name},${uscc(s)},法人及非法人组织,${rep},身份证,${idNumber(s)},行政处罚决定书,郑市监罚〔2024〕${i + 1}号,${v},"经查，当事人${v}，违反了相关规定，情节一般。",《中华人民共和国行政处罚法》第二十八条,罚款,${((i % 500) + 1) / 10},2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},2025/${month}/${day},郑州市市场监督管理局,${authority},郑州市市场监督管理局\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

// ---- child: one measurement ----

interface Measurement {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  /** CPU per row in µs: this process, and its PostgreSQL backends (null: PGlite, in process). */
  nodeUsPerRow: number;
  backendUsPerRow: number | null;
  detail?: unknown;
}

/**
 * CPU seconds used so far by this process, and by the backends serving this benchmark's database
 * (PostgreSQL on this machine; a remote server gives null). The machine is shared: the wall-clock
 * ratio moves with the load, CPU per row says what the work costs.
 */
async function cpuNow(
  db: Db,
  target: 'pg' | 'pglite',
): Promise<{ node: number; backends: Map<number, number> | null }> {
  const u = process.cpuUsage();
  const node = (u.user + u.system) / 1e6;
  if (target === 'pglite') return { node, backends: null };
  const r = await sql<{
    pid: number;
  }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const backends = new Map<number, number>();
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      backends.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      return { node, backends: null };
    }
  }
  return { node, backends };
}

function cpuPerRow(
  before: Awaited<ReturnType<typeof cpuNow>>,
  after: Awaited<ReturnType<typeof cpuNow>>,
  rows: number,
): { nodeUsPerRow: number; backendUsPerRow: number | null } {
  let backend: number | null = null;
  if (before.backends && after.backends) {
    backend = 0;
    for (const [pid, s] of after.backends) backend += s - (before.backends.get(pid) ?? 0);
  }
  return {
    nodeUsPerRow: ((after.node - before.node) * 1e6) / rows,
    backendUsPerRow: backend === null ? null : (backend * 1e6) / rows,
  };
}

async function openDb(
  target: 'pg' | 'pglite',
): Promise<{ db: Db; url: string | undefined; close(): Promise<void> }> {
  if (target === 'pglite') {
    const db = createDb({});
    return { db, url: undefined, close: () => db.destroy() };
  }
  // A database of its own (not a schema): Kysely's migrator looks for its lock table in every
  // schema, so other schemas' migration tables on the shared server must not be visible.
  const name = `xinrong_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const db = createDb({ databaseUrl: url.toString(), poolSize: 4 });
  return {
    db,
    url: url.toString(),
    async close() {
      await db.destroy();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE ${name}`);
      await c.end();
    },
  };
}

async function child(mode: 'real' | 'baseline', target: 'pg' | 'pglite', file: string): Promise<Measurement> {
  const { db, close } = await openDb(target);
  try {
    if (mode === 'baseline') {
      await sql`CREATE TABLE bench_raw (line int, c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text, c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text)`.execute(
        db,
      );
      const cpu0 = await cpuNow(db, target);
      const started = performance.now();
      const head = fs.readFileSync(file).subarray(0, 65536);
      let rows = 0;
      let chunk: string[][] = [];
      // One array literal per column per 1,000 rows (decision 0125): the fastest plain INSERT we
      // found here, faster than one JSON parameter (26,800–34,800 against 22,400–24,700 rows/s at
      // 200,000 rows, 2026-11-22) and than the driver's own array serialisation.
      const flush = async () => {
        if (baselineTransport === 'arrays') {
          const cols = Array.from({ length: 18 }, (_, c) => chunk.map((r) => r[c] ?? null));
          const lines = chunk.map((_, i) => rows - chunk.length + i + 3);
          await sql`INSERT INTO bench_raw SELECT * FROM unnest(${integerArray(lines)}::int[], ${sql.join(cols.map((c) => sql`${textArray(c)}::text[]`))})`.execute(
            db,
          );
          chunk = [];
          return;
        }
        const json = JSON.stringify(
          chunk.map((r, i) => ({
            line: rows - chunk.length + i + 3,
            ...Object.fromEntries(r.map((v, c) => [`c${c + 1}`, v])),
          })),
        );
        await sql`INSERT INTO bench_raw SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(line int, ${sql.raw(Array.from({ length: 18 }, (_, c) => `c${c + 1} text`).join(', '))})`.execute(
          db,
        );
        chunk = [];
      };
      // The same CSV reader as the real path; the title and header rows are skipped.
      let line = 0;
      for await (const batch of csvRecords(readText(file, head))) {
        for (const rec of batch) {
          if (++line <= 2) continue;
          chunk.push(rec);
          rows++;
          if (chunk.length === 1000) await flush();
        }
      }
      if (chunk.length) await flush();
      const seconds = (performance.now() - started) / 1000;
      return {
        rows,
        seconds,
        rowsPerSecond: rows / seconds,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        ...cpuPerRow(cpu0, await cpuNow(db, target), rows),
      };
    }
    await migrateToLatest(db);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-data-'));
    try {
      const config = { ...loadConfig({}), dataDir, uploadLimitBytes: 8 * 1024 ** 3 };
      const ctx = createAppContext(config, db);
      await ctx.catalog.ensureSeedCatalog();
      const cpu0 = await cpuNow(db, target);
      const started = performance.now();
      const out = await ingestFile(ctx, {
        providerId: 'ndrc',
        kindCode: 'admin_penalty',
        path: file,
        source: 'cli',
      });
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuPerRow(cpu0, await cpuNow(db, target), out.received);
      if (out.rejected > 0) throw new Error(`bench rows rejected: ${JSON.stringify(out.errors.slice(0, 3))}`);
      const versions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM record_versions`.execute(db);
      const ledger = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_entries`.execute(db);
      const subjects = await sql<{ n: number }>`SELECT count(*)::int AS n FROM subjects`.execute(db);
      return {
        rows: out.received,
        seconds,
        rowsPerSecond: out.received / seconds,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        ...cpu,
        detail: {
          accepted: out.accepted,
          versions: versions.rows[0]!.n,
          ledger: ledger.rows[0]!.n,
          subjects: subjects.rows[0]!.n,
        },
      };
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    await close();
  }
}

// `--generate FILE N`: writes the benchmark's CSV of N rows (for profiling one part by hand).
if (args[0] === '--generate') {
  await generateCsv(args[1]!, Number(args[2]));
  process.exit(0);
}

if (args[0] === '--child') {
  const [, mode, target, file] = args as [string, 'real' | 'baseline', 'pg' | 'pglite', string];
  const m = await child(mode, target, file);
  process.stdout.write(`${JSON.stringify(m)}\n`);
  process.exit(0);
}

// ---- parent ----

/**
 * V8 grows its heap lazily when allocation is fast, so an uncapped child's peak RSS says more about
 * the garbage collector's mood than about what the pipeline keeps. `--heap-cap MB` (default 256 in
 * full runs) runs the PostgreSQL children with `--max-old-space-size`: a pipeline that accumulated
 * anything per row would crash there instead of finishing; `--heap-cap 0` measures uncapped.
 */
const heapCapMb = Number(arg('--heap-cap') ?? (quick ? 0 : 256));
/**
 * With the cap, V8's young generation is bounded too (`--max-semi-space-size`, default 16 MB with
 * the cap): Node 24's default let the heap reach ~236 MB and peak RSS 380–406 MB at 1,000,000 rows;
 * with 16 MB, ~136 MB and ~296 MB, for ~4% fewer rows/s (more scavenges), measured 2026-11-22.
 */
const semiSpaceMb = Number(arg('--semi-space') ?? (heapCapMb > 0 ? 16 : 0));

function measure(mode: 'real' | 'baseline', target: 'pg' | 'pglite', file: string): Measurement {
  const flags =
    heapCapMb > 0 && target === 'pg'
      ? [
          `--max-old-space-size=${heapCapMb}`,
          ...(semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`] : []),
        ]
      : [];
  // The child reads the baseline's transport from the environment (its argv is `--child …`).
  process.env.BASELINE_TRANSPORT = baselineTransport;
  const r = spawnSync(process.execPath, [...flags, self, '--child', mode, target, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${mode}/${target} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measurement;
}

function pgAvailable(): boolean {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const pg=require('pg');const c=new pg.Client(${JSON.stringify(pgUrl)});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))`,
    ],
    {
      cwd: path.dirname(path.dirname(self)),
    },
  );
  return r.status === 0;
}

const pgRows = Number(arg('--rows') ?? (quick ? 30_000 : 1_000_000));
const pgliteRows = Number(arg('--pglite-rows') ?? (quick ? 5_000 : 100_000));
/** `--targets pg` or `--targets pglite` runs one database only. */
const onlyTargets = (arg('--targets') ?? 'pglite,pg').split(',');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const summary: string[] = [];
const loadAtStart = os.loadavg()[0]!.toFixed(1);
try {
  console.log(
    `ingest benchmark (${quick ? 'quick' : 'full'}): ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, PostgreSQL children ${heapCapMb ? `with --max-old-space-size=${heapCapMb}${semiSpaceMb ? ` --max-semi-space-size=${semiSpaceMb}` : ''}` : 'uncapped'}`,
  );
  const results: { target: string; rows: number; real: Measurement; base: Measurement }[] = [];
  for (const [target, rows] of [
    ['pglite', pgliteRows],
    ['pg', pgRows],
  ] as const) {
    if (!onlyTargets.includes(target)) continue;
    if (target === 'pg' && !pgAvailable()) {
      console.log(`PostgreSQL at ${pgUrl} not reachable: skipped`);
      continue;
    }
    const file = path.join(tmp, `penalties-${rows}.csv`);
    if (!fs.existsSync(file)) await generateCsv(file, rows);
    const mb = fs.statSync(file).size / 1024 / 1024;
    console.log(`\n${target === 'pg' ? 'PostgreSQL' : 'PGlite'}: ${fmt(rows)} rows, ${mb.toFixed(0)} MB CSV`);
    const base = measure('baseline', target, file);
    const cpuText = (m: Measurement) =>
      `CPU ${m.nodeUsPerRow.toFixed(1)} µs/row Node${m.backendUsPerRow === null ? '' : ` + ${m.backendUsPerRow.toFixed(1)} µs/row backends`}`;
    console.log(
      `  baseline (raw bulk insert, ${baselineTransport}): ${fmt(base.rowsPerSecond)} rows/s, ${base.seconds.toFixed(1)} s, peak RSS ${fmt(base.peakRssMb)} MB, ${cpuText(base)}`,
    );
    const real = measure('real', target, file);
    console.log(
      `  real path:                  ${fmt(real.rowsPerSecond)} rows/s, ${real.seconds.toFixed(1)} s, peak RSS ${fmt(real.peakRssMb)} MB, ${cpuText(real)}  ${JSON.stringify(real.detail)}`,
    );
    console.log(
      `  ratio real/baseline:        ${(real.rowsPerSecond / base.rowsPerSecond).toFixed(2)}  (load average now ${os.loadavg()[0]!.toFixed(1)})`,
    );
    results.push({ target, rows, real, base });
    summary.push(
      `${target === 'pg' ? 'PostgreSQL' : 'PGlite'} ${fmt(rows)} rows: ${fmt(real.rowsPerSecond)} rows/s, ratio ${(real.rowsPerSecond / base.rowsPerSecond).toFixed(2)}, peak RSS ${fmt(real.peakRssMb)} MB`,
    );
  }
  const pgResult = results.find((r) => r.target === 'pg');
  const targets = pgResult
    ? ` | targets: ratio ≥ 0.5 on PostgreSQL ${pgResult.real.rowsPerSecond / pgResult.base.rowsPerSecond >= 0.5 ? 'met' : 'NOT met'}` +
      (pgResult.rows >= 1_000_000
        ? `, RSS < 400 MB at 1M rows ${pgResult.real.peakRssMb < 400 ? 'met' : 'NOT met'}`
        : '')
    : '';
  console.log(
    `\nsummary: ${summary.join('; ')}${targets} | load average ${loadAtStart}→${os.loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
