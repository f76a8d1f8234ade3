// `npm run bench:ledger [-- --quick] [-- --rows N] [-- --pglite-rows N] [-- --leaves N]
//   [-- --targets pglite,pg] [-- --parts ingest,proofs] [-- --repeat 2]`
//
// 1. The ledger's share of ingestion time: the same CSV of 行政处罚信息 through the real ingestion path
//    (ingestFile), in separate processes on fresh databases, with the ledger queue bypassed (baseline)
//    and with the sequencer placing every entry (tiles, runs, checkpoint), interleaved `--repeat`
//    times, fastest of each. Share = (with − without) / with, where "with" counts ingestion and the
//    sequencing still to do when it ends. `--sequencer beside` (default) runs the periodic sequencer
//    during ingestion, as `serve` does; `--sequencer after` sequences everything afterwards, an
//    upper bound. The time spent encoding the entries (canonical text + leaf hash) is printed too.
//    Without the ledger, record versions take their ids from the column default and no queue rows
//    are written.
// 2. Proof generation at 10,000,000 leaves: leaf hashes synthesised straight into the tile table (no
//    entries), then random inclusion and consistency proofs through LedgerService, cold tile cache;
//    baseline: one primary-key read of a tile row.
// 3. Full verification throughput (leaves/s) on the log built in 1, with and without the source-row
//    checks; baseline: the same leaves hashed in memory.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ingestFile } from '../src/ingest/ingest.service.ts';
import { canonicalEntry } from '../src/ledger/canonical.ts';
import { treeHasher } from '../src/ledger/hash.ts';
import { bypassLedgerQueueForBenchmark, ledgerQueueStats } from '../src/ledger/ledger-queue.ts';
import {
  ensureState,
  findQueueRowsByIds,
  upsertTiles,
  updateState,
  insertRuns,
} from '../src/ledger/ledger.repository.ts';
import { createLedgerService } from '../src/ledger/ledger.service.ts';
import { rootHash, verifyConsistency, verifyInclusion } from '../src/ledger/merkle.ts';
import { fullTileLevels, innerOf, TILE_WIDTH, type Tile } from '../src/ledger/tiles.ts';
import { idCheckDigit, usccCheckChar } from '../src/shared/identifiers.ts';

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// ---- data: 行政处罚信息 rows (one subject per 5 rows), as a provider sends them ----

function uscc(n: number): string {
  const body = `91410102MA${String(n).padStart(7, '0')}`.slice(0, 17);
  return body + usccCheckChar(body);
}
function idNumber(n: number): string {
  const body = `410102${1960 + (n % 40)}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return body + idCheckDigit(body);
}

async function generateCsv(file: string, n: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const header =
    '企业名称,统一社会信用代码,行政相对人类别,法定代表人姓名,法定代表人证件类型,法定代表人证件号码,行政处罚决定文书名称,行政处罚决定文书号,违法行为类型,违法事实,行政处罚依据,行政处罚内容,罚款金额,行政处罚决定日期,公示截止期,行政机关名称,行政机关统一社会信用代码,数据提供单位';
  const authorityBody = '11410100MB1234567';
  const authority = authorityBody + usccCheckChar(authorityBody);
  let buf = `${header}\r\n`;
  for (let i = 0; i < n; i++) {
    const s = Math.floor(i / 5);
    const m = String(1 + (i % 12)).padStart(2, '0');
    const d = String(1 + (i % 28)).padStart(2, '0');
    buf += `郑州市商贸第${s}有限公司,${uscc(s)},法人及非法人组织,王伟,身份证,${idNumber(s)},行政处罚决定书,郑市监罚〔2024〕${i + 1}号,虚假宣传,"经查，当事人虚假宣传，情节一般。",《中华人民共和国行政处罚法》第二十八条,罚款,${((i % 500) + 1) / 10},2024-${m}-${d},2025/${m}/${d},郑州市市场监督管理局,${authority},郑州市市场监督管理局\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

// ---- databases: PGlite on disk, or a PostgreSQL database of its own ----

async function openDb(target: 'pg' | 'pglite', dir: string): Promise<{ db: Db; close(): Promise<void> }> {
  if (target === 'pglite') {
    const db = createDb({ dataDir: dir });
    return { db, close: () => db.destroy() };
  }
  const name = `xinrong_ledger_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const db = createDb({ databaseUrl: url.toString(), poolSize: 4 });
  return {
    db,
    async close() {
      await db.destroy();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE ${name}`);
      await c.end();
    },
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

