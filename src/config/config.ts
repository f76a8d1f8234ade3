import path from 'node:path';

/** Runtime configuration, read once from the environment. Every value has a default that works on a laptop. */
export interface Config {
  port: number;
  host: string;
  /** Directory for the embedded PGlite database, blobs (raw uploads) and keys. */
  dataDir: string;
  /** postgres://… switches from embedded PGlite to PostgreSQL. */
  databaseUrl: string | undefined;
  /** Largest accepted upload, in bytes (413 above it). */
  uploadLimitBytes: number;
  /** Public base URL used in links printed on reports and in the console. */
  publicUrl: string;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  const host = env.HOST ?? '0.0.0.0';
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return {
    port,
    host,
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    // 200 MiB: a city department's yearly file of ~1M rows in CSV is ~150 MB.
    uploadLimitBytes: Number(env.UPLOAD_LIMIT_BYTES ?? 200 * 1024 * 1024),
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
