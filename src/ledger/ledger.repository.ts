import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { HASH_SIZE } from './hash.ts';

/**
 * SQL of the ledger. Hashes cross the wire as base64 text (`encode`/`decode`): PGlite converts bytea
 * byte by byte in JavaScript, which costs ~0.5 µs per byte (an 8 KiB tile would take milliseconds).
 */
type Db = Kysely<Database>;

const b64 = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'base64'));

// ---- the queue (written by every domain, through enqueueLedgerEntries) ----

export interface QueueInsert {
  entryType: string;
  refTable: string;
  refId: string;
  uscc: string | null;
  payload: Record<string, unknown>;
  leafHash: Buffer;
}

/**
 * One statement for the whole list, as one JSON parameter (json_to_recordset keeps the order, so
 * ids follow the list): 2.8× faster in PGlite than six text arrays through unnest, which the driver
 * escapes element by element; json rather than jsonb skips the binary conversion.
 */
export async function insertQueueRows(db: Db, rows: QueueInsert[]): Promise<void> {
  await queueInsertSql(rows).execute(db);
}

/**
 * The queue's INSERT as a statement to embed in a caller's data-modifying CTE (the read path writes
 * its access-log row and its leaves in one statement); `gate` (SQL, e.g. `EXISTS (SELECT 1 FROM c)`)
 * skips the insert when the caller's own change did not happen.
 */
export function queueInsertSql(rows: QueueInsert[], gate = sql<boolean>`true`) {
  const json = JSON.stringify(
    rows.map((r) => ({
      t: r.entryType,
      rt: r.refTable,
      ri: r.refId,
      u: r.uscc,
      p: r.payload,
      h: r.leafHash.toString('base64'),
    })),
  );
  return sql`
    INSERT INTO ledger_queue (entry_type, ref_table, ref_id, uscc, payload, leaf_hash)
    SELECT t, rt, ri, u, p, decode(h, 'base64')
    FROM json_to_recordset(${json}::json) AS v(t text, rt text, ri text, u text, p json, h text)
    WHERE ${gate}`;
}

export interface QueueRow {
  id: number;
  xid: string;
  entryType: string;
  refTable: string;
  refId: string;
  uscc: string | null;
  /** The payload as read back from jsonb (parsed). */
  payload: Record<string, unknown>;
  leafHash: Buffer | null;
  createdAt: Date;
}

interface RawQueueRow {
  id: number | string;
  xid: string;
  entry_type: string;
  ref_table: string;
  ref_id: string;
  uscc: string | null;
  payload: string;
  leaf_hash: string | null;
  created_at: Date | string;
}

/**
 * A record version's entry stores no payload: it is the facts of the version row it names
 * (migration 2026-11-22T0401, decision 0123), read here. The leaf hash stored with the entry commits
 * to them, so a changed, deleted or swapped version no longer matches its leaf; a missing row reads
 * as `{}` (its leaf then mismatches, and the sources check names the record).
 */
const queueColumns = sql`q.id, q.xid::text AS xid, q.entry_type, q.ref_table, q.ref_id, q.uscc,
  COALESCE(q.payload::text, CASE WHEN q.payload IS NULL THEN (
    SELECT json_build_object('catalog_version', v.catalog_version, 'data_digest', v.data_digest,
      'kind', v.kind_code, 'natural_key', r.natural_key, 'op', v.op, 'record_id', v.record_id,
      'status', v.status, 'uscc', v.uscc, 'version', v.version)::text
    FROM record_versions v JOIN records r ON r.id = v.record_id
    WHERE v.id = CASE WHEN q.entry_type = 'record_version' AND q.ref_id ~ '^[0-9]{1,18}$' THEN q.ref_id::bigint END
  ) END, '{}') AS payload, encode(q.leaf_hash, 'base64') AS leaf_hash, q.created_at`;

function toQueueRow(r: RawQueueRow): QueueRow {
  return {
    id: Number(r.id),
    xid: r.xid,
    entryType: r.entry_type,
    refTable: r.ref_table,
    refId: r.ref_id,
    uscc: r.uscc,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    leafHash: b64(r.leaf_hash),
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
  };
}

