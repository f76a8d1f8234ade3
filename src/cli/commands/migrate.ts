import type { Command } from 'commander';
import { createDb } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { loadConfig } from '../../config/config.ts';
import { printJson } from '../context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('执行数据库迁移 / apply database migrations')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const { applied } = await migrateToLatest(db);
        if (opts.json) printJson({ applied });
        else {
          console.log(
            applied.length ? `已应用 / applied: ${applied.join(', ')}` : '已是最新 / already up to date',
          );
        }
      } finally {
        await db.destroy();
      }
    });
}
