import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { parseUscc } from '../subjects/subjects.service.ts';

const tagSchema = z.object({
  code: z.string(),
  category: z.enum(['size', 'innovation', 'trade', 'whitelist', 'risk']),
  zh: z.string(),
  en: z.string(),
  evidence: z.array(
    z.object({
      recordId: z.number().int(),
      kind: z.string(),
      fields: z.record(z.string(), z.unknown()),
      marks: z.array(z.string()),
    }),
  ),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const profilesRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/subjects/:uscc/profile',
    {
      config: { access: 'public' },
      schema: {
        tags: ['profiles'],
        summary:
          '企业画像：规模、高新技术、专精特新、进出口、风险标签及其依据（按查看者可见的记录计算） / Subject profile tags with evidence',
        params: z.object({ uscc: z.string().max(40) }),
        querystring: z.object({ consent_id: z.string().max(64).optional() }),
        response: {
          200: z.object({
            uscc: z.string(),
            name: z.string(),
            asOf: z.string(),
            basis: z.string(),
            tags: z.array(tagSchema),
            withheld: z.array(z.object({ kind: z.string(), zh: z.string(), en: z.string() })),
            sizeStandard: z.string(),
          }),
        },
      },
    },
    async (req) =>
      ctx.profiles.getProfile(req.actor, parseUscc(req.params.uscc), { consentId: req.query.consent_id }),
  );
};
