import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthenticatedActor } from '../access/actor.ts';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../shared/errors.ts';
import { consentModes, consentPurposes, consentStates } from './consent.types.ts';
import { listVerifyQuestions, verifySubject } from './verify.service.ts';

/** Consents (授权), written authorizations (书面授权) and verify-only questions (可用不可见). */

const bilingual = z.object({ zh: z.string(), en: z.string() });

export const consentSchema = z.object({
  id: z.string(),
  uscc: z.string(),
  institutionId: z.string(),
  purpose: z.enum(consentPurposes),
  scope: z.object({ kinds: z.array(z.string()), categories: z.array(z.string()) }),
  mode: z.enum(consentModes),
  validFrom: z.string(),
  validUntil: z.string(),
  maxUses: z.number().nullable(),
  useCount: z.number(),
  lastUsedAt: z.string().nullable(),
  dataFrom: z.string().nullable(),
  dataTo: z.string().nullable(),
  source: z.enum(['online', 'written']),
  writtenAuthorizationId: z.number().nullable(),
  grantedBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  state: z.enum(consentStates),
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const termsBody = z.object({
  purpose: z.enum(consentPurposes),
  scope: z
    .object({
      kinds: z.array(z.string().max(100)).max(200).optional(),
      categories: z.array(z.string().max(100)).max(50).optional(),
    })
    .refine((s) => (s.kinds?.length ?? 0) + (s.categories?.length ?? 0) > 0, {
      message: 'name at least one kind or category',
    }),
  mode: z.enum(consentModes),
  validUntil: z.string().min(10).max(40),
  maxUses: z.number().int().min(1).max(100_000).nullable().optional(),
  dataFrom: day.nullable().optional(),
  dataTo: day.nullable().optional(),
});

const writtenSchema = z.object({
  id: z.number(),
  uscc: z.string(),
  institutionId: z.string(),
  uploadedBy: z.string(),
  filename: z.string().nullable(),
  contentType: z.string(),
  byteSize: z.number(),
  sha256: z.string(),
  sm3: z.string(),
  terms: termsBody,
  status: z.enum(['pending', 'confirmed', 'rejected']),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewNote: z.string().nullable(),
  consentId: z.string().nullable(),
  createdAt: z.string(),
});

const idParams = z.object({ id: z.string().min(1).max(100) });
const numericId = z.object({ id: z.coerce.number().int().positive() });
const usccParams = z.object({ uscc: z.string().trim().min(1).max(18) });

const institutionSide = ['institution', 'institution_system'] as const;

export const consentRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/api/v1/consents',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['consent'],
        summary: '企业向金融机构授权 / The enterprise grants an institution a consent',
        body: termsBody.extend({ institutionId: z.string().min(1).max(100) }),
        response: { 201: consentSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await ctx.consent.grantConsent(req.actor as AuthenticatedActor, req.body)),
  );

  app.get(
    '/api/v1/consents',
    {
      config: { access: ['enterprise', ...institutionSide, 'operator'] },
      schema: {
        tags: ['consent'],
        summary:
          '授权列表（企业：我授出的；机构：我持有的） / Consents (enterprise: granted; institution: held)',
        querystring: z.object({
          uscc: z.string().max(18).optional(),
          institutionId: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
        response: { 200: z.array(consentSchema) },
      },
    },
    async (req) => ctx.consent.listConsents(req.actor as AuthenticatedActor, req.query),
  );

  app.get(
    '/api/v1/consents/:id',
    {
      config: { access: ['enterprise', ...institutionSide, 'operator'] },
      schema: {
        tags: ['consent'],
        summary: '授权详情（双方可见） / A consent (visible to both sides)',
        params: idParams,
        response: { 200: consentSchema },
      },
    },
    async (req) => ctx.consent.getConsent(req.actor as AuthenticatedActor, req.params.id),
  );

  app.post(
    '/api/v1/consents/:id/revoke',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['consent'],
        summary: '撤销授权（立即生效） / Revoke a consent (effective at once)',
        params: idParams,
        body: z.object({ reason: z.string().max(500).optional() }).nullish(),
        response: { 200: consentSchema },
      },
    },
    async (req) =>
      ctx.consent.revokeConsent(req.actor as AuthenticatedActor, req.params.id, req.body?.reason ?? null),
  );

  // ---- written authorizations ----

  app.post(
    '/api/v1/written-authorizations',
    {
      config: { access: ['institution'] },
      schema: {
        tags: ['consent'],
        summary:
          '上传书面授权扫描件（multipart：file 为 PDF/PNG/JPEG，uscc，terms 为 JSON） / Upload a written authorization scan',
        consumes: ['multipart/form-data'],
        response: { 201: writtenSchema },
      },
    },
    async (req, reply) => {
      const fields: Record<string, string> = {};
      let stored: Awaited<ReturnType<typeof ctx.consent.written.upload>> | undefined;
      // Fields must come before the file so the terms are known when the scan streams in.
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        if (stored) throw new AppError('validation_failed', { detail: 'one file only' });
        const terms = termsBody.safeParse(parseJson(fields.terms));
        if (!fields.uscc || !terms.success) {
          part.file.resume();
          throw new AppError('validation_failed', {
            detail: `send the fields uscc and terms (JSON) before the file${terms.success ? '' : `: ${terms.error.issues[0]?.path.join('.')} ${terms.error.issues[0]?.message}`}`,
          });
        }
        stored = await ctx.consent.written.upload(req.actor as AuthenticatedActor, {
          uscc: fields.uscc,
          terms: terms.data,
          filename: part.filename ?? null,
          file: part.file,
        });
      }
      if (!stored) throw new AppError('validation_failed', { detail: 'file: the scan is missing' });
      return reply.status(201).send(stored);
    },
  );

  app.get(
    '/api/v1/written-authorizations',
    {
      config: { access: ['institution', 'operator'] },
      schema: {
        tags: ['consent'],
        summary: '书面授权列表（运营人员：待确认） / Written authorizations',
        querystring: z.object({ status: z.enum(['pending', 'confirmed', 'rejected']).optional() }),
        response: { 200: z.array(writtenSchema) },
      },
    },
    async (req) => ctx.consent.written.list(req.actor as AuthenticatedActor, req.query),
  );

  app.get(
    '/api/v1/written-authorizations/:id/scan',
    {
      config: { access: ['institution', 'operator'] },
      schema: {
        tags: ['consent'],
        summary: '书面授权扫描件 / The scan',
        params: numericId,
      },
    },
    async (req, reply) => {
      const scan = await ctx.consent.written.openScan(req.actor as AuthenticatedActor, req.params.id);
      reply.header('content-disposition', `attachment; filename="${scan.filename}"`);
      reply.header('x-content-type-options', 'nosniff');
      return reply.type(scan.contentType).send(scan.stream);
    },
  );

  app.post(
    '/api/v1/written-authorizations/:id/confirm',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['consent'],
        summary: '运营人员确认书面授权（生成授权） / Confirm a written authorization (creates the consent)',
        params: numericId,
        body: z.object({ note: z.string().max(1000).optional() }).nullish(),
        response: { 200: z.object({ written: writtenSchema, consent: consentSchema }) },
      },
    },
    async (req) =>
      ctx.consent.written.confirm(req.actor as AuthenticatedActor, req.params.id, req.body?.note),
  );

  app.post(
    '/api/v1/written-authorizations/:id/reject',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['consent'],
        summary: '运营人员退回书面授权 / Reject a written authorization',
        params: numericId,
        body: z.object({ note: z.string().trim().min(1).max(1000) }),
        response: { 200: writtenSchema },
      },
    },
    async (req) => ctx.consent.written.reject(req.actor as AuthenticatedActor, req.params.id, req.body.note),
  );

  // ---- verify-only ----

  app.get(
    '/api/v1/verify-questions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['consent'],
        summary: '核验问题清单（仅答是/否） / The verify-only question set (yes/no answers)',
        response: {
          200: z.array(
            z.object({
              code: z.string(),
              label: bilingual,
              paramHelp: bilingual.nullable(),
              kinds: z.array(z.string()),
              paramSchema: z.record(z.string(), z.unknown()),
            }),
          ),
        },
      },
    },
    async () => listVerifyQuestions(),
  );

  app.post(
    '/api/v1/subjects/:uscc/verify',
    {
      config: { access: [...institutionSide] },
      schema: {
        tags: ['consent'],
        summary: '核验（可用不可见：只返回是/否） / Verify: yes/no answers, no records',
        params: usccParams,
        body: z.object({
          questions: z
            .array(z.object({ code: z.string().min(1).max(80), param: z.unknown().optional() }))
            .min(1)
            .max(20),
          consentId: z.string().max(100).optional(),
          purpose: z.enum(consentPurposes).optional(),
        }),
        response: {
          200: z.object({
            uscc: z.string(),
            consentId: z.string().nullable(),
            answeredAt: z.string(),
            accessLogId: z.number(),
            answers: z.array(
              z.object({
                code: z.string(),
                label: bilingual,
                param: z.unknown(),
                answer: z.boolean().nullable(),
                reason: bilingual.nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => verifySubject(ctx, req.actor, req.params.uscc.toUpperCase(), req.body),
  );
};

function parseJson(s: string | undefined): unknown {
  if (!s) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
