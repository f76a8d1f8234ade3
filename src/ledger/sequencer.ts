import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { canonicalEntry } from './canonical.ts';
import { checkpointText, signNote } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import type { LedgerConfig } from './ledger.config.ts';
import * as repo from './ledger.repository.ts';
import type { LedgerKey } from './keys.ts';
import { rootHash } from './merkle.ts';
import { createTreeReader } from './tree-reader.ts';
import { appendToTiles, edgeTiles, type Tile } from './tiles.ts';

/**
 * The single sequencer (docs/decisions/0040-ledger-sequencing.md). Each round, in one transaction
 * holding an advisory lock (one sequencer per database schema, whatever the number of processes):
 *
 * 1. read, in one statement (one snapshot), the committed queue rows after the cursor in (xid, id)
 *    order, the rows of the transactions that were still running below the cursor last time and have
 *    committed since, and the list of transactions running now. A transaction that gets its id later
 *    gets a larger one, so only the running ones below the cursor can still add rows behind it: they
 *    are remembered (`open_xids`) and their rows are taken when they commit. Nothing committed is
 *    skipped, nothing is taken twice, nothing uncommitted is ever seen;
 * 2. spot-check the queued leaf hashes (the first row of every writing transaction is recomputed from
 *    its stored columns; a mismatch recomputes that whole transaction's rows);
 * 3. append the leaves to the tiles, record the runs (leaf k ↔ queue id), move the cursor.
 *
 * Leaf indexes are therefore consecutive (tree size + i), gap-free, in one order, and only ever given
 * to committed rows. After the rounds, a checkpoint is signed when the tree grew (periodic runs: at
 * most one per LEDGER_CHECKPOINT_SECONDS; on-demand runs: always).
 */

type Db = Kysely<Database>;

export interface SequenceResult {
  /** Leaves added by this call. */
  sequenced: number;
  treeSize: number;
  /** Queued leaf hashes that did not match their entry and were recomputed (should be 0). */
  recomputed: number;
  /** The checkpoint signed by this call, if any. */
  checkpoint?: repo.CheckpointRow;
  /** Another process held the sequencer lock (periodic runs do not wait). */
  lockedElsewhere?: boolean;
}

export interface SequenceOptions {
  /** Wait for the lock and sign a checkpoint if the tree grew, whatever the interval (default true). */
  onDemand?: boolean;
}

export interface Sequencer {
  sequenceNow(opts?: SequenceOptions): Promise<SequenceResult>;
  start(): void;
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface SequencerDeps {
  db: Db;
  config: LedgerConfig;
  key: () => LedgerKey;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  clock?: () => Date;
}

/** Consecutive queue ids become one run: leaf firstLeaf + k is queue row firstEntryId + k. */
export function runsOf(firstLeaf: number, ids: readonly number[]): repo.Run[] {
  const runs: repo.Run[] = [];
  let current: repo.Run | undefined;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (current && id === current.firstEntryId + current.entryCount) current.entryCount += 1;
    else {
      current = { firstLeaf: firstLeaf + i, firstEntryId: id, entryCount: 1 };
      runs.push(current);
    }
  }
  return runs;
}

