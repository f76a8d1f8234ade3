import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemActor } from '../../access/actor.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';
import { createProgress } from '../progress.ts';

/** `xinrong evaluate` and `xinrong evaluation …`: credit evaluation runs and model versions. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      '信用评价：默认增量（仅重评有新记录的主体），--full 全量 / run the credit evaluation (incremental by default)',
    )
    .option('--full', '全量评价所有主体 / evaluate every subject')
    .option('--auto', '自动：当日首次或模型变更时全量，否则增量 / full when due, otherwise incremental')
    .option('--as-of <date>', '评价基准日 YYYY-MM-DD（默认今天）/ evaluation date (default today)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { full?: boolean; auto?: boolean; asOf?: string; json?: boolean }) => {
      if (opts.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) {
        throw new AppError('validation_failed', { detail: '--as-of YYYY-MM-DD' });
      }
      await withContext(async (ctx) => {
        const progress = createProgress('信用评价 / evaluating', undefined, opts.json);
        const r = await ctx.evaluation.run({
          mode: opts.full ? 'full' : opts.auto ? 'auto' : 'incremental',
          ...(opts.asOf ? { asOf: opts.asOf } : {}),
          triggeredBy: 'cli',
          onProgress: (done, total) => progress.update(done, total),
        });
        progress.stop();
        if (opts.json) return printJson(r);
        if (r.skipped) {
          console.log(`无需评价：没有待重评的主体 / nothing to do: no subject queued (${r.skipped})`);
          return;
        }
        const rate = r.seconds > 0 ? Math.round(r.subjectsEvaluated / r.seconds) : r.subjectsEvaluated;
        console.log(
          `评价任务 / run ${r.runId}: ${r.mode}, 模型 / model v${r.modelVersion}, 基准日 / as of ${r.asOf}\n` +
            `  主体 / subjects ${r.subjectsEvaluated}（变化 / changed ${r.subjectsChanged}）, ${r.seconds.toFixed(1)} s, ${rate} 主体/秒 subjects/s\n` +
            `  等级分布 / grades: ${Object.entries(r.gradeCounts)
              .sort()
              .map(([g, n]) => `${g} ${n}`)
              .join(', ')}\n` +
            `  结果摘要 / results digest (SHA-256): ${r.resultsDigest}`,
        );
      });
    });

  const models = program.command('evaluation').description('信用评价模型与任务 / evaluation models and runs');

  models
    .command('import <file>')
    .description('导入新版本评价模型（JSON）/ import a new evaluation model version (JSON)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (file: string, opts: { json?: boolean }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new AppError('evaluation_model_invalid', {
          detail: e instanceof Error ? e.message : String(e),
        });
      }
      await withContext(async (ctx) => {
        const r = await ctx.evaluation.importModel(systemActor('cli'), doc);
        if (opts.json) return printJson(r);
        console.log(`已导入评价模型 / imported model v${r.version} (${r.label}), SHA-256 ${r.digest}`);
        for (const w of r.warnings) console.log(`  警告 / warning: ${w}`);
      });
    });

  models
    .command('models')
    .description('评价模型版本 / model versions')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        await ctx.evaluation.ensureModel();
        const list = await ctx.evaluation.listModels();
        if (opts.json) return printJson(list);
        for (const m of list) {
          console.log(`v${m.version}  ${m.createdAt.toISOString()}  ${m.importedBy}  ${m.label}`);
        }
      });
    });

  models
    .command('show')
    .description('显示评价模型（默认现行版本）/ show a model (default: the one in force)')
    .option('--version <n>', '版本 / version')
    .action(async (opts: { version?: string }) => {
      await withContext(async (ctx) => {
        const m = await ctx.evaluation.getModel(opts.version ? Number(opts.version) : undefined);
        printJson(m);
      });
    });

  models
    .command('runs')
    .description('评价任务记录 / evaluation runs')
    .option('--limit <n>', '条数 / rows', '20')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { limit: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const runs = await ctx.evaluation.listRuns(Number(opts.limit) || 20);
        if (opts.json) return printJson(runs);
        for (const r of runs) {
          console.log(
            `${r.id}  ${r.status}  ${r.mode}  v${r.modelVersion}  ${r.asOf}  ${r.subjectsEvaluated}/${r.subjectsChanged}  ${r.startedAt.toISOString()}`,
          );
        }
      });
    });
}
