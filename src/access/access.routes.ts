import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { consentModes, consentPurposes } from '../consent/consent.types.ts';
import type { AuthenticatedActor } from './actor.ts';
import { recordMarkCodes } from './read-path.types.ts';

/**
 * Reads of a subject's records — always through the read path — and the access log: the enterprise's
 * own ("who looked at my data, when, why, under which consent") and the operators' search.
 */

const bilingual = z.object({ zh: z.string(), en: z.string() });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const csv = z
  .string()
  .max(4000)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const markSchema = z.object({ code: z.enum(recordMarkCodes), zh: z.string(), en: z.string() });

const versionSchema = z.object({
  versionId: z.number(),
  version: z.number(),
  op: z.string(),
  status: z.string(),
  occurredOn: z.string().nullable(),
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
  maskedFields: z.array(z.string()),
  leafIndex: z.number().nullable(),
});

export const readRecordSchema = z.object({
  recordId: z.number(),
  kindCode: z.string(),
  categoryCode: z.string(),
  versionId: z.number(),
  version: z.number(),
  op: z.string(),
  status: z.string(),
  occurredOn: z.string().nullable(),
  providerId: z.string(),
  catalogVersion: z.number(),
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
  maskedFields: z.array(z.string()),
  marks: z.array(markSchema),
  leafIndex: z.number().nullable(),
  publicityUntil: z.string().nullable(),
  history: z.array(versionSchema).optional(),
});

export const readResultSchema = z.object({
  subject: z.object({
    uscc: z.string(),
    name: z.string(),
    subjectType: z.string(),
    regionCode: z.string().nullable(),
    industryCode: z.string().nullable(),
    legalRepName: z.string().nullable(),
    registrationStatus: z.string().nullable(),
    establishedOn: z.string().nullable(),
    isProvisional: z.boolean(),
  }),
  basis: z.enum(['public', 'self', 'operator', 'consent', 'provider', 'internal']),
  catalogVersion: z.number(),
  consentId: z.string().nullable(),
  sections: z.array(
    z.object({
      code: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      order: z.number(),
      kinds: z.array(
        z.object({
          code: z.string(),
          nameZh: z.string(),
          nameEn: z.string(),
          openness: z.string(),
          records: z.array(readRecordSchema),
        }),
      ),
    }),
  ),
  withheld: z.array(z.object({ kind: z.string(), reason: bilingual })),
  accessLogId: z.number(),
});

const accessLogEntry = z.object({
  id: z.number(),
  uscc: z.string(),
  occurredAt: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  orgId: z.string().nullable(),
  basis: z.string(),
  purpose: z.string().nullable(),
  consentId: z.string().nullable(),
  mode: z.string().nullable(),
  kinds: z.array(z.string()),
  recordCount: z.number(),
  nonPublic: z.boolean(),
});

const logQuery = z.object({
  consentId: z.string().max(100).optional(),
  nonPublicOnly: z.enum(['true', 'false']).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const accessRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/subjects/:uscc/records',
    {
      config: { access: 'public' },
      schema: {
        tags: ['records'],
        summary:
          '信用主体的记录（按身份、授权、公开级别、公示期与修复状态过滤并脱敏） / A subject’s records, filtered and masked for the caller',
        params: z.object({ uscc: z.string().trim().min(1).max(18) }),
        querystring: z.object({
          kinds: csv.optional(),
          categories: csv.optional(),
          purpose: z.enum(consentPurposes).optional(),
          consentId: z.string().max(100).optional(),
          mode: z.enum(consentModes).exclude(['verify']).optional(),
          from: day.optional(),
          to: day.optional(),
          includeHistory: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: readResultSchema },
      },
    },
    async (req) =>
      ctx.access.readRecords({
        actor: req.actor,
        uscc: req.params.uscc.toUpperCase(),
        kinds: req.query.kinds,
        categories: req.query.categories,
        purpose: req.query.purpose,
        consentId: req.query.consentId,
        mode: req.query.mode,
        dateRange: req.query.from || req.query.to ? { from: req.query.from, to: req.query.to } : undefined,
        includeHistory: req.query.includeHistory === 'true',
      }),
  );

  app.get(
    '/api/v1/me/access-log',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['records'],
        summary:
          '谁查看了我的信息（时间、机构、用途、授权） / Who looked at my information, when, why, under which consent',
        querystring: logQuery,
        response: { 200: z.array(accessLogEntry) },
      },
    },
    async (req) =>
      ctx.access.listMyAccessLog(req.actor as AuthenticatedActor, {
        ...req.query,
        nonPublicOnly: req.query.nonPublicOnly === 'true',
      }),
  );

  app.get(
    '/api/v1/access-log',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['records'],
        summary: '查询访问日志 / Search the access log',
        querystring: logQuery.extend({
          uscc: z.string().max(18).optional(),
          orgId: z.string().max(100).optional(),
          actorId: z.string().max(100).optional(),
        }),
        response: { 200: z.array(accessLogEntry) },
      },
    },
    async (req) =>
      ctx.access.searchAccessLog(req.actor, {
        ...req.query,
        nonPublicOnly: req.query.nonPublicOnly === 'true',
      }),
  );
};
