import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Full ledger tiles also keep their inner nodes of sub-levels 4–7 (30 hashes, 960 bytes, +12%), so a
// proof hashes ~11 nodes per tile instead of up to 255 (docs/decisions/0044-ledger-storage.md).
// Tiles written before stay NULL and are served by hashing.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ledger_tiles ADD COLUMN inner_hashes bytea;`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE ledger_tiles DROP COLUMN inner_hashes;`);
}
