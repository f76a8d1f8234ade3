import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';

/**
 * The ledger's API. Reads are public by design: anyone holding a record or a report can check it
 * against the signed log without trusting the platform (entries hold ids and digests, never the
 * content of non-public data). Full verification is for operators.
 */

const bilingual = z.object({ zh: z.string(), en: z.string() });
const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const checkpoint = z.object({
  origin: z.string(),
  treeSize: z.number().int(),
  rootHash: z.string().describe('base64'),
  hashAlgorithm: z.string(),
  timestamp: z.string(),
  keyName: z.string(),
  keyId: z.string(),
  signatureAlgorithm: z.string(),
  note: z.string().describe('C2SP signed note (docs/ledger.md)'),
});

const publicKey = z.object({
  origin: z.string(),
  keyName: z.string(),
  keyId: z.string(),
  algorithm: z.enum(['sm2', 'ed25519']),
  userId: z.string().nullable(),
  hashAlgorithm: z.string(),
  publicKeyHex: z.string(),
  publicKeyPem: z.string(),
});

const inclusion = z.object({
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  hashAlgorithm: z.string(),
  leafHash: z.string(),
  rootHash: z.string(),
  proof: z.array(z.string()),
  checkpoint: z.string().nullable(),
});

const consistency = z.object({
  from: z.number().int(),
  to: z.number().int(),
  hashAlgorithm: z.string(),
  fromRoot: z.string(),
  toRoot: z.string(),
  proof: z.array(z.string()),
});

const entry = z.object({
  leafIndex: z.number().int(),
  entryType: z.string(),
  refTable: z.string(),
  refId: z.string(),
  uscc: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  canonical: z.string(),
  leafHash: z.string(),
  queuedAt: z.string(),
});

const bundle = z.object({
  format: z.literal('xinrong-ledger-bundle/1'),
  entry: z.string(),
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  inclusionProof: z.array(z.string()),
  checkpoint: z.string(),
  publicKey: z.object({
    keyName: z.string(),
    algorithm: z.enum(['sm2', 'ed25519']),
    publicKeyHex: z.string(),
    userId: z.string().nullable().optional(),
  }),
});

const problem = z.object({
  kind: z.string(),
  leafIndex: z.number().int().optional(),
  entryId: z.number().int().optional(),
  refTable: z.string().optional(),
  refId: z.string().optional(),
  checkpointId: z.number().int().optional(),
  treeSize: z.number().int().optional(),
  message: bilingual,
});

const verifyReport = z.object({
  ok: z.boolean(),
  hashAlgorithm: z.string().nullable(),
  treeSize: z.number().int(),
  leavesChecked: z.number().int(),
  checkpointsChecked: z.number().int(),
  sourceChecks: z.boolean(),
  pending: z.number().int(),
  firstBadLeaf: z
    .object({
      leafIndex: z.number().int(),
      beforeTreeSize: z.number().int().optional(),
      entryId: z.number().int().optional(),
      refTable: z.string().optional(),
      refId: z.string().optional(),
      message: bilingual,
    })
    .optional(),
  problemCount: z.number().int(),
  problems: z.array(problem),
  durationMs: z.number(),
  leavesPerSecond: z.number(),
});

const status = z.object({
  origin: z.string(),
  hashAlgorithm: z.string(),
  signatureAlgorithm: z.string(),
  treeSize: z.number().int(),
  pending: z.number().int(),
  latestCheckpoint: z.object({ treeSize: z.number().int(), timestamp: z.string() }).nullable(),
  sequencerRunning: z.boolean(),
});

export const ledgerRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const tags = ['ledger'];

  app.get(
    '/api/v1/ledger/checkpoint',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: '最新签名检查点（树大小、根哈希、时间） / Latest signed checkpoint (tree size, root, time)',
        response: { 200: checkpoint },
      },
    },
    async () => ctx.ledger.latestCheckpoint(),
  );

  app.get(
    '/api/v1/ledger/public-key',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: '检查点签名公钥（SM2 或 Ed25519） / The checkpoint signing public key (SM2 or Ed25519)',
        response: { 200: publicKey },
      },
    },
    async () => ctx.ledger.publicKey(),
  );

  app.get(
    '/api/v1/ledger/status',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          '账本状态：树大小、待排序条目、最新检查点 / Ledger status: size, pending entries, latest checkpoint',
        response: { 200: status },
      },
    },
    async () => ctx.ledger.status(),
  );

  app.get(
    '/api/v1/ledger/proof/inclusion',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: '包含证明（RFC 9162 §2.1.3） / Inclusion proof (RFC 9162 §2.1.3)',
        querystring: z.object({
          index,
          size: index.optional().describe('tree size; default: the latest checkpoint'),
        }),
        response: { 200: inclusion },
      },
    },
    async (req) => ctx.ledger.inclusionProof(req.query.index, req.query.size),
  );

  app.get(
    '/api/v1/ledger/proof/consistency',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: '一致性证明（RFC 9162 §2.1.4） / Consistency proof (RFC 9162 §2.1.4)',
        querystring: z.object({
          from: index,
          to: index.optional().describe('default: the latest checkpoint'),
        }),
        response: { 200: consistency },
      },
    },
    async (req) => ctx.ledger.consistencyProof(req.query.from, req.query.to),
  );

  app.get(
    '/api/v1/ledger/entries/:index',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: '按序号查看账本条目（规范编码） / A ledger entry by leaf index (canonical form)',
        params: z.object({ index }),
        response: { 200: entry },
      },
    },
    async (req) => ctx.ledger.entry(req.params.index),
  );

  app.get(
    '/api/v1/ledger/bundle/:index',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          '下载离线证明包（条目、包含证明、签名检查点、公钥） / Offline proof bundle (entry, proof, signed checkpoint, key)',
        params: z.object({ index }),
        response: { 200: bundle },
      },
    },
    async (req, reply) => {
      const b = await ctx.ledger.bundle(req.params.index);
      reply.header('content-disposition', `attachment; filename="ledger-bundle-${req.params.index}.json"`);
      return b;
    },
  );

  app.post(
    '/api/v1/ledger/verify',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary:
          '全量校验：重算每个叶子、核对每个签名检查点和源记录 / Full verification: every leaf, checkpoint and source row',
        body: z.object({ sources: z.boolean().default(true) }).default({ sources: true }),
        response: { 200: verifyReport },
      },
    },
    async (req) => ctx.ledger.verify({ sources: req.body.sources }),
  );
};
