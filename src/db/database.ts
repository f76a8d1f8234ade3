import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** postgres://… for PostgreSQL; undefined for embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined (with no databaseUrl) means in-memory. */
  dataDir?: string | undefined;
  /** PostgreSQL only: schema to put first on the search path (tests isolate themselves this way). */
  schema?: string | undefined;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
}

// pg returns int8 and numeric as strings by default; bigints we use (ids, counts, leaf indexes)
// stay below 2^53, so numbers are safe and far nicer to work with.
pg.types.setTypeParser(20, (v) => Number(v));
// Dates (not timestamps) stay 'YYYY-MM-DD' strings: a record's date has no time zone.
pg.types.setTypeParser(1082, (v) => v);

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** Opens the database: PostgreSQL when a URL is given, otherwise embedded PGlite. */
export function createDb(opts: DbOptions): Db {
  if (isPostgresUrl(opts.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema},public` } : {}),
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const dataDir = opts.dataDir ? path.join(opts.dataDir, 'pglite') : undefined;
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir ?? 'memory://', {
    extensions: { pg_trgm, pgcrypto },
    parsers: {
      20: (v: string) => Number(v),
      1082: (v: string) => v,
    },
  });
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
}

export function dialectName(db: Db): 'pglite' | 'postgres' {
  const adapter = db.getExecutor().adapter;
  return adapter.constructor.name.toLowerCase().includes('pglite') ? 'pglite' : 'postgres';
}