// ---- children: one measurement each, in a fresh process ----

async function childIngest(
  target: 'pg' | 'pglite',
  file: string,
  withLedger: boolean,
  sequencer: 'beside' | 'after',
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-ledger-bench-'));
  const { db, close } = await openDb(target, dir);
  try {
    await migrateToLatest(db);
    const ctx = createAppContext({ ...loadConfig({}), dataDir: dir, uploadLimitBytes: 8 * 1024 ** 3 }, db);
    await ctx.catalog.ensureSeedCatalog();
    await ctx.ledger.sequenceNow(); // the catalog's own entry and the first checkpoint, outside the timing
    bypassLedgerQueueForBenchmark(!withLedger);
    // 'beside': the periodic sequencer runs during ingestion, as `serve` runs it (every second,
    // a checkpoint at most every 10 s); what it has not placed when ingestion ends is sequenced
    // after, and counted. 'after': everything is sequenced after ingestion (an upper bound).
    if (withLedger && sequencer === 'beside') ctx.ledger.start();
    const t0 = performance.now();
    const out = await ingestFile(ctx, {
      providerId: 'ndrc',
      kindCode: 'admin_penalty',
      path: file,
      source: 'cli',
    });
    const ingestSeconds = (performance.now() - t0) / 1000;
    if (out.rejected > 0) throw new Error(`rows rejected: ${JSON.stringify(out.errors.slice(0, 3))}`);
    if (!withLedger) return { rows: out.received, ingestSeconds, totalSeconds: ingestSeconds };
    const enqueueSeconds = ledgerQueueStats().ms / 1000;
    const encodeSeconds = ledgerQueueStats().encodeMs / 1000;
    const t1 = performance.now();
    await ctx.ledger.stop(); // waits for a periodic round still running: its time counts
    const seq = await ctx.ledger.sequenceNow();
    const sequenceSeconds = (performance.now() - t1) / 1000;
    // Full verification of the log just built.
    const full = await ctx.ledger.verify({ sources: true });
    const leavesOnly = await ctx.ledger.verify({ sources: false });
    if (!full.ok || !leavesOnly.ok) {
      throw new Error(`verify failed: ${JSON.stringify(full.problems.slice(0, 3))}`);
    }
    // Baseline for verification: the same entries recomputed and hashed in memory (no database).
    const ids = (
      await sql<{ id: number }>`SELECT id FROM ledger_queue ORDER BY id LIMIT 20000`.execute(db)
    ).rows.map((r) => Number(r.id));
    const rows = [...(await findQueueRowsByIds(db, ids)).values()];
    const h = treeHasher('sm3');
    const th = performance.now();
    for (const r of rows) h.hashLeaf(canonicalEntry(r));
    const memoryLeavesPerSecond = rows.length / ((performance.now() - th) / 1000);
    return {
      rows: out.received,
      ingestSeconds,
      sequenceSeconds,
      enqueueSeconds,
      encodeSeconds,
      totalSeconds: ingestSeconds + sequenceSeconds,
      leaves: seq.treeSize,
      sequencedAfter: seq.sequenced,
      verifyLeavesPerSecond: full.leavesPerSecond,
      verifyLeavesOnlyPerSecond: leavesOnly.leavesPerSecond,
      memoryLeavesPerSecond,
    };
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function childProofs(target: 'pg' | 'pglite', leaves: number, samples: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-ledger-bench-'));
  const { db, close } = await openDb(target, dir);
  try {
    await migrateToLatest(db);
    const h = treeHasher('sm3');
    // Synthesise the tiles of a log of `leaves` random leaf hashes, level by level, in batches.
    const t0 = performance.now();
    let level = 0;
    let count = leaves;
    let current: Buffer[] = []; // hashes of the current level still to write
    let nextLevel: Buffer[] = [];
    const flush = async (tiles: Tile[]) => {
      for (let i = 0; i < tiles.length; i += 256) await upsertTiles(db, tiles.slice(i, i + 256));
    };
    while (count >= 1) {
      const tiles: Tile[] = [];
      for (let idx = 0; idx * TILE_WIDTH < count; idx++) {
        const width = Math.min(TILE_WIDTH, count - idx * TILE_WIDTH);
        const hashes =
          level === 0
            ? Array.from({ length: width }, () => randomBytes(32))
            : current.slice(idx * TILE_WIDTH, idx * TILE_WIDTH + width);
        let inner: Buffer | null = null;
        if (width === TILE_WIDTH) {
          const levels = fullTileLevels(h, hashes);
          nextLevel.push(levels[8]![0]!);
          inner = innerOf(levels);
        }
        tiles.push({ level, idx, width, hashes: Buffer.concat(hashes), inner });
        if (tiles.length >= 1024) await flush(tiles.splice(0));
      }
      await flush(tiles);
      current = nextLevel;
      nextLevel = [];
      count = Math.floor(count / TILE_WIDTH);
      level += 1;
    }
    await ensureState(db, 'sm3');
    await updateState(db, { treeSize: leaves, cursor: null, openXids: [] });
    await insertRuns(db, [{ firstLeaf: 0, firstEntryId: 1, entryCount: leaves }]);
    const buildSeconds = (performance.now() - t0) / 1000;

    const ledger = createLedgerService({ db, config: { dataDir: dir } });
    const rnd = (n: number) => Math.floor(Math.random() * n);
    // Correctness first (untimed): proofs verify against the root computed from the tiles.
    const root = Buffer.from((await ledger.inclusionProof(0, leaves)).rootHash, 'base64');
    for (let k = 0; k < 20; k++) {
      const i = rnd(leaves);
      const p = await ledger.inclusionProof(i, leaves);
      if (
        !verifyInclusion(
          h,
          i,
          leaves,
          Buffer.from(p.leafHash, 'base64'),
          p.proof.map((x) => Buffer.from(x, 'base64')),
          root,
        )
      ) {
        throw new Error(`proof of leaf ${i} does not verify`);
      }
    }
    const fresh = createLedgerService({ db, config: { dataDir: dir } }); // cold tile cache
    const times: number[] = [];
    for (let k = 0; k < samples; k++) {
      const i = rnd(leaves);
      const t = performance.now();
      await fresh.inclusionProof(i, leaves);
      times.push(performance.now() - t);
    }
    const cons: number[] = [];
    // As many consistency proofs as inclusion proofs: with a tenth as many, "p99" was the second
    // slowest of 100 and moved with any single pause of the process.
    for (let k = 0; k < samples; k++) {
      const m = 1 + rnd(leaves - 1);
      const t = performance.now();
      const c = await fresh.consistencyProof(m, leaves);
      cons.push(performance.now() - t);
      if (
        k < 5 &&
        !verifyConsistency(
          h,
          m,
          leaves,
          c.proof.map((x) => Buffer.from(x, 'base64')),
          Buffer.from(c.fromRoot, 'base64'),
          root,
        )
      ) {
        throw new Error(`consistency ${m} → ${leaves} does not verify`);
      }
    }
    void rootHash;
    const point: number[] = [];
    for (let k = 0; k < samples; k++) {
      const idx = rnd(Math.ceil(leaves / TILE_WIDTH));
      const t = performance.now();
      await sql`SELECT encode(hashes, 'base64') FROM ledger_tiles WHERE level = 0 AND idx = ${idx}`.execute(
        db,
      );
      point.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    cons.sort((a, b) => a - b);
    point.sort((a, b) => a - b);
    return {
      leaves,
      buildSeconds,
      proofP50: pct(times, 50),
      proofP99: pct(times, 99),
      proofMean: times.reduce((a, b) => a + b, 0) / times.length,
      consistencyP50: pct(cons, 50),
      consistencyP99: pct(cons, 99),
      pointReadP50: pct(point, 50),
      pointReadP99: pct(point, 99),
      samples,
    };
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--child') {
  const [, kind, target, a, b] = args as [string, string, 'pg' | 'pglite', string, string];
  const r =
    kind === 'proofs'
      ? await childProofs(target, Number(a), Number(b))
      : await childIngest(target, a, kind === 'with', b === 'after' ? 'after' : 'beside');
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

// ---- parent ----

function run<T>(...childArgs: string[]): T {
  const r = spawnSync(process.execPath, [self, '--child', ...childArgs], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${childArgs.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function pgAvailable(): boolean {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const pg=require('pg');const c=new pg.Client(${JSON.stringify(pgUrl)});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))`,
    ],
    { cwd: path.dirname(path.dirname(self)) },
  );
  return r.status === 0;
}

type IngestResult = Awaited<ReturnType<typeof childIngest>> & {
  sequenceSeconds?: number;
  enqueueSeconds?: number;
  encodeSeconds?: number;
  leaves?: number;
  verifyLeavesPerSecond?: number;
  verifyLeavesOnlyPerSecond?: number;
  memoryLeavesPerSecond?: number;
};
type ProofResult = Awaited<ReturnType<typeof childProofs>>;

const pgRows = Number(arg('--rows') ?? (quick ? 10_000 : 1_000_000));
const pgliteRows = Number(arg('--pglite-rows') ?? (quick ? 5_000 : 100_000));
const leaves = Number(arg('--leaves') ?? (quick ? 300_000 : 10_000_000));
const samples = quick ? 200 : 1000;
const repeat = Number(arg('--repeat') ?? (quick ? 1 : 2));
/** `--sequencer beside` (default: as `serve` runs it) or `--sequencer after` (the upper bound). */
const sequencerMode = arg('--sequencer') === 'after' ? 'after' : 'beside';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(2)} ms`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-ledger-bench-'));
const summary: string[] = [];
const loadAtStart = os.loadavg()[0]!.toFixed(1);
const load = () => `load average ${os.loadavg()[0]!.toFixed(1)}`;
try {
  console.log(
    `ledger benchmark (${quick ? 'quick' : 'full'}): ${os.cpus().length} CPUs, Node ${process.version}, SM3 + SM2, load average ${loadAtStart}`,
  );
  const hasPg = pgAvailable();
  if (!hasPg) console.log(`PostgreSQL at ${pgUrl} not reachable: PostgreSQL parts skipped`);
  // --targets pglite,pg and --parts ingest,proofs select what runs (default: everything available).
  const wanted = (arg('--targets') ?? 'pglite,pg').split(',');
  const parts = (arg('--parts') ?? 'ingest,proofs').split(',');
  const targets = (['pglite', 'pg'] as const).filter((t) => wanted.includes(t) && (t === 'pglite' || hasPg));

  for (const target of parts.includes('ingest') ? targets : []) {
    const rows = target === 'pg' ? pgRows : pgliteRows;
    const name = target === 'pg' ? 'PostgreSQL' : 'PGlite';
    const file = path.join(tmp, `penalties-${rows}.csv`);
    if (!fs.existsSync(file)) await generateCsv(file, rows);
    console.log(`\n${name}: ingestion of ${fmt(rows)} rows`);
    // Without and with, interleaved `repeat` times; the fastest run of each counts (the usual
    // estimator on a shared machine, where load only ever adds time).
    const withouts: IngestResult[] = [];
    const withs: IngestResult[] = [];
    for (let k = 0; k < repeat; k++) {
      withouts.push(run<IngestResult>('without', target, file, sequencerMode));
      withs.push(run<IngestResult>('with', target, file, sequencerMode));
    }
    const without = withouts.reduce((a, b) => (b.totalSeconds < a.totalSeconds ? b : a));
    const withL = withs.reduce((a, b) => (b.totalSeconds < a.totalSeconds ? b : a));
    const share = (withL.totalSeconds - without.totalSeconds) / withL.totalSeconds;
    const list = (rs: IngestResult[]) => rs.map((r) => r.totalSeconds.toFixed(1)).join(', ');
    console.log(
      `  without ledger (baseline): ${without.ingestSeconds.toFixed(1)} s (${fmt(rows / without.ingestSeconds)} rows/s); runs: ${list(withouts)} s`,
    );
    console.log(
      `  with ledger: ingest ${withL.ingestSeconds.toFixed(1)} s (canonical texts + leaf hashes ${withL.encodeSeconds!.toFixed(1)} s summed over chunks, wall time including the wait for the hashing thread while other chunks proceed; ` +
        `their queue rows are written by the statement that appends the versions), ` +
        (sequencerMode === 'beside'
          ? `sequencer beside ingestion, then ${withL.sequenceSeconds!.toFixed(1)} s for the ${fmt(withL.sequencedAfter!)} entries left and the checkpoint, `
          : `sequencing after ingestion ${withL.sequenceSeconds!.toFixed(1)} s (${fmt(withL.leaves! / withL.sequenceSeconds!)} leaves/s), `) +
        `total ${withL.totalSeconds.toFixed(1)} s; runs: ${list(withs)} s`,
    );
    console.log(
      `  ledger share of ingestion time (sequencer ${sequencerMode}): ${(share * 100).toFixed(1)}% (target ≤ 20%); ratio with/without ${(withL.totalSeconds / without.totalSeconds).toFixed(2)} (${load()})`,
    );
    console.log(
      `  full verify: ${fmt(withL.verifyLeavesPerSecond!)} leaves/s with source-row checks, ${fmt(withL.verifyLeavesOnlyPerSecond!)} leaves/s leaves only; ` +
        `in-memory recompute ${fmt(withL.memoryLeavesPerSecond!)} leaves/s (ratio ${(withL.verifyLeavesOnlyPerSecond! / withL.memoryLeavesPerSecond!).toFixed(2)})`,
    );
    summary.push(
      `${name} ${fmt(rows)} rows: ledger share ${(share * 100).toFixed(1)}% (sequencer ${sequencerMode}), verify ${fmt(withL.verifyLeavesPerSecond!)} leaves/s`,
    );
  }

  for (const target of parts.includes('proofs') ? targets : []) {
    const name = target === 'pg' ? 'PostgreSQL' : 'PGlite';
    console.log(`\n${name}: proofs at ${fmt(leaves)} leaves (${samples} random leaves, cold cache)`);
    const p = run<ProofResult>('proofs', target, String(leaves), String(samples));
    console.log(`  tiles synthesised in ${p.buildSeconds.toFixed(1)} s`);
    console.log(
      `  inclusion proof: p50 ${ms(p.proofP50)}, p99 ${ms(p.proofP99)} (target p99 < 5 ms), mean ${ms(p.proofMean)}; consistency proof: p50 ${ms(p.consistencyP50)}, p99 ${ms(p.consistencyP99)}`,
    );
    console.log(
      `  baseline, one tile row by primary key: p50 ${ms(p.pointReadP50)}, p99 ${ms(p.pointReadP99)}; ratio p99 ${(p.proofP99 / p.pointReadP99).toFixed(1)} (${load()})`,
    );
    summary.push(
      `${name} proof p99 ${ms(p.proofP99)} (consistency ${ms(p.consistencyP99)}) at ${fmt(leaves)} leaves`,
    );
  }
  console.log(
    `\nsummary: ${summary.join('; ')} | load average ${loadAtStart}→${os.loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
