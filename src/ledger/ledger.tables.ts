import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from '../db/foundation.tables.ts';

/** Read-only column (a view's). */
type ReadOnly<T> = ColumnType<T, never, never>;

/** The queue: one row per entry, written in the writer's transaction, never updated. */
export interface LedgerQueueTable {
  id: Generated<number>;
  entry_type: string;
  ref_table: string;
  ref_id: string;
  uscc: string | null;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  /** H(0x00 ‖ canonical entry), computed when queued; the sequencer checks it. */
  leaf_hash: Buffer | null;
  /** The writer's transaction id (xid8, as text): the sequencing order. */
  xid: Generated<string>;
  created_at: Timestamp;
}

/** View over the queue with each entry's leaf index (null until sequenced); read it, never write it. */
export interface LedgerEntriesView {
  id: ReadOnly<number>;
  entry_type: ReadOnly<string>;
  ref_table: ReadOnly<string>;
  ref_id: ReadOnly<string>;
  uscc: ReadOnly<string | null>;
  /** json (the text as written), parsed by the drivers. */
  payload: ReadOnly<Record<string, unknown>>;
  leaf_index: ReadOnly<number | null>;
  leaf_hash: ReadOnly<Buffer | null>;
  created_at: ReadOnly<Date>;
}

export interface LedgerRunsTable {
  first_leaf: number;
  first_entry_id: number;
  entry_count: number;
  sequenced_at: Timestamp;
}

export interface LedgerTilesTable {
  level: number;
  idx: number;
  width: number;
  hashes: Buffer;
  inner_hashes: Buffer | null;
}

export interface LedgerStateTable {
  id: number;
  hash_alg: string;
  tree_size: Generated<number>;
  cursor_xid: string | null;
  cursor_id: number | null;
  updated_at: Timestamp;
}

export interface LedgerCheckpointsTable {
  id: Generated<number>;
  tree_size: number;
  root_hash: string;
  hash_alg: string;
  signed_at: Timestamp;
  key_name: string;
  key_id: string;
  signature_alg: string;
  note: string;
  created_at: Timestamp;
}

export interface LedgerTables {
  ledger_queue: LedgerQueueTable;
  ledger_entries: LedgerEntriesView;
  ledger_runs: LedgerRunsTable;
  ledger_tiles: LedgerTilesTable;
  ledger_state: LedgerStateTable;
  ledger_checkpoints: LedgerCheckpointsTable;
}
