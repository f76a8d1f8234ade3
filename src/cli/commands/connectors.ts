import fs from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { systemActor } from '../../access/actor.ts';
import { readSeedCatalog } from '../../catalog/catalog.service.ts';
import { catalogDocumentSchema } from '../../catalog/catalog.schema.ts';
import { createInterfaceSchema, type InterfaceView } from '../../connectors/connectors.schemas.ts';
import {
  sandboxModes,
  startSandboxProvider,
  type SandboxMode,
} from '../../connectors/sandbox/sandbox.server.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';

/** `xinrong connectors list|add|health` and `xinrong sandbox-provider`. */

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    throw new AppError('validation_failed', { detail: `${name} must be a number / 须为数字` });
  }
  return n;
}

function zodDetail(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
}

function line(i: InterfaceView): string {
  return [
    String(i.id).padStart(4),
    i.enabled ? '启用/on ' : '停用/off',
    i.providerId.padEnd(14),
    i.kind.padEnd(28),
    i.baseUrl,
    `auth=${i.auth.type}`,
    `timeout=${i.timeoutMs}ms`,
    `retries=${i.retries}`,
    `rate=${i.rateLimitPerSecond || '∞'}/s`,
    `conc=${i.maxConcurrency}`,
    `cache=${i.cacheTtlSeconds}s`,
    `store=${i.storeAsRecords ? 'records' : 'shown'}(${i.storeAsRecordsSource})`,
  ].join('  ');
}