export async function findQueueRowsByIds(db: Db, ids: number[]): Promise<Map<number, QueueRow>> {
  if (ids.length === 0) return new Map();
  const r = await sql<RawQueueRow>`
    SELECT ${queueColumns} FROM ledger_queue q WHERE q.id = ANY(${ids}::bigint[])`.execute(db);
  return new Map(r.rows.map((x) => [Number(x.id), toQueueRow(x)]));
}

// ---- sequencing ----

/**
 * The sequencer's lock: one per schema (tests share a PostgreSQL database, one schema each). The
 * transaction-scoped variant is released at commit or rollback, so a crash cannot leave it held.
 */
export async function lockSequencer(db: Db, wait: boolean): Promise<boolean> {
  if (wait) {
    await sql`SELECT pg_advisory_xact_lock(7868, hashtext(current_schema()))`.execute(db);
    return true;
  }
  const r = await sql<{ ok: boolean }>`
    SELECT pg_try_advisory_xact_lock(7868, hashtext(current_schema())) AS ok`.execute(db);
  return r.rows[0]?.ok === true;
}

export interface LedgerState {
  hashAlg: string;
  treeSize: number;
  cursorXid: string | null;
  cursorId: number | null;
  /** Writing transactions still running below the cursor when last seen (xid8 as text). */
  openXids: string[];
}

export type Cursor = { xid: string; id: number };

export function cursorOf(s: LedgerState | undefined): Cursor | null {
  return s && s.cursorXid !== null && s.cursorId !== null ? { xid: s.cursorXid, id: s.cursorId } : null;
}

export async function findState(db: Db): Promise<LedgerState | undefined> {
  const r = await sql<{
    hash_alg: string;
    tree_size: number | string;
    cursor_xid: string | null;
    cursor_id: number | string | null;
    open_xids: string[] | null;
  }>`
    SELECT hash_alg, tree_size, cursor_xid::text AS cursor_xid, cursor_id, open_xids
    FROM ledger_state WHERE id = 1`.execute(db);
  const s = r.rows[0];
  return s
    ? {
        hashAlg: s.hash_alg,
        treeSize: Number(s.tree_size),
        cursorXid: s.cursor_xid,
        cursorId: s.cursor_id === null ? null : Number(s.cursor_id),
        openXids: s.open_xids ?? [],
      }
    : undefined;
}

/** Creates the state row with the log's hash algorithm (first run); returns the row either way. */
export async function ensureState(db: Db, hashAlg: string): Promise<LedgerState> {
  await sql`INSERT INTO ledger_state (id, hash_alg) VALUES (1, ${hashAlg}) ON CONFLICT (id) DO NOTHING`.execute(
    db,
  );
  return (await findState(db))!;
}

export async function updateState(
  db: Db,
  s: { treeSize: number; cursor: Cursor | null; openXids: string[] },
): Promise<void> {
  await sql`
    UPDATE ledger_state SET tree_size = ${s.treeSize}, cursor_xid = ${s.cursor?.xid ?? null}::xid8,
      cursor_id = ${s.cursor?.id ?? null}, open_xids = ${s.openXids}::text[], updated_at = now()
    WHERE id = 1`.execute(db);
}

export interface UnsequencedRow {
  id: number;
  xid: string;
  leafHash: Buffer | null;
}

export interface Unsequenced {
  /** Entries of transactions that were running below the cursor and have committed since. */
  late: UnsequencedRow[];
  /** Entries after the cursor, in (xid, id) order, at most `limit`. */
  fresh: UnsequencedRow[];
  /** Transactions running at this statement's snapshot (pg_snapshot_xip), xid8 as text. */
  running: string[];
}

/** Runs covering a queue row: the one with the greatest first id not above it. */
const coveringRun = sql`LEFT JOIN LATERAL (
    SELECT x.first_entry_id, x.entry_count FROM ledger_runs x
    WHERE x.first_entry_id <= q.id ORDER BY x.first_entry_id DESC LIMIT 1
  ) r ON q.id < r.first_entry_id + r.entry_count`;

