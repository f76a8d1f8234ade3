// `npm run bench:pull [-- --quick]`
//
// A report needing six pull kinds from six sandbox providers (real HTTP servers on loopback) whose
// answers take 50, 100, 150, 200, 250 and 300 ms. The pull goes through the real path: consent check
// (authorizeUse, counted and ledgered), concurrent calls with timeouts, breaker, limits and retries,
// validation against the catalog, masking, the pull_calls log and its ledger entries.
//
// The providers run in a child process (as remote providers would: their work does not share the
// platform's event loop). Baseline, measured in the same run: one plain GET to the slowest provider
// (what the report cannot beat). Figures: the pull's latency / the slowest provider's (target ≤ 1.2), the platform's overhead
// in ms (target < 20), and throughput with 50 pulls in flight. PGlite always; PostgreSQL too when
// TEST_DATABASE_URL is set (or --pg URL).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Actor } from '../src/access/actor.ts';
import { insertAgreement, insertOrganisation } from '../src/accounts/organisations.repository.ts';
import { createAppContext, type AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { createConnectors } from '../src/connectors/connectors.wiring.ts';
import { interfaceDefaults } from '../src/connectors/connectors.schemas.ts';
import { sandboxUscc } from '../src/connectors/sandbox/sandbox.data.ts';
import { startSandboxProvider, type SandboxProvider } from '../src/connectors/sandbox/sandbox.server.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { readSeedCatalog } from '../src/catalog/catalog.service.ts';
import { catalogDocumentSchema } from '../src/catalog/catalog.schema.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pgArg = args.indexOf('--pg');
const pgUrl = pgArg >= 0 ? args[pgArg + 1] : process.env.TEST_DATABASE_URL;

// Child mode: serve the six providers, print their URLs as one JSON line, stop when stdin closes.
if (args.includes('--serve-providers')) {
  const catalog = catalogDocumentSchema.parse(JSON.parse(readSeedCatalog()));
  const started: SandboxProvider[] = [];
  for (const p of planLatencies()) {
    started.push(await startSandboxProvider({ catalog, control: { latencyMs: p } }));
  }
  process.stdout.write(`${JSON.stringify(started.map((s) => s.url))}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else {
  await main();
}

function planLatencies(): number[] {
  return [50, 100, 150, 200, 250, 300];
}

/** Starts the providers' child process; resolves with their URLs (in plan order) and a stop function. */
async function startProviders(): Promise<{ urls: string[]; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-providers'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = readline.createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`providers exited with ${code}`)));
  });
  return { urls: JSON.parse(first) as string[], stop: () => child.stdin!.end() };
}

async function main(): Promise<void> {
  const sequentialPulls = quick ? 15 : 60;
  const concurrentPulls = quick ? 200 : 1_000;
  const inFlight = 50;

  /** Six pull kinds, six providers, 50–300 ms. */
  const plan = [
    { kind: 'tax_statistics', provider: 'tax', latencyMs: planLatencies()[0]! },
    { kind: 'social_insurance_arrears', provider: 'hrss', latencyMs: planLatencies()[1]! },
    { kind: 'medical_insurance_arrears', provider: 'nhsa', latencyMs: planLatencies()[2]! },
    { kind: 'patent', provider: 'cnipa', latencyMs: planLatencies()[3]! },
    { kind: 'electricity_fee', provider: 'power', latencyMs: planLatencies()[4]! },
    { kind: 'real_estate_mortgage', provider: 'realestate', latencyMs: planLatencies()[5]! },
  ];

  function pct(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
  }
  function median(xs: number[]): number {
    return pct(
      [...xs].sort((a, b) => a - b),
      0.5,
    );
  }
  const ms = (x: number) => `${x.toFixed(1)} ms`;

  async function openDb(dialect: 'pglite' | 'postgres'): Promise<{ db: Db; close: () => Promise<void> }> {
    if (dialect === 'pglite') {
      const db = createDb({});
      await migrateToLatest(db);
      return { db, close: () => db.destroy() };
    }
    const schema = `bench_pull_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    await admin.query('CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public');
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const db = createDb({ databaseUrl: pgUrl, schema, poolSize: 20 });
    await migrateToLatest(db);
    return {
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

  interface Result {
    dialect: string;
    slowestMs: number;
    pullMedianMs: number;
    /** CPU time of the platform process per pull (user + system), ms: robust to a busy machine. */
    cpuPerPullMs: number;
    /** Event-loop delay of the platform process during the throughput run (p99, max), ms. */
    loopP99Ms: number;
    loopMaxMs: number;
    pullP95Ms: number;
    ratio: number;
    overheadMs: number;
    throughput: number;
    idealThroughput: number;
    loadP50Ms: number;
    loadP95Ms: number;
    failures: number;
    failureCodes: Record<string, number>;
  }

  async function run(dialect: 'pglite' | 'postgres'): Promise<Result> {
    const { db, close } = await openDb(dialect);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-bench-pull-'));
    const ctx: AppContext = createAppContext({ ...loadConfig({}), dataDir, databaseUrl: undefined }, db);
    const providers = await startProviders();
    try {
      await ctx.catalog.ensureSeedCatalog();
      await insertOrganisation(db, {
        id: 'bench_bank',
        kind: 'institution',
        institution_type: 'bank',
        name_zh: '基准测试银行',
        uscc: null,
        region_code: null,
        created_by: 'bench',
      });
      await insertAgreement(db, {
        org_id: 'bench_bank',
        scope_kinds: [],
        scope_categories: [],
        purposes: ['loan_application'],
        purpose_text: 'bench',
        valid_from: '2020-01-01',
        valid_until: '2099-12-31',
        document_ref: null,
        created_by: 'bench',
      });
      // One subject and consent per request in flight: 50 loan applications, not one consent row that
      // every request would queue on.
      const subjects: Array<{ uscc: string; consentId: string }> = [];
      const bank: Actor = { type: 'institution_system', id: 'bench_bank', orgId: 'bench_bank' };
      for (let i = 0; i < inFlight; i++) {
        const uscc = sandboxUscc(20_261_122 + i);
        const enterprise = { type: 'enterprise' as const, id: `bench-ent-${i}`, uscc };
        // Refresh the catalog service's cached version first: the grant reads it inside its transaction,
        // and on PGlite a read through another connection then would wait for ever (see the report).
        await ctx.catalog.getCurrent();
        const consent = await ctx.consent.grantConsent(enterprise, {
          institutionId: 'bench_bank',
          purpose: 'loan_application',
          scope: { kinds: plan.map((p) => p.kind) },
          mode: 'query',
          validUntil: new Date(Date.now() + 86_400_000).toISOString(),
          maxUses: null,
        });
        subjects.push({ uscc, consentId: consent.id });
      }
      const uscc = subjects[0]!.uscc;
      // The platform's connector service as composed in production; limits above the load so the run
      // measures the platform, not a provider's configured capacity.
      const connectors = createConnectors({
        db,
        catalog: ctx.catalog,
        fieldCrypto: ctx.fieldCrypto,
        keyring: ctx.keyring,
      });
      const operator: Actor = { type: 'operator', id: 'bench' };
      for (const [i, p] of plan.entries()) {
        await connectors.createInterface(operator, {
          providerId: p.provider,
          kind: p.kind,
          baseUrl: `${providers.urls[i]}/kinds/${p.kind}`,
          auth: { type: 'none' },
          timeoutMs: interfaceDefaults.timeoutMs,
          retries: interfaceDefaults.retries,
          rateLimitPerSecond: 0,
          maxConcurrency: 256,
          cacheTtlSeconds: 0,
          storeAsRecords: null,
          enabled: true,
          note: 'bench',
        });
      }
      const slowestUrl = providers.urls[plan.length - 1]!;
      const slowKind = plan[plan.length - 1]!.kind;
      const kinds = plan.map((p) => p.kind);
      const pullOnce = (worker = 0) =>
        connectors.pull({
          actor: bank,
          uscc: subjects[worker]!.uscc,
          kinds,
          purpose: 'loan_application',
          consentId: subjects[worker]!.consentId,
        });

      // Warm up both paths (connections, JIT, catalog cache).
      for (let i = 0; i < 3; i++) {
        await (await fetch(`${slowestUrl}/kinds/${slowKind}?uscc=${uscc}`)).text();
        await pullOnce();
      }

      // Baseline and pull, interleaved so that both see the same machine state.
      const base: number[] = [];
      const pulls: number[] = [];
      let failures = 0;
      const failureCodes: Record<string, number> = {};
      const count = (r: Awaited<ReturnType<typeof pullOnce>>) => {
        for (const s of r.sections) {
          if (s.status === 'ok') continue;
          failures += 1;
          failureCodes[s.code ?? '?'] = (failureCodes[s.code ?? '?'] ?? 0) + 1;
          if (process.env.BENCH_DEBUG && failureCodes[s.code ?? '?'] === 1) {
            console.error(s.kind, s.reason?.en);
          }
        }
      };
      let pullCpuUs = 0;
      for (let i = 0; i < sequentialPulls; i++) {
        let t = performance.now();
        await (await fetch(`${slowestUrl}/kinds/${slowKind}?uscc=${uscc}`)).text();
        base.push(performance.now() - t);
        t = performance.now();
        const cpu = process.cpuUsage();
        const r = await pullOnce();
        pulls.push(performance.now() - t);
        const used = process.cpuUsage(cpu);
        pullCpuUs += used.user + used.system;
        count(r);
      }
      const slowestMs = median(base);
      const sortedPulls = [...pulls].sort((a, b) => a - b);
      const pullMedianMs = pct(sortedPulls, 0.5);

      // Throughput: `inFlight` pulls at a time until `concurrentPulls` are done.
      const loadLatencies: number[] = [];
      let next = 0;
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async (_, worker) => {
          while (next < concurrentPulls) {
            next += 1;
            const t = performance.now();
            const r = await pullOnce(worker);
            loadLatencies.push(performance.now() - t);
            count(r);
          }
        }),
      );
      const elapsedS = (performance.now() - started) / 1000;
      loop.disable();
      const loopP99Ms = loop.percentile(99) / 1e6;
      const loopMaxMs = loop.max / 1e6;
      const sortedLoad = loadLatencies.sort((a, b) => a - b);
      return {
        dialect,
        slowestMs,
        pullMedianMs,
        pullP95Ms: pct(sortedPulls, 0.95),
        ratio: pullMedianMs / slowestMs,
        cpuPerPullMs: pullCpuUs / 1000 / sequentialPulls,
        loopP99Ms,
        loopMaxMs,
        overheadMs: pullMedianMs - slowestMs,
        throughput: concurrentPulls / elapsedS,
        idealThroughput: inFlight / (slowestMs / 1000),
        loadP50Ms: pct(sortedLoad, 0.5),
        loadP95Ms: pct(sortedLoad, 0.95),
        failures,
        failureCodes,
      };
    } finally {
      providers.stop();
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  const only = args.indexOf('--only');
  const dialects: Array<'pglite' | 'postgres'> =
    only >= 0 ? [args[only + 1] as 'pglite' | 'postgres'] : pgUrl ? ['pglite', 'postgres'] : ['pglite'];
  console.log(
    `bench:pull${quick ? ' (quick)' : ''} (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs): 6 kinds from 6 providers (${plan.map((p) => p.latencyMs).join('/')} ms), ` +
      `${sequentialPulls} sequential pulls, then ${concurrentPulls} pulls with ${inFlight} in flight`,
  );
  const results: Result[] = [];
  for (const d of dialects) {
    const r = await run(d);
    results.push(r);
    console.log(`\n[${d}]`);
    console.log(`  slowest provider alone (baseline, median)  ${ms(r.slowestMs)}`);
    console.log(`  pull of 6 kinds (median / p95)             ${ms(r.pullMedianMs)} / ${ms(r.pullP95Ms)}`);
    console.log(`  ratio pull / slowest                        ${r.ratio.toFixed(3)}  (target ≤ 1.2)`);
    console.log(`  platform overhead                           ${ms(r.overheadMs)}  (target < 20 ms)`);
    console.log(`  platform CPU per pull (user + system)       ${ms(r.cpuPerPullMs)}`);
    console.log(
      `  throughput, ${inFlight} in flight                   ${r.throughput.toFixed(1)} pulls/s (ideal ${r.idealThroughput.toFixed(1)}: ${inFlight} / slowest), ` +
        `${(r.throughput * plan.length).toFixed(0)} provider calls/s`,
    );
    console.log(`  latency under load (p50 / p95)              ${ms(r.loadP50Ms)} / ${ms(r.loadP95Ms)}`);
    console.log(`  event-loop delay under load (p99 / max)     ${ms(r.loopP99Ms)} / ${ms(r.loopMaxMs)}`);
    console.log(
      `  sections not ok                             ${r.failures}${r.failures ? ` ${JSON.stringify(r.failureCodes)}` : ''}`,
    );
  }
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  console.log(
    `\nsummary: pull/slowest ratio ${results.map((r) => `${r.dialect} ${r.ratio.toFixed(2)}`).join(', ')} ` +
      `(overhead ${results.map((r) => `${r.overheadMs.toFixed(1)} ms`).join(', ')}); ` +
      `throughput ${results.map((r) => `${r.dialect} ${r.throughput.toFixed(0)}/s`).join(', ')} at ${inFlight} in flight; ` +
      `${worst.ratio <= 1.2 && worst.overheadMs < 20 ? 'targets met' : 'TARGET MISSED'}`,
  );
}
