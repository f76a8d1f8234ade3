import { loadConfig, type Config } from '../config/config.ts';
import { createAppContext, type AppContext } from '../app/context.ts';
import { createDb } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { AppError } from '../shared/errors.ts';

/** Opens the configured database (migrated) and builds the services, for one CLI command. */
export async function openContext(config: Config = loadConfig()): Promise<AppContext> {
  const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(db);
  return createAppContext(config, db);
}

/** Runs a command body with a context and always closes the database. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openContext();
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.destroy();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** CLI errors: the bilingual message on stderr, exit code 2 for bad input, 1 otherwise. */
export function reportCliError(e: unknown): never {
  if (e instanceof AppError) {
    process.stderr.write(`错误 / error [${e.code}]: ${e.bilingual}\n`);
    process.exit(e.status < 500 ? 2 : 1);
  }
  process.stderr.write(`错误 / error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
