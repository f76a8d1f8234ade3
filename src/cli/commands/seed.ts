import type { Command } from 'commander';
import { AppError } from '../../shared/errors.ts';
import { seedDemo } from '../../seed/seed.service.ts';
import { createProgress } from '../progress.ts';
import { printJson, withContext } from '../context.ts';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('生成确定性的演示数据（主体及各类信用记录） / generate deterministic demo data')
    .option('--subjects <n>', '信用主体数量 / number of subjects', '1000')
    .option('--seed <s>', '随机种子（相同种子生成相同数据） / seed: same seed, same data', '20261121')
    .option('--kinds <codes>', '只生成这些信息项，逗号分隔 / only these kinds (comma-separated)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { subjects: string; seed: string; kinds?: string; json?: boolean }) => {
      const n = Number(opts.subjects);
      if (!Number.isInteger(n) || n < 0 || n > 10_000_000) {
        throw new AppError('validation_failed', { detail: '--subjects 0..10000000' });
      }
      const seed = /^\d+$/.test(opts.seed) && Number(opts.seed) < 2 ** 32 ? Number(opts.seed) : opts.seed;
      await withContext(async (ctx) => {
        const bar = createProgress('演示数据 seed', undefined, false);
        const out = await seedDemo(ctx, {
          subjects: n,
          seed,
          kinds: opts.kinds
            ?.split(',')
            .map((k) => k.trim())
            .filter(Boolean),
          onProgress: (p) => bar.update(p.rows, p.estimatedTotal),
        });
        bar.update(out.rows, out.rows);
        bar.stop();
        if (opts.json) return printJson(out);
        for (const k of out.kinds) {
          console.log(
            `${k.kind.padEnd(26)} 接收 received ${k.received}  新增 accepted ${k.accepted}  未变 unchanged ${k.unchanged}  拒绝 rejected ${k.rejected}`,
          );
        }
        console.log(
          `共 ${out.rows} 行，${out.seconds} 秒，${out.rowsPerSecond} 行/秒 / ${out.rows} rows in ${out.seconds} s (${out.rowsPerSecond} rows/s), ${n} subjects, seed ${String(seed)}`,
        );
      });
    });
}
