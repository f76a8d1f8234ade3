import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { findLeafIndexes } from './ledger.repository.ts';

/**
 * The leaf index of the ledger entry about a row, for any API that shows the row (e.g. every record
 * version carries its leaf index, so a holder can ask for its inclusion proof). When several entries
 * are about the same row (a consent's grant and revocation), the first one's. Undefined until the
 * sequencer has placed the entry (within about a second of the commit).
 */
export async function leafIndexFor(
  db: Kysely<Database>,
  refTable: string,
  refId: string | number,
): Promise<number | undefined> {
  return (await findLeafIndexes(db, refTable, [String(refId)])).get(String(refId));
}

/** Batch form: ref id (as text) → leaf index, for the ids that have a sequenced entry. */
export async function leafIndexesFor(
  db: Kysely<Database>,
  refTable: string,
  refIds: ReadonlyArray<string | number>,
): Promise<Map<string, number>> {
  return findLeafIndexes(db, refTable, [...new Set(refIds.map(String))]);
}