/**
 * What the sequencer may place now, read in ONE statement so that all of it comes from one snapshot
 * (docs/decisions/0040): committed rows after the cursor; rows of the transactions that were still
 * running below the cursor (`open`), not yet placed; and the transactions running now. Only
 * committed rows are visible, so nothing here can be rolled back afterwards.
 */
export async function fetchUnsequenced(
  db: Db,
  cursor: Cursor | null,
  open: string[],
  limit: number,
): Promise<Unsequenced> {
  const after = cursor ? sql`WHERE (q.xid, q.id) > (${cursor.xid}::xid8, ${cursor.id}::bigint)` : sql``;
  const late =
    open.length > 0
      ? sql`SELECT 'late' AS src, q.id, q.xid::text AS xid, encode(q.leaf_hash, 'base64') AS leaf_hash, NULL::text[] AS running,
            NULL::text AS ids, NULL::text AS xids, NULL::bytea AS hashes, NULL::text AS null_ids
          FROM ledger_queue q ${coveringRun}
          WHERE q.xid = ANY(${open}::xid8[]) AND r.first_entry_id IS NULL
          ORDER BY q.xid, q.id LIMIT ${limit}`
      : sql`SELECT NULL::text AS src, NULL::bigint AS id, NULL::text AS xid, NULL::text AS leaf_hash,
          NULL::text[] AS running, NULL::text AS ids, NULL::text AS xids, NULL::bytea AS hashes,
          NULL::text AS null_ids WHERE false`;
  // The fresh entries (up to 10,000 a batch) come as ONE row: their ids and xids as text lists and
  // their leaf hashes as one byte string, all three in the order of one pass over the batch (a
  // missing hash as 32 zero bytes, named in null_ids), sorted here; aggregating with ORDER BY made
  // the backend sort the batch once per list. Parsing 10,000 rows of three columns, and a Buffer per
  // hash, cost the sequencer 1.2 s of its 4.1 s of CPU at 1,000,000 entries.
  const r = await sql<{
    src: string;
    id: number | string | null;
    xid: string | null;
    leaf_hash: string | null;
    running: string[] | null;
    ids: string | null;
    xids: string | null;
    hashes: Uint8Array | null;
    null_ids: string | null;
  }>`
    WITH fresh AS MATERIALIZED (
      SELECT q.id, q.xid, q.leaf_hash FROM ledger_queue q ${after} ORDER BY q.xid, q.id LIMIT ${limit}
    )
    SELECT * FROM (${late}) l
    UNION ALL
    SELECT 'fresh', NULL, NULL, NULL, NULL::text[],
      string_agg(f.id::text, ','),
      string_agg(f.xid::text, ','),
      string_agg(COALESCE(f.leaf_hash, decode(repeat('00', 32), 'hex')), ''::bytea),
      string_agg(f.id::text, ',') FILTER (WHERE f.leaf_hash IS NULL)
    FROM fresh f
    UNION ALL
    SELECT 'running', NULL, NULL, NULL,
      ARRAY(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS x), NULL, NULL, NULL, NULL`.execute(
    db,
  );
  const toRow = (x: (typeof r.rows)[number]): UnsequencedRow => ({
    id: Number(x.id),
    xid: x.xid!,
    leafHash: b64(x.leaf_hash),
  });
  // xid8 as text is a decimal without leading zeros: the shorter is the smaller, else compare the
  // text (no BigInt per comparison: 10,000 rows take ~140,000 comparisons).
  const byOrder = (a: UnsequencedRow, b: UnsequencedRow) =>
    a.xid.length !== b.xid.length
      ? a.xid.length - b.xid.length
      : a.xid === b.xid
        ? a.id - b.id
        : a.xid < b.xid
          ? -1
          : 1;
  const agg = r.rows.find((x) => x.src === 'fresh');
  const fresh: UnsequencedRow[] = [];
  if (agg?.ids) {
    const ids = agg.ids.split(',');
    const xids = agg.xids!.split(',');
    // node-postgres gives a Buffer, PGlite a Uint8Array: a Buffer view either way (no copy).
    const raw = agg.hashes!;
    const hashes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const missing = new Set(agg.null_ids ? agg.null_ids.split(',') : []);
    if (xids.length !== ids.length || hashes.length !== ids.length * HASH_SIZE) {
      throw new Error('ledger: unsequenced entries came back inconsistent');
    }
    for (let i = 0; i < ids.length; i++) {
      fresh.push({
        id: Number(ids[i]),
        xid: xids[i]!,
        leafHash: missing.has(ids[i]!) ? null : hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
      });
    }
    fresh.sort(byOrder);
  }
  return {
    late: r.rows
      .filter((x) => x.src === 'late')
      .map(toRow)
      .sort(byOrder),
    fresh,
    running: r.rows.find((x) => x.src === 'running')?.running ?? [],
  };
}

