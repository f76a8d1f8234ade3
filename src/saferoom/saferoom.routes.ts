import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../shared/errors.ts';
import { parseUscc } from '../subjects/subjects.service.ts';
import { MAX_SCORE_BATCH, type JobOptionsInput } from './saferoom.service.ts';

const optionsSchema = z
  .object({
    k: z.number().int().optional(),
    min_bin_share: z.number().optional(),
    min_iv: z.number().min(0).optional(),
    l2: z.number().min(0).max(1e6).optional(),
    validation_share: z.number().optional(),
    scaling: z
      .object({
        base_score: z.number().optional(),
        base_odds: z.number().optional(),
        pdo: z.number().optional(),
      })
      .optional(),
    features: z.array(z.string().max(64)).max(200).optional(),
  })
  .strict();

/** What leaves the room about a job: its metadata and the released result; never the loans. */
const jobSchema = z.object({
  id: z.number().int(),
  institutionId: z.string(),
  name: z.string(),
  status: z.string(),
  inputFormat: z.string(),
  inputSha256: z.string(),
  inputRows: z.number().int(),
  inputSubjects: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()).nullable(),
  resultSha256: z.string().nullable(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const loanSchema = z.record(z.string(), z.unknown());

function parseOptions(text: string | undefined): JobOptionsInput | undefined {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('validation_failed', { detail: 'options: not JSON' });
  }
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('validation_failed', { detail: `options: ${parsed.error.issues[0]?.message}` });
  }
  return parsed.data as JobOptionsInput;
}

export const safeRoomRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/saferoom/jobs',
    {
      config: { access: ['institution', 'institution_system'] },
      schema: {
        tags: ['saferoom'],
        summary:
          '数据安全屋：上传贷款结果（JSON，或 multipart 的 CSV/JSON 文件）联合建模 / Safe room: upload loan outcomes for joint modelling',
        body: z
          .object({
            name: z.string().max(200).optional(),
            loans: z.array(loanSchema).max(500_000),
            options: optionsSchema.optional(),
          })
          .nullish(),
        response: { 202: jobSchema },
      },
    },
    async (req, reply) => {
      let job;
      if (req.isMultipart()) {
        const fields: Record<string, string> = {};
        let file: { text: string; filename: string } | undefined;
        for await (const part of req.parts({ limits: { fileSize: ctx.config.uploadLimitBytes } })) {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value);
            continue;
          }
          const buf = await part.toBuffer();
          file = { text: buf.toString('utf8'), filename: part.filename ?? '' };
        }
        if (!file) throw new AppError('file_empty');
        const isJson = /\.json$/i.test(file.filename) || /^\s*[[{]/.test(file.text);
        let body: unknown = file.text;
        if (isJson) {
          try {
            body = JSON.parse(file.text);
          } catch (e) {
            throw new AppError('safe_room_input_invalid', {
              detail: e instanceof Error ? e.message : 'JSON',
            });
          }
        }
        job = await ctx.saferoom.createJob(req.actor, {
          name: fields.name ?? file.filename,
          format: isJson ? 'json' : 'csv',
          body,
          options: parseOptions(fields.options),
        });
      } else {
        if (!req.body) throw new AppError('validation_failed', { detail: 'body: { loans: [...] }' });
        job = await ctx.saferoom.createJob(req.actor, {
          name: req.body.name,
          format: 'json',
          body: req.body.loans,
          options: req.body.options as JobOptionsInput | undefined,
        });
      }
      void ctx.saferoom.kick();
      return reply.code(202).send(job);
    },
  );

  app.get(
    '/api/v1/saferoom/jobs',
    {
      config: { access: ['institution', 'institution_system', 'operator'] },
      schema: {
        tags: ['saferoom'],
        summary: '安全屋任务列表（机构仅见本机构） / Safe-room jobs (an institution sees its own)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(jobSchema) }) },
      },
    },
    async (req) => ({ items: await ctx.saferoom.listJobs(req.actor, req.query.limit) }),
  );

  app.get(
    '/api/v1/saferoom/jobs/:id',
    {
      config: { access: ['institution', 'institution_system', 'operator'] },
      schema: {
        tags: ['saferoom'],
        summary:
          '安全屋任务结果：模型（分箱、分值）、指标与不少于 k 个主体的汇总 / Job result: model, metrics, aggregates over ≥ k subjects',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: jobSchema },
      },
    },
    async (req) => ctx.saferoom.getJob(req.actor, req.params.id),
  );

  app.post(
    '/api/v1/saferoom/jobs/:id/scores',
    {
      config: { access: ['institution', 'institution_system'] },
      schema: {
        tags: ['saferoom'],
        summary:
          '用本机构模型为已授权主体评分（未授权的主体不给分） / Score consented subjects with the institution’s own model',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({
          usccs: z.array(z.string().max(40)).min(1).max(MAX_SCORE_BATCH),
          consent_ids: z.record(z.string(), z.string().max(64)).optional(),
        }),
        response: {
          200: z.object({
            jobId: z.number().int(),
            asOf: z.string(),
            results: z.array(
              z.object({
                uscc: z.string(),
                status: z.enum(['scored', 'refused']),
                score: z.number().int().nullable(),
                probability: z.number().nullable(),
                points: z.record(z.string(), z.number()).nullable(),
                consentId: z.string().nullable(),
                reason: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) =>
      ctx.saferoom.scoreSubjects(req.actor, req.params.id, {
        usccs: req.body.usccs.map(parseUscc),
        consentIds: req.body.consent_ids,
      }),
  );
};
