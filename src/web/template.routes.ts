import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { buildKindTemplate } from './kind-template.ts';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Content-Disposition with a Chinese file name (RFC 6266 / RFC 5987) and an ASCII fallback. */
export function attachment(filename: string, asciiFallback: string): string {
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const templateRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/v1/catalog/kinds/:code/template.xlsx',
    {
      config: { access: ['provider', 'operator'] },
      schema: {
        tags: ['catalog'],
        summary: '信息项报送模板（XLSX：中文表头、填写示例、字段说明） / XLSX upload template of a kind',
        params: z.object({ code: z.string().max(100) }),
        querystring: z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647).optional() }),
        response: { 200: z.unknown().describe('XLSX file') },
      },
    },
    async (req, reply) => {
      const entry = await ctx.catalog.getKindEntry(req.params.code, req.query.version);
      const bytes = await buildKindTemplate(entry.kind, entry.catalogVersion);
      return reply
        .type(xlsxType)
        .header(
          'content-disposition',
          attachment(`${entry.kind.name_zh}-报送模板.xlsx`, `${entry.kind.code}-template.xlsx`),
        )
        .header('cache-control', 'private, max-age=300')
        .send(bytes);
    },
  );
};
