// `npm run bench:read [-- --quick] [-- --pglite-only | --pg-only]`
//
// The one read path against a raw read of the same rows. A subject with 300 records (120 行政处罚 with
// encrypted ID numbers and publicity periods, 60 法院判决 with natural persons, 120 水费 under
// 有条件共享) is read by an institution under a consent: catalog lookup, subject, consent check and
// counted use (row lock, use row, ledger leaf), marks and ledger positions, decryption, masking,
// sections, access log and its ledger leaf — all in one transaction. The baseline reads the same
// 300 latest versions with one plain query and parses their JSON. Both in the same process, on
// PGlite and on PostgreSQL (a database of its own), interleaved, after a warm-up. Also shown: the
// same read with an empty decrypt cache ("cold", measured after the pairs). XINRONG_READ_COMMIT=async measures the read
// path with asynchronous commit (docs/decisions/0052). Target: read path ≤ 1.5 × raw.
//
// A second baseline, "raw JSON": the same rows as one JSON aggregate (json_agg of arrays, one
// JSON.parse), the transport the read path's snapshot uses. On PGlite it is ~2.5× cheaper than 300
// result rows, so the ratio against it says how much the checks, masking and logging cost on their
// own; the target is stated against the plain raw read. A third, "raw prepared": the plain raw read
// as a named statement the connection keeps prepared, as the read path's statements are on
// PostgreSQL (docs/decisions/0120), to show how much of the gain any query would get from that alone
// (in pairs with the read path of its own, after the main pairs).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createAppContext, type AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { createDb, executePrepared, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { readRecords } from '../src/access/read-path.ts';
import { createFieldCrypto } from '../src/access/field-crypto.ts';
import { listSubjectVersionsRaw } from '../src/records/record-reads.repository.ts';
import { ensureInstitution, storeRecords, testUscc } from '../src/accounts/accounts.testing.ts';
import { idCheckDigit } from '../src/shared/identifiers.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pgliteOnly = args.includes('--pglite-only');
const pgOnly = args.includes('--pg-only');
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const iterations = quick ? 60 : 400;
const warmup = quick ? 10 : 40;

