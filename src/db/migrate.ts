import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Migrations are frozen, dated files in src/db/migrations (`2026-11-21T2300_name.ts`), applied in name
 * order. They never import application code, so they stay valid as the code moves on.
 */
class DatedFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = fs
      .readdirSync(migrationsDir)
      .filter((f) => /^\d{4}-\d{2}-\d{2}T\d{4}_.+\.ts$/.test(f))
      .sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as Migration;
      migrations[file.replace(/\.ts$/, '')] = mod;
    }
    return migrations;
  }
}

export interface MigrateResult {
  applied: string[];
}

// Kysely<any>: the migrator works on whatever the schema is at that point in time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<MigrateResult> {
  // Extensions live in `public` so that per-test schemas on PostgreSQL share them.
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(db).catch(() => undefined);
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public`.execute(db).catch(() => undefined);
  // Kysely looks for its migration tables in every schema unless told which: on a PostgreSQL server
  // shared by per-test (or benchmark) schemas it would find another schema's tables and skip creating its own.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const migrationTableSchema = rows[0]?.schema;
  // Migrations written in parallel branches may carry earlier dates than ones already applied:
  // apply them rather than refusing to start (each migration still runs once, in name order).
  const migrator = new Migrator({
    db,
    allowUnorderedMigrations: true,
    provider: new DatedFileMigrationProvider(),
    migrationTableSchema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
