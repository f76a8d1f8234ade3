import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';

export interface TestDb {
  db: Db;
  /** 'pglite' or 'postgres', for test names and the rare dialect-specific assertion. */
  dialect: 'pglite' | 'postgres';
  /** The options to open another connection to the same database (e.g. a second app instance). */
  url: string | undefined;
  schema: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new schema on the
 * PostgreSQL server named by TEST_DATABASE_URL (dropped on close). Tests never share state.
 */
export async function createTestDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const db = createDb({ databaseUrl: url, schema, poolSize: 5 });
    await migrateToLatest(db);
    return {
      db,
      dialect: 'postgres',
      url,
      schema,
      async close() {
        await db.destroy();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  const db = createDb({});
  await migrateToLatest(db);
  return { db, dialect: 'pglite', url: undefined, schema: undefined, close: () => db.destroy() };
}

/** Row count of a table, for "nothing was written" assertions. */
export async function countRows(db: Db, table: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
  return r.rows[0]?.n ?? 0;
}
