import fs from 'node:fs';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';
import { canonicalEntry } from './canonical.ts';
import type { NoteKey } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { ledgerKeyPath, loadOrCreateLedgerKey, type LedgerKey } from './keys.ts';
import { leafIndexesFor, leafIndexFor } from './leaf-index.ts';
import { ledgerConfigFrom, type LedgerConfig } from './ledger.config.ts';
import { setLedgerQueueHashAlgorithm } from './ledger-queue.ts';
import * as repo from './ledger.repository.ts';
import { verifyLedger, type VerifyReport } from './ledger-verify.ts';
import { consistencyProof, inclusionProof, rangeHash, rootHash } from './merkle.ts';
import { createSequencer, type SequenceResult } from './sequencer.ts';
import { createTreeReader } from './tree-reader.ts';
import { MissingNodeError } from './tiles.ts';
import {
  publicKeyPem,
  SM2_DEFAULT_USER_ID,
  signatureAlgorithms,
  type SignatureAlgorithm,
} from './signing.ts';
import { BUNDLE_FORMAT, type LedgerBundle } from './verify-offline.ts';

/**
 * The ledger (防篡改账本): sequencer, signed checkpoints, proofs, entries, offline bundles and full
 * verification. Public reads need no database write and no key but the public one.
 */

export interface CheckpointView {
  origin: string;
  treeSize: number;
  rootHash: string;
  hashAlgorithm: string;
  timestamp: string;
  keyName: string;
  keyId: string;
  signatureAlgorithm: string;
  /** The signed note, as published (docs/ledger.md). */
  note: string;
}

export interface PublicKeyView {
  origin: string;
  keyName: string;
  keyId: string;
  algorithm: SignatureAlgorithm;
  /** SM2 only: the user ID in Z_A (GB/T 32918 default). */
  userId: string | null;
  hashAlgorithm: string;
  publicKeyHex: string;
  publicKeyPem: string;
}

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  hashAlgorithm: string;
  leafHash: string;
  rootHash: string;
  proof: string[];
  /** The signed checkpoint of exactly this size, when there is one. */
  checkpoint: string | null;
}

export interface ConsistencyProofView {
  from: number;
  to: number;
  hashAlgorithm: string;
  fromRoot: string;
  toRoot: string;
  proof: string[];
}

export interface EntryView {
  leafIndex: number;
  entryType: string;
  refTable: string;
  refId: string;
  uscc: string | null;
  payload: Record<string, unknown>;
  /** The exact leaf data: H(0x00 ‖ UTF-8 of this) is the leaf hash. */
  canonical: string;
  leafHash: string;
  queuedAt: string;
}

export interface StatusView {
  origin: string;
  hashAlgorithm: string;
  signatureAlgorithm: string;
  treeSize: number;
  pending: number;
  latestCheckpoint: { treeSize: number; timestamp: string } | null;
  sequencerRunning: boolean;
}

export interface LedgerService {
  readonly config: LedgerConfig;
  /** Starts the periodic sequencer (every second) in this process; `serve` does. */
  start(log?: (level: 'info' | 'warn' | 'error', msg: string) => void): void;
  stop(): Promise<void>;
  /** Sequences everything committed now and signs a checkpoint if the tree grew. */
  sequenceNow(): Promise<SequenceResult>;
  publicKey(): PublicKeyView;
  latestCheckpoint(): Promise<CheckpointView>;
  inclusionProof(index: number, size?: number): Promise<InclusionProofView>;
  consistencyProof(from: number, to?: number): Promise<ConsistencyProofView>;
  entry(index: number): Promise<EntryView>;
  /** One JSON file a holder can verify offline (verifyBundle), at the latest checkpoint. */
  bundle(index: number): Promise<LedgerBundle>;
  /** The bundle of the entry about a row (e.g. a report); sequences first if it is not placed yet. */
  bundleFor(refTable: string, refId: string | number): Promise<LedgerBundle>;
  verify(opts?: {
    sources?: boolean;
    onProgress?: (done: number, total: number) => void;
  }): Promise<VerifyReport>;
  status(): Promise<StatusView>;
  leafIndexFor(refTable: string, refId: string | number): Promise<number | undefined>;
  leafIndexesFor(refTable: string, refIds: ReadonlyArray<string | number>): Promise<Map<string, number>>;
}

