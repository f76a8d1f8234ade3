import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';

const publicStatsSchema = z.object({
  subjects: z.number().int().describe('信用主体数 / credit subjects'),
  records: z.number().int().describe('信用记录数 / credit records'),
  providers: z.number().int().describe('数据提供单位数 / active data providers'),
  institutions: z.number().int().describe('接入金融机构数 / active institutions'),
  asOf: z.string().describe('统计时间 / when counted (ISO 8601)'),
});

const series = z.object({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  accepted: z.array(z.number().int()),
});

const trendSchema = z.object({
  months: z.array(z.string()).describe('YYYY-MM，北京时间 / China Standard Time'),
  byCategory: z.array(series),
  byProvider: z.array(series),
  totals: z.object({
    batches: z.number().int(),
    received: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
  }),
});

const healthSchema = z.object({
  windowDays: z.number().int(),
  asOf: z.string(),
  providers: z.array(
    z.object({
      id: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      status: z.string(),
      kinds: z.array(z.string()),
      batches: z.number().int(),
      received: z.number().int(),
      rejected: z.number().int(),
      failed: z.number().int(),
      rejectionRate: z.number().nullable(),
      medianSeconds: z.number().nullable(),
      lastBatch: z.object({ id: z.number().int(), status: z.string(), at: z.string() }).nullable(),
      lastCompletedAt: z.string().nullable(),
      daysSinceCompleted: z.number().int().nullable(),
      timeliness: z.enum(['on_time', 'late', 'stale', 'never']),
    }),
  ),
});

export const statsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/stats/public',
    {
      config: { access: 'public' },
      schema: {
        tags: ['stats'],
        summary: '平台公开统计（首页数据）/ Public headline figures',
        response: { 200: publicStatsSchema },
      },
    },
    async () => ctx.stats.publicStats(),
  );

  app.get(
    '/api/v1/stats/ingestion',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['stats'],
        summary:
          '按月入库记录数（按信息种类、按提供单位）/ Records stored per month, by category and by provider',
        querystring: z.object({ months: z.coerce.number().int().min(1).max(60).default(12) }),
        response: { 200: trendSchema },
      },
    },
    async (req) => ctx.stats.ingestTrend(req.query.months),
  );

  app.get(
    '/api/v1/stats/providers',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['stats'],
        summary:
          '数据提供单位归集情况：最近批次、拒绝率、及时性 / Ingestion health per provider: last batch, rejection rate, timeliness',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: { 200: healthSchema },
      },
    },
    async (req) => ctx.stats.providerHealth(req.query.days),
  );
};
