import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { canonicalJson } from '../ledger/canonical.ts';
import { AppError } from '../shared/errors.ts';
import { reportFormats, type ReportFormat } from './report.types.ts';
import {
  createReportBodySchema,
  reportMetaSchema,
  verifyByNumberSchema,
  verifyUploadSchema,
} from './reports.schemas.ts';

const VERIFY_LIMIT = 20 * 1024 * 1024;

function attachment(filename: string): string {
  return `inline; filename="${filename}"`;
}

/** `XR-…-5.pdf` or `XR-…-5` with `?format=`: the number and the format. */
function splitNumber(
  raw: string,
  format: ReportFormat | undefined,
): { number: string; format: ReportFormat } {
  const m = /^(.*)\.(json|html|pdf)$/i.exec(raw);
  if (m) return { number: m[1]!, format: m[2]!.toLowerCase() as ReportFormat };
  return { number: raw, format: format ?? 'json' };
}

/**
 * Credit reports (信用报告): issue, fetch (frozen bytes), list, and verify — by number (public, what the
 * /verify/:number page shows) or by uploading the file.
 */
export const reportsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = ctx.reports;

  // Uploads for verification: a PDF or HTML file as the raw body (application/pdf, text/html) or multipart (field "file").
  app.addContentTypeParser(
    ['application/pdf', 'text/html'],
    { parseAs: 'buffer', bodyLimit: VERIFY_LIMIT },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/v1/reports',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary: '生成信用报告 / Issue a credit report',
        description:
          'public：任何人；full：持有授权的接入机构；self、special：信用主体本人（运营人员可代办）。/ public: anyone; full: institutions under a consent; self and special: the subject itself (operators on its behalf).',
        body: createReportBodySchema,
        response: { 201: reportMetaSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await r.createReport(req.actor, req.body)),
  );

  app.get(
    '/api/v1/reports',
    {
      config: {
        access: ['enterprise', 'institution', 'institution_system', 'operator', 'provider', 'recommender'],
      },
      schema: {
        tags: ['reports'],
        summary: '我的报告 / My reports',
        querystring: z.object({
          uscc: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
          before: z.string().datetime().optional(),
        }),
        response: { 200: z.object({ reports: z.array(reportMetaSchema) }) },
      },
    },
    async (req) => ({ reports: await r.listMine(req.actor, req.query) }),
  );

  app.get(
    '/api/v1/reports/verify/:number',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary: '按编号核验报告（不含报告内容） / Verify a report by number (never its content)',
        params: z.object({ number: z.string().max(40) }),
        response: { 200: verifyByNumberSchema },
      },
    },
    async (req) => r.verifyNumber(req.params.number),
  );

  // The web app's verification page calls this spelling.
  app.get(
    '/api/v1/reports/:number/verify',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary: '按编号核验报告（同 /reports/verify/:number） / Verify a report by number',
        params: z.object({ number: z.string().max(40) }),
        response: { 200: verifyByNumberSchema },
      },
    },
    async (req) => r.verifyNumber(req.params.number),
  );

  app.post(
    '/api/v1/reports/verify',
    {
      config: { access: 'public' },
      bodyLimit: VERIFY_LIMIT,
      schema: {
        tags: ['reports'],
        summary:
          '上传报告文件核验（PDF 或 JSON；multipart 字段 file 或请求体） / Verify an uploaded report file (PDF or JSON)',
        response: { 200: verifyUploadSchema },
      },
    },
    async (req) => {
      let bytes: Buffer | undefined;
      if (req.isMultipart()) {
        const part = await req.file({ limits: { fileSize: VERIFY_LIMIT } });
        if (part) bytes = await part.toBuffer();
      } else if (Buffer.isBuffer(req.body)) {
        bytes = req.body;
      } else if (req.body && typeof req.body === 'object') {
        // A JSON report posted as application/json: its canonical form is what was issued.
        bytes = Buffer.from(canonicalJson(req.body), 'utf8');
      }
      if (!bytes || bytes.length === 0) throw new AppError('file_empty');
      return r.verifyFile(bytes);
    },
  );

  app.get(
    '/api/v1/reports/:number',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary:
          '下载报告（.json / .html / .pdf 或 ?format=，冻结内容，每次相同） / Download a report (frozen bytes)',
        params: z.object({ number: z.string().max(50) }),
        querystring: z.object({ format: z.enum(reportFormats).optional() }),
        response: { 200: z.unknown().describe('JSON, HTML or PDF file') },
      },
    },
    async (req, reply) => {
      const { number, format } = splitNumber(req.params.number, req.query.format);
      const f = await r.getReportFile(req.actor, number, format);
      return reply
        .type(f.contentType)
        .header('content-disposition', attachment(f.filename))
        .header(
          'cache-control',
          f.meta.type === 'public' ? 'public, max-age=86400, immutable' : 'private, no-store',
        )
        .header('x-report-number', f.meta.number)
        .send(f.body);
    },
  );
};
