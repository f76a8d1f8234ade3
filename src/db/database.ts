import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { Kysely, PGliteDialect, PostgresDialect, type QueryResult, type RawBuilder } from 'kysely';
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

/**
 * Statements PostgreSQL keeps prepared on each connection (named statements of the extended
 * protocol), by SQL text: registered by `executePrepared` for a few hot statements of fixed shape
 * (the read path's snapshot and write; docs/decisions/0120), whose parse analysis and planning cost
 * the backend more than their execution. Only fixed texts may be registered (values as parameters):
 * past `maxPrepared` texts registering throws, so that a caller inlining values fails in its tests
 * instead of filling every connection with statements.
 */
interface PreparedAs {
  name: string;
  rowMode: 'array' | undefined;
}
const prepared = new Map<string, PreparedAs>();
const maxPrepared = 256;

/**
 * The pool's client: a query whose text was registered runs as its named statement (parsed and
 * planned once per connection; the server then may keep a generic plan), rows as arrays when
 * registered so. Every other query is untouched.
 */
class PreparingClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads, passed through unchanged
  override query(config: any, values?: any, callback?: any): any {
    const p = typeof config === 'string' ? prepared.get(config) : undefined;
    if (p === undefined) return super.query(config, values, callback);
    const named = p.rowMode
      ? { name: p.name, text: config, values, rowMode: p.rowMode }
      : { name: p.name, text: config, values };
    return super.query(named as pg.QueryConfig, callback);
  }
}

/**
 * Runs `query` as a statement each PostgreSQL connection keeps prepared (see `prepared`); with
 * `rowMode: 'array'` its rows come as arrays of column values on PostgreSQL (no object per row). On
 * PGlite — no network round trip, planning in the same process — it runs as any other query and
 * rows are objects: a caller asking for arrays must accept both.
 */
export async function executePrepared<R>(
  db: Db,
  query: RawBuilder<R>,
  opts: { rowMode?: 'array' } = {},
): Promise<QueryResult<R>> {
  const compiled = query.compile(db);
  const p = prepared.get(compiled.sql);
  if (p === undefined) {
    if (prepared.size >= maxPrepared) {
      throw new Error('executePrepared: too many statement texts (values inlined?)');
    }
    prepared.set(compiled.sql, { name: `xinrong_p${prepared.size + 1}`, rowMode: opts.rowMode });
  } else if (p.rowMode !== opts.rowMode) {
    throw new Error('executePrepared: the same statement registered with two row modes');
  }
  return db.executeQuery(compiled);
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** Opens the database: PostgreSQL when a URL is given, otherwise embedded PGlite. */
export function createDb(opts: DbOptions): Db {
  if (isPostgresUrl(opts.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      Client: PreparingClient,
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
