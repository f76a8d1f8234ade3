import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import type { Readable as ReadableType } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { AppError, isAppError } from '../shared/errors.ts';
import { tooLarge } from './blob-store.ts';
import { errorsCsv } from './errors-csv.ts';
import {
  batchIdParams,
  batchOutcomeSchema,
  batchViewSchema,
  errorsPageSchema,
  errorsQuery,
  listBatchesQuery,
  pushQuerySchema,
} from './ingest.schemas.ts';
import { warningRules } from './ingest.service.ts';
import {
  formatFromContentType,
  formatFromFilename,
  inputFormats,
  type InputFormat,
} from './parsers/index.ts';

const access = ['provider', 'operator'] as const;

const oneFileOnly = () =>
  new AppError('validation_failed', {
    detail: '每次请求只能上传一个文件 / upload one file per request',
  });

/**
 * An error of the multipart envelope itself (busboy's "Boundary not found", "Unexpected end of
 * multipart data", which carry no status and would be a 500) as the client's mistake. Errors the
 * plugin gives a 4xx status (size and count limits) are mapped by the HTTP layer as they are.
 */
function envelopeError(e: unknown, code: 'validation_failed' | 'file_unreadable'): unknown {
  const status = (e as { statusCode?: number }).statusCode;
  if (isAppError(e) || (status && status >= 400 && status < 500)) return e;
  const detail = `multipart 请求体格式错误或不完整 / the multipart body is malformed or incomplete (${String((e as Error).message ?? e)})`;
  return code === 'validation_failed'
    ? new AppError('validation_failed', { detail })
    : new AppError('file_unreadable', { detail });
}

/**
 * The uploaded file's bytes. @fastify/multipart truncates a file at its size limit without failing:
 * that becomes a 413. The parts after the file are read too, before any row is applied: a second
 * file (the plugin reads one and skips the others) refuses the upload rather than being dropped.
 */
async function* limited(
  file: ReadableType & { truncated?: boolean },
  limit: number,
  rest: AsyncIterator<Multipart>,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw envelopeError(e, 'file_unreadable');
  }
  if (file.truncated) throw tooLarge(limit);
  try {
    for (let r = await rest.next(); !r.done; r = await rest.next()) {
      if (r.value.type === 'file') throw oneFileOnly();
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_FILES_LIMIT') throw oneFileOnly();
    throw envelopeError(e, 'file_unreadable');
  }
}

function requireKind(kind: string | undefined): string {
  if (!kind) throw new AppError('validation_failed', { detail: 'kind: 必填 / required' });
  return kind;
}

/**
 * Batches (物理归集): push a file or body, follow its progress, download its row errors.
 * Pushing and reading batches is for providers (their own) and operators (all).
 */
