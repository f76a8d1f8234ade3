import type { Command } from 'commander';
import { buildApp } from '../../http/app.ts';
import { openContext } from '../context.ts';
import { startEvaluationJob } from '../../evaluation/evaluation.job.ts';
import { startRightsJob } from '../../rights/rights.job.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('启动平台 API 与网页 / start the API and web server')
    .option('--demo', '数据库为空时写入演示数据 / seed demo data when the database is empty')
    .action(async (opts: { demo?: boolean }) => {
      const ctx = await openContext();
      if (opts.demo) {
        const { ensureDemoData } = await import('../../demo/demo.ts');
        await ensureDemoData(ctx, { log: (line) => console.log(line) });
      }
      const { app } = await buildApp(ctx, { logger: true });
      // Credit evaluation after ingestion: periodic auto runs (full daily, incremental otherwise).
      const stopEvaluation = startEvaluationJob(ctx, { log: (line) => app.log.info(line) });
      // Objections: overdue steps escalate (hourly; one escalation per missed deadline).
      const stopRights = startRightsJob(ctx, { log: (line) => app.log.warn(line) });
      // The ledger's sequencer: places committed entries every second, signs checkpoints.
      ctx.ledger.start((level, msg) => app.log[level](msg));
      const close = async () => {
        stopEvaluation();
        stopRights();
        await ctx.ledger.stop();
        await app.close();
        await ctx.db.destroy();
        process.exit(0);
      };
      process.on('SIGINT', close);
      process.on('SIGTERM', close);
      await app.listen({ port: ctx.config.port, host: ctx.config.host });
      console.log(
        `\n信融 xinrong 已启动 / is running: ${ctx.config.publicUrl}  (API 文档 / docs: ${ctx.config.publicUrl}/docs)`,
      );
      console.log(
        `数据库 / database: ${ctx.config.databaseUrl ? 'PostgreSQL' : `PGlite (${ctx.config.dataDir})`}`,
      );
    });
}
