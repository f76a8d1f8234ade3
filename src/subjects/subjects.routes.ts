import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { subjectTypes } from './subject-types.ts';
import { maxPageSize } from './subjects.service.ts';

const bilingual = z.object({ zh: z.string(), en: z.string() });

/** Public registration basics: this schema is the whitelist of what leaves the registry. */
const subjectSummary = z.object({
  uscc: z.string(),
  name: z.string(),
  type: z.enum(subjectTypes),
  typeLabel: bilingual,
  region: z.object({ code: z.string(), name: z.string().nullable() }).nullable(),
  industry: z.object({ code: z.string(), name: z.string().nullable() }).nullable(),
  status: z.string().nullable(),
  establishedOn: z.string().nullable(),
  legalRepName: z.string().nullable(),
  provisional: z.boolean(),
  /** Current evaluation grade: institutions and operators only (decision 0083). */
  grade: z.string().nullable().optional(),
});

const subjectDetail = subjectSummary.extend({
  formerNames: z.array(z.object({ name: z.string(), since: z.string() })),
});

const dictionaryItem = z.object({
  code: z.string(),
  name: z.string(),
  parentCode: z.string().nullable(),
  level: z.number().int(),
});

const dictionaryQuery = z.object({
  parent: z.string().max(12).optional(),
  maxLevel: z.coerce.number().int().min(1).max(4).optional(),
});

function dictionaryItems(rows: { code: string; name: string; parent_code: string | null; level: number }[]) {
  return rows.map((r) => ({ code: r.code, name: r.name, parentCode: r.parent_code, level: r.level }));
}

export const subjectsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/subjects',
    {
      config: { access: 'public' },
      schema: {
        tags: ['subjects'],
        summary:
          '查询信用主体（代码、代码前缀或名称片段，按地区、行业、类型、信用等级筛选） / Search subjects',
        querystring: z.object({
          q: z.string().max(100).optional(),
          region: z.string().max(6).optional(),
          industry: z.string().max(5).optional(),
          type: z.enum(subjectTypes).optional(),
          // Institutions and operators only (the service refuses anyone else: grades are not public).
          grade: z
            .string()
            .trim()
            .regex(/^[A-Za-z][A-Za-z0-9+-]{0,7}$/)
            .optional(),
          page: z.coerce.number().int().min(1).max(10000).default(1),
          pageSize: z.coerce.number().int().min(1).max(maxPageSize).default(20),
        }),
        response: {
          200: z.object({
            items: z.array(subjectSummary),
            page: z.number().int(),
            pageSize: z.number().int(),
            total: z.number().int(),
            totalIsLowerBound: z.boolean(),
          }),
        },
      },
    },
    async (req) => ctx.subjects.search(req.query, req.actor),
  );

  app.get(
    '/api/v1/subjects/:uscc',
    {
      config: { access: 'public' },
      schema: {
        tags: ['subjects'],
        summary: '信用主体登记基本信息 / Registration basics of a subject',
        params: z.object({ uscc: z.string().max(40) }),
        response: { 200: subjectDetail },
      },
    },
    async (req) => ctx.subjects.getSubject(req.params.uscc, req.actor),
  );

  app.get(
    '/api/v1/regions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['subjects'],
        summary: '行政区划代码（GB/T 2260） / Region codes',
        querystring: dictionaryQuery,
        response: { 200: z.object({ items: z.array(dictionaryItem) }) },
      },
    },
    async (req) => ({ items: dictionaryItems(await ctx.subjects.listRegions(req.query)) }),
  );

  app.get(
    '/api/v1/industries',
    {
      config: { access: 'public' },
      schema: {
        tags: ['subjects'],
        summary: '国民经济行业分类（GB/T 4754-2017） / Industry codes',
        querystring: dictionaryQuery,
        response: { 200: z.object({ items: z.array(dictionaryItem) }) },
      },
    },
    async (req) => ({ items: dictionaryItems(await ctx.subjects.listIndustries(req.query)) }),
  );
};
