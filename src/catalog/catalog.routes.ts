import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { catalogCategorySchema, catalogDocumentSchema, catalogKindSchema } from './catalog.schema.ts';

const bilingual = z.object({ zh: z.string(), en: z.string() });

/** The catalog is public by design (what is collected and shared is itself public information). */
const catalogResponse = catalogDocumentSchema.extend({ version: z.number().int() });

const versionInfo = z.object({
  version: z.number().int(),
  label: z.string(),
  source_format: z.string(),
  digest_sha256: z.string(),
  created_at: z.string(),
  categories: z.number().int(),
  kinds: z.number().int(),
});

const kindChange = z.object({
  code: z.string(),
  properties: z.array(z.string()),
  fields_added: z.array(z.string()),
  fields_removed: z.array(z.string()),
  fields_changed: z.array(z.object({ code: z.string(), properties: z.array(z.string()) })),
});

const diffSchema = z.object({
  categories_added: z.array(z.string()),
  categories_removed: z.array(z.string()),
  categories_changed: z.array(z.string()),
  kinds_added: z.array(z.string()),
  kinds_removed: z.array(z.string()),
  kinds_changed: z.array(kindChange),
  document_properties: z.array(z.string()),
  identical: z.boolean(),
});

const importResult = z.object({
  version: z.number().int(),
  created: z.boolean(),
  label: z.string(),
  digest_sha256: z.string(),
  previous_version: z.number().int().nullable(),
  diff: diffSchema.nullable(),
  message: bilingual,
});

const yamlTypes = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/x-yaml'];

export const catalogRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  // YAML catalogs arrive as text; the service parses them (scoped to this plugin).
  app.addContentTypeParser(yamlTypes, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get(
    '/api/v1/catalog',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: '当前信用信息目录（信息种类、信息项及字段） / The current credit catalog',
        response: { 200: catalogResponse },
      },
    },
    async () => ctx.catalog.getCurrent(),
  );

  app.get(
    '/api/v1/catalog/versions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: '目录版本列表（新的在前） / Catalog versions, newest first',
        response: { 200: z.object({ items: z.array(versionInfo) }) },
      },
    },
    async () => ({ items: await ctx.catalog.listVersions() }),
  );

  app.get(
    '/api/v1/catalog/versions/:version',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: '指定版本的目录 / One catalog version',
        params: z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647) }),
        response: { 200: catalogResponse },
      },
    },
    async (req) => ctx.catalog.getVersion(req.params.version),
  );

  app.get(
    '/api/v1/catalog/kinds/:code',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalog'],
        summary: '信息项定义（字段、自然键、共享方式、开放属性） / A kind and its fields',
        params: z.object({ code: z.string().max(100) }),
        querystring: z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647).optional() }),
        response: {
          200: z.object({
            catalog_version: z.number().int(),
            category: catalogCategorySchema,
            kind: catalogKindSchema,
          }),
        },
      },
    },
    async (req) => {
      const e = await ctx.catalog.getKindEntry(req.params.code, req.query.version);
      return { catalog_version: e.catalogVersion, category: e.category, kind: e.kind };
    },
  );

  app.post(
    '/api/v1/catalog/import',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['catalog'],
        summary:
          '导入目录新版本（JSON 正文，或 application/yaml 文本）；内容与当前版本相同时不创建 / Import a new catalog version (JSON body or YAML text)',
        querystring: z.object({ label: z.string().max(200).optional() }),
        body: z.union([z.string(), z.record(z.string(), z.unknown())]),
        response: { 200: importResult, 201: importResult },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const format = typeof body === 'string' ? 'yaml' : 'json';
      const r = await ctx.catalog.importDocument(body, format, req.actor, req.query.label);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );
};
