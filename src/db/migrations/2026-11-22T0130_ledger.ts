import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The tamper-evident ledger (docs/decisions/0040-ledger-sequencing.md, 0044-ledger-storage.md).
//
// - ledger_queue (was ledger_entries): one row per entry, written by each domain in the transaction of
//   the change it records, never updated. `xid` is the writer's transaction id: the single sequencer
//   takes rows in (xid, id) order, only below the oldest transaction still running, so an entry that
//   commits late is never skipped and positions never need an UPDATE of every row.
// - ledger_runs: the positions. A run maps consecutive leaves to consecutive queue ids:
//   leaf first_leaf + k is queue row first_entry_id + k, for k < entry_count.
// - ledger_tiles: the Merkle tree as C2SP tlog-tiles (height 8): tile (level L, idx N) holds the hashes
//   of tree level 8·L, nodes N·256 … N·256+width−1, 32 bytes each. Full tiles never change.
// - ledger_state: the sequencer's position (tree size, cursor) and the log's hash algorithm.
// - ledger_checkpoints: signed tree heads (C2SP signed notes).
// - ledger_entries: a view with the old columns (leaf_index from the runs) for readers.
// The ledger is one global log, so these tables carry no uscc of their own (ledger_queue keeps the
// entry's); at Citus scale they stay on the coordinator as one non-distributed log.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE ledger_entries RENAME TO ledger_queue;
    ALTER INDEX ledger_entries_ref RENAME TO ledger_queue_ref;
    DROP INDEX ledger_entries_unsequenced;
    ALTER TABLE ledger_queue DROP COLUMN leaf_index;
    ALTER TABLE ledger_queue ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
    CREATE INDEX ledger_queue_order ON ledger_queue (xid, id);

    CREATE TABLE ledger_runs (
      first_leaf bigint PRIMARY KEY,
      first_entry_id bigint NOT NULL UNIQUE,
      entry_count integer NOT NULL CHECK (entry_count > 0),
      sequenced_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ledger_tiles (
      level smallint NOT NULL,
      idx bigint NOT NULL,
      width smallint NOT NULL CHECK (width BETWEEN 1 AND 256),
      hashes bytea NOT NULL,
      PRIMARY KEY (level, idx)
    );

    CREATE TABLE ledger_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      hash_alg text NOT NULL,
      tree_size bigint NOT NULL DEFAULT 0,
      cursor_xid xid8,
      cursor_id bigint,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ledger_checkpoints (
      id bigserial PRIMARY KEY,
      tree_size bigint NOT NULL,
      root_hash text NOT NULL,
      hash_alg text NOT NULL,
      signed_at timestamptz NOT NULL,
      key_name text NOT NULL,
      key_id text NOT NULL,
      signature_alg text NOT NULL,
      note text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints (tree_size);

    CREATE VIEW ledger_entries AS
    SELECT q.id, q.entry_type, q.ref_table, q.ref_id, q.uscc, q.payload,
      r.first_leaf + (q.id - r.first_entry_id) AS leaf_index,
      q.leaf_hash, q.created_at
    FROM ledger_queue q
    LEFT JOIN LATERAL (
      SELECT x.first_leaf, x.first_entry_id, x.entry_count FROM ledger_runs x
      WHERE x.first_entry_id <= q.id ORDER BY x.first_entry_id DESC LIMIT 1
    ) r ON q.id < r.first_entry_id + r.entry_count;
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP VIEW ledger_entries;
    DROP TABLE ledger_checkpoints;
    DROP TABLE ledger_state;
    DROP TABLE ledger_tiles;
    DROP TABLE ledger_runs;
    DROP INDEX ledger_queue_order;
    ALTER TABLE ledger_queue DROP COLUMN xid;
    ALTER TABLE ledger_queue ADD COLUMN leaf_index bigint UNIQUE;
    CREATE INDEX ledger_entries_unsequenced ON ledger_queue (id) WHERE leaf_index IS NULL;
    ALTER INDEX ledger_queue_ref RENAME TO ledger_entries_ref;
    ALTER TABLE ledger_queue RENAME TO ledger_entries;
  `,
  );
}