function idNumber(n: number): string {
  const body = `4101021980${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return body + idCheckDigit(body);
}

async function openDb(target: 'pglite' | 'pg'): Promise<{ db: Db; close(): Promise<void> }> {
  if (target === 'pglite') {
    const db = createDb({});
    return { db, close: () => db.destroy() };
  }
  const name = `xinrong_bench_read_${randomBytes(4).toString('hex')}`;
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

async function setup(ctx: AppContext): Promise<{ uscc: string; consentId: string; kinds: string[] }> {
  const catalog = await ctx.catalog.ensureSeedCatalog();
  const uscc = testUscc(4242);
  const name = '郑州基准测试商贸有限公司';
  await storeRecords(ctx, catalog, 'business_licence', [
    { uscc, name, legal_rep_name: '王伟', established_on: '2012-01-01' },
  ]);
  await storeRecords(
    ctx,
    catalog,
    'admin_penalty',
    Array.from({ length: 120 }, (_, i) => ({
      uscc,
      name,
      legal_rep_name: '王伟',
      legal_rep_id_type: '身份证',
      legal_rep_id_number: idNumber(i),
      penalty_decision_no: `郑市监罚〔2025〕${i + 1}号`,
      violation_type: '虚假宣传',
      violation_facts:
        '经查，当事人在网店页面宣称产品“销量第一”，无事实依据，违反了《中华人民共和国广告法》第二十八条。',
      penalty_content: '罚款',
      fine_amount: 5000 + i,
      decided_on: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      publicity_until: '2028-12-31',
      authority_name: '郑州市市场监督管理局',
    })),
  );
  await storeRecords(
    ctx,
    catalog,
    'court_judgment',
    Array.from({ length: 59 }, (_, i) => ({
      uscc,
      name,
      cause: '买卖合同纠纷',
      case_no: `（2025）豫0105民初${1000 + i}号`,
      plaintiff_name: '李娜',
      plaintiff_id: idNumber(500 + i),
      defendant_name: name,
      defendant_id: uscc,
      judgment_result: '被告于本判决生效之日起十日内支付货款。',
      court: '郑州市金水区人民法院',
      published_on: `2025-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    })),
  );
  await storeRecords(
    ctx,
    catalog,
    'water_fee',
    Array.from({ length: 120 }, (_, i) => ({
      uscc,
      name,
      account_no: `ZZW${100000 + (i % 10)}`,
      bill_period: `${2016 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}`,
      amount_billed: 1200 + i,
      amount_paid: 1200 + i,
      paid_on: `${2016 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}-20`,
      water_volume: 300 + i,
      in_arrears: false,
    })),
  );
  await ensureInstitution(ctx, 'bench_bank', '基准测试银行');
  const { insertUser } = await import('../src/accounts/users.repository.ts');
  const userId = `bench-${randomBytes(4).toString('hex')}`;
  await insertUser(ctx.db, {
    id: userId,
    username: userId,
    role: 'enterprise',
    org_id: null,
    uscc,
    password_hash: 'x',
    totp_secret_enc: null,
    totp_last_step: null,
    locked_until: null,
    real_name_verified_at: new Date(),
    created_by: 'bench',
    last_login_at: null,
  });
  const consent = await ctx.consent.grantConsent(
    { type: 'enterprise', id: userId, uscc },
    {
      institutionId: 'bench_bank',
      purpose: 'loan_application',
      scope: { categories: ['utilities', 'administration', 'judicial', 'market_registration'] },
      mode: 'full_report',
      validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    },
  );
  return {
    uscc,
    consentId: consent.id,
    kinds: ['business_licence', 'admin_penalty', 'court_judgment', 'water_fee'],
  };
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function run(target: 'pglite' | 'pg') {
  const { db, close } = await openDb(target);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-read-'));
  try {
    await migrateToLatest(db);
    const ctx = createAppContext({ ...loadConfig({}), dataDir }, db);
    const { uscc, consentId, kinds } = await setup(ctx);
    const actor = { type: 'institution' as const, id: 'bench-officer', orgId: 'bench_bank' };
    const full = async () => {
      const r = await readRecords(ctx, { actor, uscc, consentId, kinds });
      return r.records.length;
    };
    // Cold: a fresh field-crypto instance (empty decrypt cache) for every read.
    const cold = async () => {
      const fieldCrypto = createFieldCrypto(ctx.keyring);
      const r = await readRecords({ ...ctx, fieldCrypto }, { actor, uscc, consentId, kinds });
      return r.records.length;
    };
    const raw = async () => {
      const rows = await listSubjectVersionsRaw(db, uscc, kinds);
      return rows.length;
    };
    // The plain raw read as a statement the connection keeps prepared (the read path's two
    // statements are, decision 0120): not the target's baseline, shown so that the part of the gain
    // that any query would get from preparing is visible.
    const rawPrepared = async () => {
      const r = await executePrepared(
        db,
        sql<{ id: number; created_at: Date | string; data: unknown }>`
          SELECT DISTINCT ON (v.record_id) v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data,
            v.occurred_on, v.catalog_version, v.provider_id, v.created_at
          FROM record_versions v
          WHERE v.uscc = ${uscc} AND v.kind_code = ANY(${kinds}::text[])
          ORDER BY v.record_id, v.version DESC`,
      );
      const rows = r.rows.map((x) => ({
        ...x,
        data: typeof x.data === 'string' ? (JSON.parse(x.data) as unknown) : x.data,
        created_at: x.created_at instanceof Date ? x.created_at.toISOString() : x.created_at,
      }));
      return rows.length;
    };
    // The same latest versions as one JSON document (what the read path's snapshot does).
    const rawJson = async () => {
      const r = await sql<{ v: unknown[][] | string | null }>`
        SELECT json_agg(json_build_array(v.id, v.record_id, v.kind_code, v.version, v.op, v.status, v.data,
          v.occurred_on, v.catalog_version, v.provider_id, v.created_at)) AS v
        FROM (SELECT DISTINCT ON (v.record_id) v.* FROM record_versions v
              WHERE v.uscc = ${uscc} AND v.kind_code = ANY(${kinds}::text[])
              ORDER BY v.record_id, v.version DESC) v`.execute(db);
      const v = r.rows[0]?.v ?? [];
      return (typeof v === 'string' ? (JSON.parse(v) as unknown[][]) : v).length;
    };
    const n1 = await full();
    const n2 = await raw();
    if ((await rawJson()) !== n2) throw new Error('raw JSON baseline: different row count');
    if ((await rawPrepared()) !== n2) throw new Error('raw prepared baseline: different row count');
    for (let i = 0; i < warmup; i++) {
      await full();
      await raw();
      await rawJson();
    }
    for (let i = 0; i < warmup / 4; i++) await rawPrepared();
    const tFull: number[] = [];
    const tCold: number[] = [];
    const tRaw: number[] = [];
    const tRawJson: number[] = [];
    const tRawPrepared: number[] = [];
    const pairPrepared: number[] = [];
    const pair: number[] = [];
    const pairJson: number[] = [];
    // Process CPU time (user + system) per read: the figure least disturbed by other work on the
    // machine. On PGlite it includes the database's own work (same process); on PostgreSQL only the
    // client side.
    let cpuFull = 0;
    let cpuRaw = 0;
    for (let i = 0; i < iterations; i++) {
      // Interleaved, so that all three see the same machine load; the per-pair ratio is the
      // figure least disturbed by other work on a shared machine.
      let c0 = process.cpuUsage();
      let t0 = performance.now();
      await raw();
      const r = performance.now() - t0;
      let c1 = process.cpuUsage(c0);
      cpuRaw += c1.user + c1.system;
      tRaw.push(r);
      c0 = process.cpuUsage();
      t0 = performance.now();
      await full();
      const f = performance.now() - t0;
      c1 = process.cpuUsage(c0);
      cpuFull += c1.user + c1.system;
      tFull.push(f);
      pair.push(f / r);
      t0 = performance.now();
      await rawJson();
      const rj = performance.now() - t0;
      tRawJson.push(rj);
      pairJson.push(f / rj);
    }
    // The prepared raw read in pairs of its own, after the main pairs: a fourth read in every pair
    // above changed the garbage each measured read runs into (PGlite: ~0.04× on the path's ratio).
    for (let i = 0; i < Math.ceil(iterations / 4); i++) {
      let t0 = performance.now();
      await rawPrepared();
      const rp = performance.now() - t0;
      t0 = performance.now();
      await full();
      const f = performance.now() - t0;
      tRawPrepared.push(rp);
      pairPrepared.push(f / rp);
    }
    // Cold reads after the pairs, not between them: each builds a key schedule and decrypts every
    // value again, and the garbage it leaves was being collected during the next measured pair.
    for (let i = 0; i < Math.ceil(iterations / 4); i++) {
      const t0 = performance.now();
      await cold();
      tCold.push(performance.now() - t0);
    }
    const f = stats(tFull);
    const c = stats(tCold);
    const r = stats(tRaw);
    const p = stats(pair);
    const rj = stats(tRawJson);
    const rp = stats(tRawPrepared);
    return {
      target,
      records: { readPath: n1, raw: n2 },
      readPath: f,
      cold: c,
      raw: r,
      ratio: p.median,
      minRatio: f.min / r.min,
      rawJson: rj,
      ratioJson: stats(pairJson).median,
      rawPrepared: rp,
      ratioPrepared: stats(pairPrepared).median,
      cpu: { readPath: cpuFull / iterations / 1000, raw: cpuRaw / iterations / 1000 },
    };
  } finally {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (const target of pgliteOnly
  ? (['pglite'] as const)
  : pgOnly
    ? (['pg'] as const)
    : (['pglite', 'pg'] as const)) {
  try {
    const r = await run(target);
    results.push(r);
    console.log(
      `${target.padEnd(6)} records ${r.records.readPath}/${r.records.raw}  raw median ${r.raw.median.toFixed(2)} ms (min ${r.raw.min.toFixed(2)})  ` +
        `read path median ${r.readPath.median.toFixed(2)} ms (min ${r.readPath.min.toFixed(2)}, p95 ${r.readPath.p95.toFixed(2)})  ` +
        `cold decrypt median ${r.cold.median.toFixed(2)} ms  ratio ${r.ratio.toFixed(2)}× (median of pairs; min/min ${r.minRatio.toFixed(2)}×)  ` +
        `raw JSON median ${r.rawJson.median.toFixed(2)} ms (min ${r.rawJson.min.toFixed(2)}), ratio ${r.ratioJson.toFixed(2)}×  ` +
        `raw prepared median ${r.rawPrepared.median.toFixed(2)} ms (min ${r.rawPrepared.min.toFixed(2)}), ratio ${r.ratioPrepared.toFixed(2)}×  ` +
        `CPU per read ${r.cpu.readPath.toFixed(2)} vs ${r.cpu.raw.toFixed(2)} ms (${(r.cpu.readPath / r.cpu.raw).toFixed(2)}×)`,
    );
  } catch (e) {
    console.log(`${target}: skipped (${e instanceof Error ? e.message : String(e)})`);
  }
}
const worst = results.length ? Math.max(...results.map((r) => r.ratio)) : Infinity;
console.log(
  `bench:read ${quick ? '(quick) ' : ''}${iterations} reads of 300 records (load ${os.loadavg()[0]!.toFixed(1)}): ${results.map((r) => `${r.target} ${r.ratio.toFixed(2)}× raw (min/min ${r.minRatio.toFixed(2)}×, ${r.ratioJson.toFixed(2)}× raw JSON)`).join(', ')} — target ≤ 1.5× ${worst <= 1.5 ? 'met' : 'NOT met'}`,
);
