import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { parseUscc } from '../subjects/subjects.service.ts';

const featureValue = z.union([z.number(), z.string(), z.null()]);

const reason = z.object({
  code: z.string(),
  indicator: z.string(),
  zh: z.string(),
  en: z.string(),
  pointsLost: z.number(),
  disputed: z.boolean(),
});

const evaluationView = z.object({
  uscc: z.string(),
  basis: z.string(),
  modelVersion: z.number().int(),
  modelLabel: z.string(),
  runId: z.number().int(),
  asOf: z.string(),
  evaluatedAt: z.string(),
  score: z.number().int(),
  grade: z.string(),
  gradeZh: z.string(),
  gradeEn: z.string(),
  reasons: z.array(reason).nullable(),
  indicators: z
    .array(
      z.object({
        code: z.string(),
        nameZh: z.string(),
        nameEn: z.string(),
        category: z.string(),
        points: z.number(),
        max: z.number(),
        value: featureValue,
        binZh: z.string().nullable(),
        binEn: z.string().nullable(),
        disputed: z.boolean(),
      }),
    )
    .nullable(),
  history: z.array(
    z.object({
      runId: z.number().int(),
      modelVersion: z.number().int(),
      asOf: z.string(),
      score: z.number().int(),
      grade: z.string(),
      at: z.string(),
    }),
  ),
  withheld: z.array(z.string()),
  consentId: z.string().nullable(),
});

const runView = z.object({
  id: z.number().int(),
  modelVersion: z.number().int(),
  mode: z.string(),
  asOf: z.string(),
  status: z.string(),
  recordWatermark: z.number().int(),
  subjectsEvaluated: z.number().int(),
  subjectsChanged: z.number().int(),
  gradeCounts: z.record(z.string(), z.number()),
  resultsDigest: z.string().nullable(),
  error: z.string().nullable(),
  triggeredBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const runSummary = z.object({
  runId: z.number().int().nullable(),
  mode: z.string(),
  modelVersion: z.number().int(),
  asOf: z.string(),
  subjectsEvaluated: z.number().int(),
  subjectsChanged: z.number().int(),
  gradeCounts: z.record(z.string(), z.number()),
  resultsDigest: z.string().nullable(),
  recordWatermark: z.number().int(),
  seconds: z.number(),
  skipped: z.string().optional(),
});

function toRunView(r: Awaited<ReturnType<AppContext['evaluation']['getRun']>>) {
  return { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null };
}

export const evaluationRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/subjects/:uscc/evaluation',
    {
      config: { access: ['enterprise', 'institution', 'institution_system', 'operator'] },
      schema: {
        tags: ['evaluation'],
        summary:
          '信用评价：分数、等级与扣分理由（企业本人、运营人员；机构凭授权看理由，无授权仅见分数等级） / Credit evaluation of a subject',
        params: z.object({ uscc: z.string().max(40) }),
        querystring: z.object({
          consent_id: z.string().max(64).optional(),
        }),
        response: { 200: evaluationView },
      },
    },
    async (req) =>
      ctx.evaluation.getSubjectEvaluation(req.actor, parseUscc(req.params.uscc), {
        consentId: req.query.consent_id,
      }),
  );

  app.get(
    '/api/v1/evaluation/model',
    {
      config: { access: 'public' },
      schema: {
        tags: ['evaluation'],
        summary:
          '现行信用评价模型（指标、分档、分值、理由码；公开透明） / The evaluation model in force (public)',
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        response: {
          200: z.object({
            version: z.number().int(),
            digest: z.string(),
            document: z.record(z.string(), z.unknown()),
          }),
        },
      },
    },
    async (req) => {
      const m = await ctx.evaluation.getModel(req.query.version);
      const { version, digest, ...document } = m;
      return { version, digest, document };
    },
  );

  app.get(
    '/api/v1/evaluation/models',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['evaluation'],
        summary: '评价模型版本列表 / Evaluation model versions',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                version: z.number().int(),
                label: z.string(),
                digest: z.string(),
                importedBy: z.string(),
                createdAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: (await ctx.evaluation.listModels()).map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    }),
  );

  app.post(
    '/api/v1/evaluation/models',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['evaluation'],
        summary:
          '导入新版本评价模型（JSON，无需改代码；记入防篡改账本） / Import a new evaluation model version',
        body: z.record(z.string(), z.unknown()),
        response: {
          201: z.object({
            version: z.number().int(),
            digest: z.string(),
            label: z.string(),
            warnings: z.array(z.string()),
          }),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await ctx.evaluation.importModel(req.actor, req.body)),
  );

  app.post(
    '/api/v1/evaluation/runs',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['evaluation'],
        summary:
          '运行信用评价（全量或增量；同步执行） / Run the evaluation (full or incremental, synchronous)',
        body: z.object({
          mode: z.enum(['full', 'incremental', 'auto']).default('auto'),
          as_of: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
        }),
        response: { 200: runSummary },
      },
    },
    async (req) =>
      ctx.evaluation.run({
        mode: req.body.mode,
        ...(req.body.as_of ? { asOf: req.body.as_of } : {}),
        triggeredBy: req.actor.type === 'operator' ? `operator:${req.actor.id}` : 'api',
      }),
  );

  app.get(
    '/api/v1/evaluation/runs',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['evaluation'],
        summary: '评价任务记录 / Evaluation runs',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.coerce.number().int().positive().optional(),
        }),
        response: { 200: z.object({ items: z.array(runView) }) },
      },
    },
    async (req) => ({
      items: (await ctx.evaluation.listRuns(req.query.limit, req.query.before)).map(toRunView),
    }),
  );

  app.get(
    '/api/v1/evaluation/runs/:id',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['evaluation'],
        summary: '评价任务详情 / One evaluation run',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: runView },
      },
    },
    async (req) => toRunView(await ctx.evaluation.getRun(req.params.id)),
  );
};