export function registerConnectors(program: Command): void {
  const connectors = program
    .command('connectors')
    .description('接口调用：数据提供单位接口 / on-demand provider interfaces');

  connectors
    .command('list')
    .description('列出登记的接口 / list registered interfaces')
    .option('--provider <id>', '数据提供单位 / provider id')
    .option('--kind <code>', '信息项 / kind code')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { provider?: string; kind?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const list = await ctx.connectors.listInterfaces(systemActor(), {
          ...(opts.provider ? { providerId: opts.provider } : {}),
          ...(opts.kind ? { kind: opts.kind } : {}),
        });
        if (opts.json) return printJson(list);
        for (const i of list) console.log(line(i));
        console.log(`共 ${list.length} 个接口 / ${list.length} interfaces`);
      });
    });

  connectors
    .command('add')
    .description('为接口调用类信息项登记接口 / register an interface for a pull kind')
    .requiredOption('--provider <id>', '数据提供单位 / provider id (e.g. tax)')
    .requiredOption('--kind <code>', '信息项 / kind code (e.g. tax_arrears)')
    .requiredOption(
      '--url <url>',
      '接口地址，平台以 GET <url>?uscc=… 调用 / base URL, called as GET <url>?uscc=…',
    )
    .option('--auth <type>', '认证方式 / auth: none | bearer | hmac', 'none')
    .option('--token <token>', 'bearer 令牌 / bearer token')
    .option('--key-id <id>', 'HMAC 密钥标识 / HMAC key id')
    .option('--secret <secret>', 'HMAC 密钥 / HMAC secret')
    .option('--algorithm <alg>', 'HMAC 算法 / hmac-sha256 | hmac-sm3', 'hmac-sha256')
    .option('--timeout-ms <ms>', '每次调用超时（毫秒） / per-attempt timeout, ms')
    .option('--retries <n>', '超时、连接失败或 5xx 时重试次数 / retries on timeout, connection failure, 5xx')
    .option('--rate <n>', '每秒调用上限，0 为不限 / calls per second, 0 = unlimited')
    .option('--concurrency <n>', '并发上限 / concurrent calls')
    .option('--cache-ttl <s>', '缓存时长（秒） / cache lifetime, seconds')
    .option('--store', '结果存为记录（版本化、入账本） / store answers as records')
    .option('--no-store', '结果只展示，仅记录摘要 / show answers only, log their digest')
    .option('--disabled', '登记但不启用 / register disabled')
    .option('--note <text>', '备注 / note')
    .option('--json', 'JSON 输出 / JSON output')
    .action(
      async (opts: {
        provider: string;
        kind: string;
        url: string;
        auth: string;
        token?: string;
        keyId?: string;
        secret?: string;
        algorithm: string;
        timeoutMs?: string;
        retries?: string;
        rate?: string;
        concurrency?: string;
        cacheTtl?: string;
        store?: boolean;
        disabled?: boolean;
        note?: string;
        json?: boolean;
      }) => {
        const auth =
          opts.auth === 'bearer'
            ? { type: 'bearer', token: opts.token }
            : opts.auth === 'hmac'
              ? { type: 'hmac', keyId: opts.keyId, secret: opts.secret, algorithm: opts.algorithm }
              : { type: opts.auth };
        const parsed = createInterfaceSchema.safeParse({
          providerId: opts.provider,
          kind: opts.kind,
          baseUrl: opts.url,
          auth,
          timeoutMs: num('--timeout-ms', opts.timeoutMs),
          retries: num('--retries', opts.retries),
          rateLimitPerSecond: num('--rate', opts.rate),
          maxConcurrency: num('--concurrency', opts.concurrency),
          cacheTtlSeconds: num('--cache-ttl', opts.cacheTtl),
          // commander: --store → true, --no-store → false, neither → undefined (catalog default).
          storeAsRecords: opts.store ?? null,
          enabled: !opts.disabled,
          note: opts.note,
        });
        if (!parsed.success) throw new AppError('validation_failed', { detail: zodDetail(parsed.error) });
        await withContext(async (ctx) => {
          const created = await ctx.connectors.createInterface(systemActor(), parsed.data);
          if (opts.json) return printJson(created);
          console.log(`已登记 / registered: ${line(created)}`);
        });
      },
    );

  connectors
    .command('health')
    .description('各数据提供单位接口健康状况 / per-provider health (success rate, latency, last error)')
    .option('--window <minutes>', '统计时间窗（分钟） / window, minutes', '60')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { window: string; json?: boolean }) => {
      const windowMinutes = num('--window', opts.window)!;
      if (!Number.isInteger(windowMinutes) || windowMinutes < 1) {
        throw new AppError('validation_failed', { detail: '--window ≥ 1' });
      }
      await withContext(async (ctx) => {
        const h = await ctx.connectors.getHealth({ windowMinutes });
        if (opts.json) return printJson(h);
        console.log(`自 / since ${h.since}（熔断状态为本进程所见 / breaker state as seen by this process）`);
        for (const p of h.providers) {
          const rate = p.successRate === null ? '-' : `${(p.successRate * 100).toFixed(1)}%`;
          console.log(
            [
              p.providerId.padEnd(16),
              `接口 interfaces ${p.enabledInterfaces}/${p.kinds.length}`,
              `调用 calls ${p.calls}`,
              `成功率 success ${rate}`,
              `p50 ${p.p50Ms ?? '-'}ms`,
              `p95 ${p.p95Ms ?? '-'}ms`,
              `熔断 breaker ${p.breaker.state}`,
              p.lastError
                ? `最近错误 last error ${p.lastError.at} ${p.lastError.code}: ${p.lastError.reason?.zh ?? ''}`
                : '',
            ].join('  '),
          );
        }
      });
    });

  program
    .command('sandbox-provider')
    .description(
      '参考数据提供单位（沙箱）：为目录中每个接口调用类信息项返回确定性数据 / reference provider serving deterministic data for every pull kind',
    )
    .option('--port <port>', '端口，0 为随机 / port, 0 = any free one', '8090')
    .option('--host <host>', '监听地址 / listen address', '127.0.0.1')
    .option('--latency-ms <ms>', '每次应答延迟（毫秒） / latency added to every answer, ms', '0')
    .option('--fail-rate <r>', '以 503 应答的比例（0–1） / share of calls answered 503 (0–1)', '0')
    .option('--mode <mode>', `行为 / behaviour: ${sandboxModes.join(' | ')}`, 'ok')
    .option('--slow-ms <ms>', 'slow 模式额外延迟 / extra delay in slow mode, ms', '30000')
    .option('--token <token>', '要求 Bearer 令牌 / require this bearer token')
    .option('--hmac-secret <secret>', '要求 HMAC 签名 / require X-Xinrong HMAC signatures with this secret')
    .option(
      '--catalog <file>',
      '目录 JSON 文件（默认：内置种子目录） / catalog JSON (default: the seed catalog)',
    )
    .action(
      async (opts: {
        port: string;
        host: string;
        latencyMs: string;
        failRate: string;
        mode: string;
        slowMs: string;
        token?: string;
        hmacSecret?: string;
        catalog?: string;
      }) => {
        if (!(sandboxModes as readonly string[]).includes(opts.mode)) {
          throw new AppError('validation_failed', { detail: `--mode ${sandboxModes.join('|')}` });
        }
        const failRate = num('--fail-rate', opts.failRate)!;
        if (failRate < 0 || failRate > 1) {
          throw new AppError('validation_failed', { detail: '--fail-rate 0..1' });
        }
        let text: string;
        try {
          text = opts.catalog ? fs.readFileSync(opts.catalog, 'utf8') : readSeedCatalog();
        } catch (e) {
          throw new AppError('file_unreadable', { detail: (e as Error).message });
        }
        const parsed = catalogDocumentSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new AppError('catalog_invalid', { detail: zodDetail(parsed.error) });
        const sandbox = await startSandboxProvider({
          catalog: parsed.data,
          port: num('--port', opts.port),
          host: opts.host,
          control: {
            mode: opts.mode as SandboxMode,
            latencyMs: num('--latency-ms', opts.latencyMs)!,
            failRate,
            slowMs: num('--slow-ms', opts.slowMs)!,
          },
          ...(opts.token ? { bearerToken: opts.token } : {}),
          ...(opts.hmacSecret ? { hmacSecret: opts.hmacSecret } : {}),
        });
        const kinds = parsed.data.kinds.filter((k) => k.share_mode !== 'push');
        console.log(`沙箱数据提供单位已启动 / sandbox provider listening on ${sandbox.url}`);
        console.log(`信息项 / kinds (${kinds.length}): ${kinds.map((k) => k.code).join(', ')}`);
        console.log(`接口 / interface: GET ${sandbox.url}/kinds/<kind>?uscc=<USCC>`);
        console.log(
          `控制 / control: curl -X POST ${sandbox.url}/_control -d '{"mode":"slow","latencyMs":200}'`,
        );
        console.log(
          `登记示例 / register: npx xinrong connectors add --provider ${kinds[0]?.providers[0]?.id ?? 'tax'} --kind ${kinds[0]?.code ?? 'tax_arrears'} --url ${sandbox.url}/kinds/${kinds[0]?.code ?? 'tax_arrears'}`,
        );
        const stop = async () => {
          await sandbox.close();
          process.exit(0);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      },
    );
}