export function createSequencer(deps: SequencerDeps): Sequencer {
  const { db, config } = deps;
  const h = treeHasher(config.hashAlgorithm);
  const log = deps.log ?? (() => undefined);
  const clock = deps.clock ?? (() => new Date());
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  /** In-process mutual exclusion (the advisory lock covers other processes). */
  function serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  }

  async function recomputeLeafHashes(trx: Db, ids: number[]): Promise<Map<number, Buffer>> {
    const rows = await repo.findQueueRowsByIds(trx, ids);
    const out = new Map<number, Buffer>();
    for (const [id, r] of rows) out.set(id, h.hashLeaf(canonicalEntry(r)));
    return out;
  }

  type BatchResult =
    { locked: false } | { locked: true; added: number; treeSize: number; recomputed: number; more: boolean };

  async function sequenceBatch(trx: Db, wait: boolean): Promise<BatchResult> {
    if (!(await repo.lockSequencer(trx, wait))) return { locked: false };
    const state = await repo.ensureState(trx, config.hashAlgorithm);
    if (state.hashAlg !== config.hashAlgorithm) {
      throw new Error(
        `账本使用 ${state.hashAlg}，本进程配置为 ${config.hashAlgorithm} / the ledger uses ${state.hashAlg}, ` +
          `this process is configured with LEDGER_HASH=${config.hashAlgorithm}`,
      );
    }
    const cursor = repo.cursorOf(state);
    const found = await repo.fetchUnsequenced(trx, cursor, state.openXids, config.batchSize);
    const rows = [...found.late, ...found.fresh];
    // The transactions still running below the new cursor are the only ones that can add entries
    // behind it; remember them. Those of the old list that are no longer running have just been
    // read (their rows became visible at once, on commit), so they are dropped.
    const lastFresh = found.fresh[found.fresh.length - 1];
    const newCursor = lastFresh ? { xid: lastFresh.xid, id: lastFresh.id } : cursor;
    const running = new Set(found.running);
    // When the late rows hit the limit some remain: keep every open transaction until they are read.
    const lateFull = found.late.length >= config.batchSize;
    const open = new Set(state.openXids.filter((x) => lateFull || running.has(x)));
    if (newCursor) for (const x of found.running) if (BigInt(x) < BigInt(newCursor.xid)) open.add(x);
    const openXids = [...open].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    if (rows.length === 0) {
      if (openXids.join() !== state.openXids.join()) {
        await repo.updateState(trx, { treeSize: state.treeSize, cursor, openXids });
      }
      return { locked: true, added: 0, treeSize: state.treeSize, recomputed: 0, more: false };
    }

    // Spot check: the first row of each writing transaction, and any row queued without a hash.
    const samples = rows.filter((r, i) => i === 0 || r.xid !== rows[i - 1]!.xid || r.leafHash === null);
    const recomputedSamples = await recomputeLeafHashes(
      trx,
      samples.map((r) => r.id),
    );
    const suspectXids = new Set(
      samples
        .filter((r) => !r.leafHash || !r.leafHash.equals(recomputedSamples.get(r.id)!))
        .map((r) => r.xid),
    );
    let recomputed = 0;
    if (suspectXids.size > 0) {
      const suspects = rows.filter((r) => suspectXids.has(r.xid) || r.leafHash === null);
      const fresh = await recomputeLeafHashes(
        trx,
        suspects.map((r) => r.id),
      );
      for (const r of suspects) {
        const want = fresh.get(r.id)!;
        if (!r.leafHash || !r.leafHash.equals(want)) {
          r.leafHash = want;
          recomputed += 1;
        }
      }
      log('warn', `ledger: recomputed ${recomputed} queued leaf hashes that did not match their entries`);
    }

    const size = state.treeSize;
    const edge = new Map<number, Tile>();
    const edgeRows = await repo.findTiles(
      trx,
      edgeTiles(size).map((e) => [e.level, e.idx]),
    );
    for (const t of edgeRows) edge.set(t.level, t);
    const dirty = appendToTiles(
      h,
      size,
      edge,
      rows.map((r) => r.leafHash!),
    );
    await repo.upsertTiles(trx, dirty);
    await repo.insertRuns(
      trx,
      runsOf(
        size,
        rows.map((r) => r.id),
      ),
    );
    await repo.updateState(trx, { treeSize: size + rows.length, cursor: newCursor, openXids });
    return {
      locked: true,
      added: rows.length,
      treeSize: size + rows.length,
      recomputed,
      more: found.fresh.length >= config.batchSize || lateFull,
    };
  }

  async function checkpointIfGrown(onDemand: boolean): Promise<repo.CheckpointRow | undefined> {
    return db.transaction().execute(async (trx) => {
      if (!(await repo.lockSequencer(trx, onDemand))) return undefined;
      const state = await repo.findState(trx);
      const size = state?.treeSize ?? 0;
      const latest = await repo.findLatestCheckpoint(trx);
      if (latest && latest.treeSize >= size) return undefined;
      const now = clock();
      if (latest && !onDemand && now.getTime() - latest.signedAt.getTime() < config.checkpointIntervalMs) {
        return undefined;
      }
      const nodes = await createTreeReader(trx, h).nodesFor((n) => void rootHash(h, n, size));
      const root = rootHash(h, nodes, size);
      const key = deps.key();
      const timestamp = now.toISOString();
      const note = signNote(
        checkpointText({
          origin: config.origin,
          treeSize: size,
          rootHash: root,
          timestamp,
          hashAlgorithm: config.hashAlgorithm,
        }),
        key.keyName,
        key.signer,
      );
      return repo.insertCheckpoint(trx, {
        treeSize: size,
        rootHash: Buffer.from(root).toString('base64'),
        hashAlg: config.hashAlgorithm,
        signedAt: now,
        keyName: key.keyName,
        keyId: key.keyIdHex,
        signatureAlg: key.algorithm,
        note,
      });
    });
  }

  async function runOnce(onDemand: boolean): Promise<SequenceResult> {
    let sequenced = 0;
    let recomputed = 0;
    let treeSize = 0;
    for (;;) {
      const r = await db.transaction().execute((trx) => sequenceBatch(trx, onDemand));
      if (!r.locked) return { sequenced, treeSize, recomputed, lockedElsewhere: true };
      sequenced += r.added;
      recomputed += r.recomputed;
      treeSize = r.treeSize;
      if (!r.more) break;
    }
    const checkpoint = await checkpointIfGrown(onDemand);
    return checkpoint ? { sequenced, treeSize, recomputed, checkpoint } : { sequenced, treeSize, recomputed };
  }

  return {
    sequenceNow(opts = {}) {
      return serialize(() => runOnce(opts.onDemand ?? true));
    },
    start() {
      if (timer) return;
      timer = setInterval(() => {
        serialize(() => runOnce(false)).then(
          (r) => {
            if (r.sequenced > 0) {
              log('info', `ledger: sequenced ${r.sequenced} entries, tree size ${r.treeSize}`);
            }
          },
          (e: unknown) => log('error', `ledger sequencer: ${e instanceof Error ? e.message : String(e)}`),
        );
      }, config.sequenceIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await chain;
    },
    get running() {
      return timer !== undefined;
    },
  };
}
