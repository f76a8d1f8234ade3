import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { whitelistCategoryCodes, whitelistStatuses } from './whitelist.service.ts';

/** The financing whitelist (融资白名单, decision 0110): recommend, review, withdraw, remove, read. */

const bilingual = z.object({ zh: z.string(), en: z.string() });
const idParams = z.object({ id: z.coerce.number().int().positive() });

const entrySchema = z.object({
  id: z.number(),
  uscc: z.string(),
  subjectName: z.string().nullable(),
  regionCode: z.string().nullable(),
  orgId: z.string(),
  orgName: z.string().nullable(),
  recommendedByName: z.string().nullable(),
  category: z.string(),
  categoryLabel: bilingual,
  reason: z.string(),
  status: z.enum(whitelistStatuses),
  statusLabel: bilingual,
  validUntil: z.string().nullable(),
  decisionNote: z.string().nullable(),
  decidedAt: z.string().nullable(),
  closeReason: z.string().nullable(),
  closedAt: z.string().nullable(),
  createdAt: z.string(),
  history: z
    .array(
      z.object({
        event: z.string(),
        label: bilingual,
        actorType: z.string(),
        orgId: z.string().nullable(),
        note: z.string().nullable(),
        at: z.string(),
      }),
    )
    .optional(),
});

const text = z.string().trim().min(1).max(2000);

export const whitelistRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/whitelist/categories',
    {
      config: { access: 'public' },
      schema: {
        tags: ['whitelist'],
        summary: '白名单推荐类别 / Whitelist recommendation categories',
        response: { 200: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })) },
      },
    },
    async () => Object.entries(ctx.whitelist.categories).map(([code, l]) => ({ code, ...l })),
  );

  app.post(
    '/api/v1/whitelist',
    {
      config: { access: ['recommender'] },
      schema: {
        tags: ['whitelist'],
        summary: '推荐企业进入融资白名单（须说明推荐理由） / Recommend a subject to the whitelist',
        body: z.object({
          uscc: z.string().trim().min(1).max(40),
          category: z.enum(whitelistCategoryCodes),
          reason: text,
        }),
        response: { 201: entrySchema },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.whitelist.recommend(req.actor, req.body)),
  );

  app.get(
    '/api/v1/whitelist',
    {
      config: { access: ['recommender', 'institution', 'institution_system', 'operator'] },
      schema: {
        tags: ['whitelist'],
        summary:
          '白名单：机构看在库企业，推荐单位看本单位推荐，运营看全部 / The whitelist as the caller may see it',
        querystring: z.object({
          status: z.enum(whitelistStatuses).optional(),
          uscc: z.string().max(40).optional(),
          category: z.enum(whitelistCategoryCodes).optional(),
          region: z.string().max(6).optional(),
          orgId: z.string().max(100).optional(),
          page: z.coerce.number().int().min(1).max(10000).default(1),
          pageSize: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: {
          200: z.object({
            items: z.array(entrySchema),
            page: z.number().int(),
            pageSize: z.number().int(),
            total: z.number().int(),
          }),
        },
      },
    },
    async (req) => ctx.whitelist.list(req.actor, req.query),
  );

  app.get(
    '/api/v1/whitelist/:id',
    {
      config: { access: ['recommender', 'institution', 'institution_system', 'operator', 'enterprise'] },
      schema: {
        tags: ['whitelist'],
        summary: '白名单条目及其处理记录 / A whitelist entry and its history',
        params: idParams,
        response: { 200: entrySchema },
      },
    },
    async (req) => ctx.whitelist.get(req.actor, req.params.id),
  );

  app.post(
    '/api/v1/whitelist/:id/withdraw',
    {
      config: { access: ['recommender'] },
      schema: {
        tags: ['whitelist'],
        summary: '推荐单位撤回推荐（须说明理由） / The recommender withdraws its recommendation',
        params: idParams,
        body: z.object({ reason: text }),
        response: { 200: entrySchema },
      },
    },
    async (req) => ctx.whitelist.withdraw(req.actor, req.params.id, req.body.reason),
  );

  app.post(
    '/api/v1/whitelist/:id/review',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['whitelist'],
        summary: '审核推荐：通过（列入白名单，默认 12 个月）或不通过 / Approve or reject a recommendation',
        params: idParams,
        body: z.object({
          decision: z.enum(['approve', 'reject']),
          note: z.string().trim().max(2000).optional(),
          validUntil: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
        }),
        response: { 200: entrySchema },
      },
    },
    async (req) => ctx.whitelist.review(req.actor, req.params.id, req.body),
  );

  app.post(
    '/api/v1/whitelist/:id/remove',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['whitelist'],
        summary: '将企业移出白名单（须说明理由） / Remove a listed subject (with the reason)',
        params: idParams,
        body: z.object({ reason: text }),
        response: { 200: entrySchema },
      },
    },
    async (req) => ctx.whitelist.remove(req.actor, req.params.id, req.body.reason),
  );

  app.get(
    '/api/v1/subjects/:uscc/whitelist',
    {
      config: { access: ['enterprise', 'recommender', 'institution', 'institution_system', 'operator'] },
      schema: {
        tags: ['whitelist'],
        summary: '企业的白名单状态 / A subject’s whitelist standing',
        params: z.object({ uscc: z.string().max(40) }),
        response: {
          200: z.object({ uscc: z.string(), listed: z.boolean(), entries: z.array(entrySchema) }),
        },
      },
    },
    async (req) => ctx.whitelist.subjectStatus(req.actor, req.params.uscc),
  );
};