/** Entries committed but not yet sequenced. */
export async function countPending(db: Db, state: LedgerState | undefined): Promise<number> {
  const cursor = cursorOf(state);
  const after = cursor ? sql`WHERE (q.xid, q.id) > (${cursor.xid}::xid8, ${cursor.id}::bigint)` : sql``;
  const open = state?.openXids ?? [];
  const late =
    open.length > 0
      ? sql`(SELECT count(*) FROM ledger_queue q ${coveringRun}
          WHERE q.xid = ANY(${open}::xid8[]) AND r.first_entry_id IS NULL)`
      : sql`0`;
  const r = await sql<{ n: number | string }>`
    SELECT (SELECT count(*) FROM ledger_queue q ${after}) + ${late} AS n`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface Run {
  firstLeaf: number;
  firstEntryId: number;
  entryCount: number;
}

export async function insertRuns(db: Db, runs: Run[]): Promise<void> {
  if (runs.length === 0) return;
  await sql`
    INSERT INTO ledger_runs (first_leaf, first_entry_id, entry_count)
    SELECT * FROM unnest(${runs.map((r) => r.firstLeaf)}::bigint[], ${runs.map((r) => r.firstEntryId)}::bigint[],
      ${runs.map((r) => r.entryCount)}::int[])`.execute(db);
}

/** Runs covering leaves from `fromLeaf` on, in leaf order. */
export async function listRuns(db: Db, fromLeaf: number, limit: number): Promise<Run[]> {
  const r = await sql<{ first_leaf: number | string; first_entry_id: number | string; entry_count: number }>`
    SELECT first_leaf, first_entry_id, entry_count FROM ledger_runs
    WHERE first_leaf >= ${fromLeaf} ORDER BY first_leaf LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({
    firstLeaf: Number(x.first_leaf),
    firstEntryId: Number(x.first_entry_id),
    entryCount: Number(x.entry_count),
  }));
}

/** The run holding leaf `index`, if any. */
export async function findRunOfLeaf(db: Db, index: number): Promise<Run | undefined> {
  const r = await sql<{ first_leaf: number | string; first_entry_id: number | string; entry_count: number }>`
    SELECT first_leaf, first_entry_id, entry_count FROM ledger_runs
    WHERE first_leaf <= ${index} ORDER BY first_leaf DESC LIMIT 1`.execute(db);
  const x = r.rows[0];
  if (!x) return undefined;
  const run = {
    firstLeaf: Number(x.first_leaf),
    firstEntryId: Number(x.first_entry_id),
    entryCount: x.entry_count,
  };
  return index < run.firstLeaf + run.entryCount ? run : undefined;
}

/**
 * Leaf index of the first entry about each (refTable, refId), e.g. a record version's own entry.
 * Unsequenced entries are left out.
 */
export async function findLeafIndexes(
  db: Db,
  refTable: string,
  refIds: string[],
): Promise<Map<string, number>> {
  if (refIds.length === 0) return new Map();
  const r = await sql<{ ref_id: string; leaf_index: number | string }>`
    SELECT DISTINCT ON (q.ref_id) q.ref_id, r.first_leaf + (q.id - r.first_entry_id) AS leaf_index
    FROM ledger_queue q
    JOIN LATERAL (
      SELECT x.first_leaf, x.first_entry_id, x.entry_count FROM ledger_runs x
      WHERE x.first_entry_id <= q.id ORDER BY x.first_entry_id DESC LIMIT 1
    ) r ON q.id < r.first_entry_id + r.entry_count
    WHERE q.ref_table = ${refTable} AND (
      -- a record version's entry has the version's id (migration 0402): the primary key finds it
      (q.entry_type = 'record_version' AND q.id = ANY(${refIds.filter((x) => /^[0-9]{1,15}$/.test(x))}::bigint[])
        AND q.ref_id = q.id::text)
      OR (q.ref_id = ANY(${refIds}::text[]) AND NOT (q.entry_type = 'record_version' AND q.ref_id = q.id::text)))
    ORDER BY q.ref_id, leaf_index`.execute(db);
  return new Map(r.rows.map((x) => [x.ref_id, Number(x.leaf_index)]));
}

// ---- tiles ----

export interface TileRow {
  level: number;
  idx: number;
  width: number;
  hashes: Buffer;
  /** Full tiles: inner nodes of sub-levels 4–7 (tiles.ts). */
  inner?: Buffer | null;
}

interface RawTile {
  level: number;
  idx: number | string;
  width: number;
  hashes: string;
  inner: string | null;
}

function toTile(x: RawTile): TileRow {
  return {
    level: Number(x.level),
    idx: Number(x.idx),
    width: Number(x.width),
    hashes: Buffer.from(x.hashes, 'base64'),
    inner: x.inner === null ? null : Buffer.from(x.inner, 'base64'),
  };
}

export async function findTiles(db: Db, keys: Array<[number, number]>): Promise<TileRow[]> {
  if (keys.length === 0) return [];
  const r = await sql<RawTile>`
    SELECT t.level, t.idx, t.width, encode(t.hashes, 'base64') AS hashes, encode(t.inner_hashes, 'base64') AS inner
    FROM ledger_tiles t
    JOIN unnest(${keys.map((k) => k[0])}::smallint[], ${keys.map((k) => k[1])}::bigint[]) AS k(level, idx)
      ON t.level = k.level AND t.idx = k.idx`.execute(db);
  return r.rows.map(toTile);
}

/** Tiles of one level, in order, from tile `fromIdx` (verification streams level 0 this way). */
export async function listTiles(db: Db, level: number, fromIdx: number, limit: number): Promise<TileRow[]> {
  const r = await sql<RawTile>`
    SELECT level, idx, width, encode(hashes, 'base64') AS hashes, encode(inner_hashes, 'base64') AS inner
    FROM ledger_tiles WHERE level = ${level} AND idx >= ${fromIdx} ORDER BY idx LIMIT ${limit}`.execute(db);
  return r.rows.map(toTile);
}

/** Writes tiles; a stored tile is only ever replaced by a wider one (tiles grow, never shrink). */
export async function upsertTiles(db: Db, tiles: TileRow[]): Promise<void> {
  if (tiles.length === 0) return;
  await sql`
    INSERT INTO ledger_tiles (level, idx, width, hashes, inner_hashes)
    SELECT l, i, w, decode(h, 'base64'), decode(n, 'base64')
    FROM unnest(${tiles.map((t) => t.level)}::smallint[], ${tiles.map((t) => t.idx)}::bigint[],
      ${tiles.map((t) => t.width)}::smallint[], ${tiles.map((t) => t.hashes.toString('base64'))}::text[],
      ${tiles.map((t) => t.inner?.toString('base64') ?? null)}::text[])
      AS v(l, i, w, h, n)
    ON CONFLICT (level, idx) DO UPDATE
      SET width = EXCLUDED.width, hashes = EXCLUDED.hashes, inner_hashes = EXCLUDED.inner_hashes
    WHERE ledger_tiles.width < EXCLUDED.width`.execute(db);
}

// ---- checkpoints ----

export interface CheckpointRow {
  id: number;
  treeSize: number;
  rootHash: string;
  hashAlg: string;
  signedAt: Date;
  keyName: string;
  keyId: string;
  signatureAlg: string;
  note: string;
}

interface RawCheckpoint {
  id: number | string;
  tree_size: number | string;
  root_hash: string;
  hash_alg: string;
  signed_at: Date | string;
  key_name: string;
  key_id: string;
  signature_alg: string;
  note: string;
}

function toCheckpoint(r: RawCheckpoint): CheckpointRow {
  return {
    id: Number(r.id),
    treeSize: Number(r.tree_size),
    rootHash: r.root_hash,
    hashAlg: r.hash_alg,
    signedAt: r.signed_at instanceof Date ? r.signed_at : new Date(r.signed_at),
    keyName: r.key_name,
    keyId: r.key_id,
    signatureAlg: r.signature_alg,
    note: r.note,
  };
}

export async function insertCheckpoint(db: Db, c: Omit<CheckpointRow, 'id'>): Promise<CheckpointRow> {
  const r = await sql<RawCheckpoint>`
    INSERT INTO ledger_checkpoints (tree_size, root_hash, hash_alg, signed_at, key_name, key_id, signature_alg, note)
    VALUES (${c.treeSize}, ${c.rootHash}, ${c.hashAlg}, ${c.signedAt}, ${c.keyName}, ${c.keyId},
      ${c.signatureAlg}, ${c.note})
    RETURNING *`.execute(db);
  return toCheckpoint(r.rows[0]!);
}

export async function findLatestCheckpoint(db: Db): Promise<CheckpointRow | undefined> {
  const r = await sql<RawCheckpoint>`
    SELECT * FROM ledger_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1`.execute(db);
  return r.rows[0] ? toCheckpoint(r.rows[0]) : undefined;
}

export async function findCheckpointOfSize(db: Db, size: number): Promise<CheckpointRow | undefined> {
  const r = await sql<RawCheckpoint>`
    SELECT * FROM ledger_checkpoints WHERE tree_size = ${size} ORDER BY id DESC LIMIT 1`.execute(db);
  return r.rows[0] ? toCheckpoint(r.rows[0]) : undefined;
}

/** Checkpoints in (tree size, id) order after the given one, a page at a time. */
export async function listCheckpoints(
  db: Db,
  after: { treeSize: number; id: number } | null,
  limit: number,
): Promise<CheckpointRow[]> {
  const where = after ? sql`WHERE (tree_size, id) > (${after.treeSize}::bigint, ${after.id}::bigint)` : sql``;
  const r = await sql<RawCheckpoint>`
    SELECT * FROM ledger_checkpoints ${where} ORDER BY tree_size, id LIMIT ${limit}`.execute(db);
  return r.rows.map(toCheckpoint);
}

// ---- verification helpers ----

/** Queue rows up to the cursor that no run covers (a row inserted behind the sequencer's back). */
export async function findUncoveredQueueRows(
  db: Db,
  cursor: Cursor,
  open: string[],
  limit: number,
): Promise<Array<{ id: number; refTable: string; refId: string }>> {
  const r = await sql<{ id: number | string; ref_table: string; ref_id: string }>`
    SELECT q.id, q.ref_table, q.ref_id
    FROM ledger_queue q ${coveringRun}
    WHERE (q.xid, q.id) <= (${cursor.xid}::xid8, ${cursor.id}::bigint) AND r.first_entry_id IS NULL
      AND NOT (q.xid::text = ANY(${open}::text[]))
    ORDER BY q.id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({ id: Number(x.id), refTable: x.ref_table, refId: x.ref_id }));
}

export async function countQueueUpTo(db: Db, cursor: Cursor): Promise<number> {
  const r = await sql<{ n: number | string }>`
    SELECT count(*) AS n FROM ledger_queue q
    WHERE (q.xid, q.id) <= (${cursor.xid}::xid8, ${cursor.id}::bigint)`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