export interface LedgerServiceDeps {
  db: Db;
  config: Pick<Config, 'dataDir'>;
  /** Overrides of the environment-derived settings (tests). */
  ledger?: Partial<LedgerConfig>;
  clock?: () => Date;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export function createLedgerService(deps: LedgerServiceDeps): LedgerService {
  const { db } = deps;
  const config: LedgerConfig = { ...ledgerConfigFrom(deps.config), ...deps.ledger };
  setLedgerQueueHashAlgorithm(config.hashAlgorithm);
  const h = treeHasher(config.hashAlgorithm);
  let key: LedgerKey | undefined;
  const getKey = () =>
    (key ??= loadOrCreateLedgerKey(config.keysDir, config.signatureAlgorithm, config.origin));
  const tree = createTreeReader(db, h);
  /** Checkpoints by tree size: signed notes never change. */
  const signedBySize = new Map<number, repo.CheckpointRow>();
  let log: (level: 'info' | 'warn' | 'error', msg: string) => void = () => undefined;
  const sequencer = createSequencer({ db, config, key: getKey, log: (l, m) => log(l, m), clock: deps.clock });

  const nodes: typeof tree.nodesFor = (run) => tree.nodesFor(run);

  async function checkpointOfSize(n: number): Promise<repo.CheckpointRow | undefined> {
    const hit = signedBySize.get(n);
    if (hit) return hit;
    const c = await repo.findCheckpointOfSize(db, n);
    if (c) {
      if (signedBySize.size > 1024) signedBySize.clear();
      signedBySize.set(n, c);
    }
    return c;
  }

  async function treeSize(): Promise<number> {
    return (await repo.findState(db))?.treeSize ?? 0;
  }

  function toView(c: repo.CheckpointRow): CheckpointView {
    return {
      origin: config.origin,
      treeSize: c.treeSize,
      rootHash: c.rootHash,
      hashAlgorithm: c.hashAlg,
      timestamp: c.signedAt.toISOString(),
      keyName: c.keyName,
      keyId: c.keyId,
      signatureAlgorithm: c.signatureAlg,
      note: c.note,
    };
  }

  async function latest(): Promise<repo.CheckpointRow> {
    const c = await repo.findLatestCheckpoint(db);
    if (!c) throw new AppError('ledger_empty');
    return c;
  }

  async function sizeError(size: number): Promise<AppError> {
    return new AppError('ledger_size_invalid', { size: String(size), treeSize: await treeSize() });
  }

  function checkIndex(index: number, size: number) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new AppError('ledger_index_out_of_range', { index, size });
    }
  }

  /** Public keys this deployment knows: the configured one and any other ledger key file present. */
  function knownKeys(): NoteKey[] {
    const keys: NoteKey[] = [];
    for (const alg of signatureAlgorithms) {
      if (alg !== config.signatureAlgorithm && !fs.existsSync(ledgerKeyPath(config.keysDir, alg))) continue;
      const k =
        alg === config.signatureAlgorithm
          ? getKey()
          : loadOrCreateLedgerKey(config.keysDir, alg, config.origin);
      keys.push({ keyName: k.keyName, algorithm: k.algorithm, publicKeyHex: k.publicKeyHex });
    }
    return keys;
  }

  const service: LedgerService = {
    config,
    start(l) {
      if (l) log = l;
      getKey(); // keys are created on first start
      sequencer.start();
    },
    stop: () => sequencer.stop(),
    sequenceNow: () => sequencer.sequenceNow({ onDemand: true }),

    publicKey() {
      const k = getKey();
      return {
        origin: config.origin,
        keyName: k.keyName,
        keyId: k.keyIdHex,
        algorithm: k.algorithm,
        userId: k.algorithm === 'sm2' ? SM2_DEFAULT_USER_ID : null,
        hashAlgorithm: config.hashAlgorithm,
        publicKeyHex: k.publicKeyHex,
        publicKeyPem: publicKeyPem(k.algorithm, k.publicKeyHex),
      };
    },

    async latestCheckpoint() {
      return toView(await latest());
    },

    async inclusionProof(index, size) {
      // Default: the latest checkpoint. An explicit size is checked against the stored tree itself
      // (its nodes exist only up to the tree size), which saves a query per proof.
      const cp = size === undefined ? await latest() : undefined;
      const n = cp?.treeSize ?? size!;
      if (!Number.isSafeInteger(n) || n < 0) throw await sizeError(n);
      checkIndex(index, n); // also the empty tree: no leaf to prove
      const [src, signed] = await Promise.all([
        nodes((ns) => {
          inclusionProof(h, ns, index, n);
          rootHash(h, ns, n);
          ns(0, index);
        }),
        cp ? Promise.resolve(cp) : checkpointOfSize(n),
      ]);
      try {
        return {
          leafIndex: index,
          treeSize: n,
          hashAlgorithm: config.hashAlgorithm,
          leafHash: b64(src(0, index)),
          rootHash: b64(rootHash(h, src, n)),
          proof: inclusionProof(h, src, index, n).map(b64),
          checkpoint: signed?.note ?? null,
        };
      } catch (e) {
        if (e instanceof MissingNodeError) throw await sizeError(n);
        throw e;
      }
    },

    async consistencyProof(from, to) {
      const n = to ?? (await latest()).treeSize;
      if (!Number.isSafeInteger(n) || n < 0) throw await sizeError(n);
      if (!Number.isSafeInteger(from) || from < 0 || from > n) {
        throw new AppError('ledger_size_invalid', { size: String(from), treeSize: n });
      }
      const src = await nodes((ns) => {
        consistencyProof(h, ns, from, n);
        rangeHash(h, ns, 0, from);
        rangeHash(h, ns, 0, n);
      });
      try {
        return {
          from,
          to: n,
          hashAlgorithm: config.hashAlgorithm,
          fromRoot: b64(rootHash(h, src, from)),
          toRoot: b64(rootHash(h, src, n)),
          proof: consistencyProof(h, src, from, n).map(b64),
        };
      } catch (e) {
        if (e instanceof MissingNodeError) throw await sizeError(n);
        throw e;
      }
    },

    async entry(index) {
      const size = await treeSize();
      checkIndex(index, size);
      const run = await repo.findRunOfLeaf(db, index);
      const id = run ? run.firstEntryId + (index - run.firstLeaf) : undefined;
      const row = id === undefined ? undefined : (await repo.findQueueRowsByIds(db, [id])).get(id);
      if (!row) throw new AppError('not_found', { what: `账本叶子 / ledger leaf ${index}` });
      const canonical = canonicalEntry(row);
      return {
        leafIndex: index,
        entryType: row.entryType,
        refTable: row.refTable,
        refId: row.refId,
        uscc: row.uscc,
        payload: row.payload,
        canonical,
        leafHash: b64(h.hashLeaf(canonical)),
        queuedAt: row.createdAt.toISOString(),
      };
    },

    async bundle(index) {
      const cp = await latest();
      if (!Number.isSafeInteger(index) || index < 0) {
        throw new AppError('ledger_index_out_of_range', { index, size: cp.treeSize });
      }
      if (index >= cp.treeSize) {
        if (index >= (await treeSize())) {
          throw new AppError('ledger_index_out_of_range', { index, size: cp.treeSize });
        }
        throw new AppError('ledger_not_signed_yet', { index });
      }
      const e = await service.entry(index);
      const proof = await service.inclusionProof(index, cp.treeSize);
      const k = getKey();
      return {
        format: BUNDLE_FORMAT,
        entry: e.canonical,
        leafIndex: index,
        treeSize: cp.treeSize,
        inclusionProof: proof.proof,
        checkpoint: cp.note,
        publicKey: {
          keyName: k.keyName,
          algorithm: k.algorithm,
          publicKeyHex: k.publicKeyHex,
          ...(k.algorithm === 'sm2' ? { userId: SM2_DEFAULT_USER_ID } : {}),
        },
      };
    },

    async bundleFor(refTable, refId) {
      let index = await leafIndexFor(db, refTable, refId);
      const signed = index !== undefined ? ((await repo.findLatestCheckpoint(db))?.treeSize ?? 0) : 0;
      if (index === undefined || index >= signed) {
        await service.sequenceNow();
        index = await leafIndexFor(db, refTable, refId);
      }
      if (index === undefined) {
        throw new AppError('ledger_entry_not_found', { refTable, refId: String(refId) });
      }
      return service.bundle(index);
    },

    verify(opts = {}) {
      return verifyLedger(db, { keys: knownKeys(), sources: opts.sources, onProgress: opts.onProgress });
    },

    async status() {
      const state = await repo.findState(db);
      const cp = await repo.findLatestCheckpoint(db);
      return {
        origin: config.origin,
        hashAlgorithm: state?.hashAlg ?? config.hashAlgorithm,
        signatureAlgorithm: config.signatureAlgorithm,
        treeSize: state?.treeSize ?? 0,
        pending: await repo.countPending(db, state),
        latestCheckpoint: cp ? { treeSize: cp.treeSize, timestamp: cp.signedAt.toISOString() } : null,
        sequencerRunning: sequencer.running,
      };
    },

    leafIndexFor: (refTable, refId) => leafIndexFor(db, refTable, refId),
    leafIndexesFor: (refTable, refIds) => leafIndexesFor(db, refTable, refIds),
  };
  return service;
}