export const ingestRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const limit = ctx.config.uploadLimitBytes;

  // JSON bodies of pushes stream into the blob store like any other format (encapsulated: only
  // the routes of this plugin receive the raw stream).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (_req, payload, done) => done(null, payload));

  app.post(
    '/api/v1/batches',
    {
      config: { access },
      schema: {
        tags: ['ingest'],
        summary:
          '报送一批记录（JSON、NDJSON、CSV 或 XLSX 请求体） / Push a batch of records (JSON, NDJSON, CSV or XLSX body)',
        querystring: pushQuerySchema,
        response: { 200: batchOutcomeSchema },
      },
    },
    async (req) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limit) throw tooLarge(limit);
      const format: InputFormat | undefined =
        req.query.format ??
        formatFromContentType(req.headers['content-type']) ??
        formatFromFilename(req.query.filename);
      const body = req.body as ReadableType | undefined;
      return ctx.ingest.pushFile(req.actor, {
        kindCode: requireKind(req.query.kind),
        providerId: req.query.provider,
        allOrNothing: req.query.allOrNothing,
        filename: req.query.filename ?? null,
        format,
        source: 'api',
        stream: body && typeof body.pipe === 'function' ? body : Readable.from([]),
      });
    },
  );

  app.post(
    '/api/v1/batches/upload',
    {
      config: { access },
      schema: {
        tags: ['ingest'],
        summary:
          '上传文件报送（multipart/form-data，字段 file） / Upload a file (multipart/form-data, field "file")',
        querystring: pushQuerySchema,
        response: { 200: batchOutcomeSchema },
      },
    },
    async (req) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      // The multipart envelope adds a few hundred bytes around the file.
      if (declared > limit + 64 * 1024) throw tooLarge(limit);
      const parts = req.parts()[Symbol.asyncIterator]();
      let part: MultipartFile | undefined;
      try {
        for (let r = await parts.next(); !r.done; r = await parts.next()) {
          if (r.value.type === 'file') {
            part = r.value;
            break;
          }
        }
      } catch (e) {
        throw envelopeError(e, 'validation_failed');
      }
      if (!part) throw new AppError('file_empty');
      const field = (name: string): string | undefined => {
        const f = (part.fields as Record<string, unknown>)[name] as { value?: unknown } | undefined;
        return typeof f?.value === 'string' && f.value !== '' ? f.value : undefined;
      };
      const fmt = req.query.format ?? field('format');
      const format =
        fmt && (inputFormats as readonly string[]).includes(fmt)
          ? (fmt as InputFormat)
          : (formatFromFilename(part.filename) ?? formatFromContentType(part.mimetype));
      const aon = field('allOrNothing');
      return ctx.ingest.pushFile(req.actor, {
        kindCode: requireKind(req.query.kind ?? field('kind')),
        providerId: req.query.provider ?? field('provider'),
        allOrNothing: req.query.allOrNothing || aon === 'true' || aon === '1',
        filename: part.filename || null,
        format,
        source: 'upload',
        stream: Readable.from(limited(part.file, limit, parts)),
      });
    },
  );

  app.get(
    '/api/v1/batches',
    {
      config: { access },
      schema: {
        tags: ['ingest'],
        summary: '批次列表（数据提供单位仅见本单位） / List batches (a provider sees its own)',
        querystring: listBatchesQuery,
        response: { 200: z.object({ batches: z.array(batchViewSchema) }) },
      },
    },
    async (req) => ({
      batches: await ctx.ingest.listBatches(req.actor, {
        ...(req.query.kind ? { kindCode: req.query.kind } : {}),
        ...(req.query.before ? { beforeId: req.query.before } : {}),
        limit: req.query.limit,
      }),
    }),
  );

  app.get(
    '/api/v1/batches/:id',
    {
      config: { access },
      schema: {
        tags: ['ingest'],
        summary: '批次状态与进度 / Batch status and progress',
        params: batchIdParams,
        response: { 200: batchViewSchema },
      },
    },
    async (req) => ctx.ingest.getBatch(req.actor, req.params.id),
  );

  app.get(
    '/api/v1/batches/:id/errors',
    {
      config: { access },
      schema: {
        tags: ['ingest'],
        summary:
          '批次的行错误（JSON 分页，或 CSV 全部：UTF-8 BOM、中文表头） / Row errors of a batch (JSON pages, or all as CSV for Excel)',
        params: batchIdParams,
        querystring: errorsQuery,
        response: { 200: errorsPageSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      if (req.query.format === 'csv') {
        await ctx.ingest.getBatch(req.actor, id); // 404 before the stream starts
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="batch-${id}-errors.csv"`);
        return reply.send(
          Readable.from(errorsCsv((page) => ctx.ingest.listErrors(req.actor, id, page))) as never,
        );
      }
      const errors = await ctx.ingest.listErrors(req.actor, id, {
        ...(req.query.afterRow !== undefined && req.query.afterId !== undefined
          ? { afterRow: req.query.afterRow, afterId: req.query.afterId }
          : {}),
        limit: req.query.limit,
      });
      const last = errors.at(-1);
      return {
        batch: id,
        errors: errors.map((e) => ({
          row: e.row,
          field: e.field,
          rule: e.rule,
          value: e.value,
          message: e.message,
          severity: warningRules.has(e.rule) ? ('warning' as const) : ('error' as const),
        })),
        next: last && errors.length === req.query.limit ? { afterRow: last.row, afterId: last.id } : null,
      };
    },
  );
};
