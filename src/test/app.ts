import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config/config.ts';
import { createAppContext, type AppContext } from '../app/context.ts';
import { buildApp, type BuiltApp } from '../http/app.ts';
import { createTestDb, type TestDb } from './db.ts';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

export interface TestApp extends TestDb {
  ctx: AppContext;
  app: FastifyInstance;
  routes: BuiltApp['routes'];
  inject(opts: InjectOptions | string): Promise<LightMyRequestResponse>;
}

/** A real app on a fresh database (PGlite or a PostgreSQL schema), driven with `inject`. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const t = await createTestDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-test-'));
  const config: Config = { ...loadConfig({}), dataDir, databaseUrl: t.url, ...overrides };
  const ctx = createAppContext(config, t.db);
  const built = await buildApp(ctx, { logger: false });
  await built.app.ready();
  return {
    ...t,
    ctx,
    app: built.app,
    routes: built.routes,
    inject: (opts) => built.app.inject(opts),
    async close() {
      await built.app.close();
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
