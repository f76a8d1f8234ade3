import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { parseUscc } from '../subjects/subjects.service.ts';

/** Subject rights: objections (异议), credit repair (信用修复), commitments and declarations. */

const bilingual = z.object({ zh: z.string(), en: z.string() });
const idParams = z.object({ id: z.coerce.number().int().positive() });
const note = z.string().max(2000).optional();
const attachment = z.object({
  fileName: z.string().min(1).max(200),
  contentType: z.string().min(1).max(100),
  /** Base64, at most 5 MB decoded (checked by the service). */
  content: z.string().min(1).max(7_000_000),
});
const history = z.array(
  z.object({
    event: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    note: z.string().nullable(),
    data: z.unknown(),
    at: z.string(),
  }),
);

const objectionSchema = z.object({
  id: z.number(),
  uscc: z.string(),
  recordId: z.number(),
  kindCode: z.string(),
  providerId: z.string(),
  fieldCode: z.string().nullable(),
  reasons: z.string(),
  status: z.string(),
  statusLabel: bilingual,
  outcome: z.string().nullable(),
  providerAnswer: z.string().nullable(),
  providerNote: z.string().nullable(),
  decisionNote: z.string().nullable(),
  dueOn: z.string().nullable(),
  dueOnProvisional: z.boolean(),
  calendarWarning: bilingual.nullable(),
  overdue: z.boolean(),
  workingDaysLate: z.number(),
  escalationLevel: z.number(),
  filedAt: z.string(),
  closedAt: z.string().nullable(),
  attachments: z.array(
    z.object({
      id: z.number(),
      fileName: z.string(),
      contentType: z.string(),
      sizeBytes: z.number(),
      sha256: z.string(),
    }),
  ),
  history,
});

const repairSchema = z.object({
  id: z.number(),
  uscc: z.string(),
  recordId: z.number(),
  kindCode: z.string(),
  severity: z.string(),
  decidedOn: z.string().nullable(),
  regime: z.string(),
  minUntil: z.string().nullable(),
  maxUntil: z.string().nullable(),
  penaltyFulfilled: z.boolean(),
  evidenceSha256: z.array(z.string()),
  commitmentId: z.number().nullable(),
  greenChannel: z.boolean(),
  status: z.string(),
  statusLabel: bilingual,
  refusals: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  reviewNote: z.string().nullable(),
  dueOn: z.string().nullable(),
  dueOnProvisional: z.boolean(),
  calendarWarning: bilingual.nullable(),
  overdue: z.boolean(),
  appliedAt: z.string(),
  closedAt: z.string().nullable(),
  history,
});

const commitmentSchema = z.object({
  id: z.number(),
  uscc: z.string(),
  textVersion: z.string(),
  textSha256: z.string(),
  purpose: z.string(),
  matterRef: z.string().nullable(),
  signerName: z.string(),
  signedAt: z.string(),
  status: z.string(),
  brokenReason: z.string().nullable(),
  breachRecordId: z.number().nullable(),
});

const breachSchema = z.object({
  id: z.number(),
  commitmentId: z.number(),
  uscc: z.string(),
  source: z.string(),
  ruleId: z.string().nullable(),
  rule: bilingual.nullable(),
  recordId: z.number().nullable(),
  versionId: z.number().nullable(),
  kindCode: z.string().nullable(),
  evidence: z.unknown(),
  status: z.string(),
  statusLabel: bilingual,
  foundAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewNote: z.string().nullable(),
});

const declarationSchema = z.object({
  id: z.number(),
  uscc: z.string(),
  type: z.string(),
  typeLabel: bilingual,
  data: z.record(z.string(), z.unknown()),
  commitmentId: z.number(),
  status: z.string(),
  mark: z.object({ code: z.literal('self_declared'), zh: z.string(), en: z.string() }),
  declaredAt: z.string(),
});

const listQuery = z.object({
  uscc: z.string().max(40).optional(),
  status: z.string().max(30).optional(),
  open: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const rightsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const r = ctx.rights;

  // calendar
  app.get(
    '/api/v1/rights/calendar',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rights'],
        summary: '工作日历与办理时限（工作日） / Working-day calendar and deadlines (working days)',
        response: {
          200: z.object({
            coveredYears: z.array(z.number()),
            /** The current year (and from 1 November the next) when its holidays are not loaded. */
            missingYears: z.array(z.number()),
            warning: bilingual.nullable(),
            holidays: z.array(z.string()),
            workdays: z.array(z.string()),
            objectionDeadlines: z.record(z.string(), z.union([z.string(), z.number()])),
            repairDeadlines: z.record(z.string(), z.union([z.string(), z.number()])),
          }),
        },
      },
    },
    async () => {
      const cal = await r.calendar();
      const status = await r.calendarStatus();
      return {
        coveredYears: [...cal.coveredYears],
        missingYears: status.missingYears,
        warning: status.warning,
        holidays: [...cal.holidays].sort(),
        workdays: [...cal.workdays].sort(),
        objectionDeadlines: r.config.objectionDeadlines,
        repairDeadlines: r.config.repairDeadlines,
      };
    },
  );
  app.post(
    '/api/v1/rights/calendar',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '导入一年的工作日历（国务院办公厅节假日安排） / Import one year of the working-day calendar',
        body: z.object({}).passthrough(),
        response: {
          200: z.object({
            year: z.number(),
            holidays: z.number(),
            workdays: z.number(),
            /** Open cases whose due date was recounted with the imported year. */
            deadlinesChanged: z.number(),
          }),
        },
      },
    },
    async (req) => r.importCalendarYear(req.actor, req.body),
  );

  // objections
  app.post(
    '/api/v1/objections',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['rights'],
        summary: '对本企业的一条记录（或其字段）提出异议 / Object to one of our records (or a field)',
        body: z.object({
          recordId: z.number().int().positive(),
          fieldCode: z.string().max(100).optional(),
          reasons: z.string().min(1).max(5000),
          attachments: z.array(attachment).max(5).optional(),
        }),
        response: { 201: objectionSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await r.fileObjection(req.actor, req.body)),
  );
  app.get(
    '/api/v1/objections',
    {
      config: { access: ['enterprise', 'operator', 'provider'] },
      schema: {
        tags: ['rights'],
        summary: '异议列表（企业：本企业；数据提供单位：转来的；运营：全部） / Objections list',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(objectionSchema) }) },
      },
    },
    async (req) => ({
      items: await r.listObjections(req.actor, {
        uscc: req.query.uscc,
        status: req.query.status,
        open: req.query.open === undefined ? undefined : req.query.open === 'true',
        limit: req.query.limit,
      }),
    }),
  );
  app.get(
    '/api/v1/objections/:id',
    {
      config: { access: ['enterprise', 'operator', 'provider'] },
      schema: {
        tags: ['rights'],
        summary: '异议案件及全部处理记录 / An objection with its whole history',
        params: idParams,
        response: { 200: objectionSchema },
      },
    },
    async (req) => r.getObjection(req.actor, req.params.id),
  );
  app.get(
    '/api/v1/objections/:id/attachments/:attachmentId',
    {
      config: { access: ['enterprise', 'operator', 'provider'] },
      schema: {
        tags: ['rights'],
        summary: '下载异议附件（附 SHA-256） / Download an objection attachment (with its SHA-256)',
        params: z.object({
          id: z.coerce.number().int().positive(),
          attachmentId: z.coerce.number().int().positive(),
        }),
        response: { 200: z.unknown().describe('the file as uploaded') },
      },
    },
    async (req, reply) => {
      const a = await r.getObjectionAttachment(req.actor, req.params.id, req.params.attachmentId);
      return reply
        .type(a.contentType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`)
        .header('x-content-sha256', a.sha256)
        .header('cache-control', 'private, no-store')
        .send(a.content);
    },
  );
  app.post(
    '/api/v1/objections/:id/accept',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '受理或不予受理异议 / Accept or reject an objection filing',
        params: idParams,
        body: z.object({ accept: z.boolean(), note }),
        response: { 200: objectionSchema },
      },
    },
    async (req) => r.acceptObjection(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/objections/:id/forward',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '转数据提供单位核实（协查） / Forward to the data provider for verification',
        params: idParams,
        body: z.object({ note }),
        response: { 200: objectionSchema },
      },
    },
    async (req) => r.forwardObjection(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/objections/:id/answer',
    {
      config: { access: ['provider'] },
      schema: {
        tags: ['rights'],
        summary: '数据提供单位答复：确认、更正或撤回 / Provider answer: confirm, correct or withdraw',
        params: idParams,
        body: z.object({
          answer: z.enum(['confirm', 'correct', 'withdraw']),
          note: z.string().min(1).max(2000),
          changes: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: objectionSchema },
      },
    },
    async (req) => r.answerObjection(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/objections/:id/decide',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '办结异议并告知企业 / Close the objection and tell the enterprise',
        params: idParams,
        body: z.object({ note }),
        response: { 200: objectionSchema },
      },
    },
    async (req) => r.decideObjection(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/objections/check-overdue',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '检查逾期环节并升级 / Flag and escalate overdue steps',
        response: { 200: z.object({ escalated: z.array(z.number()) }) },
      },
    },
    async () => r.checkOverdue(),
  );

  // commitments and declarations
  app.get(
    '/api/v1/commitments/text',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rights'],
        summary: '现行公开信用承诺书文本 / The public credit commitment text in force',
        response: {
          200: z.object({
            version: z.string(),
            effectiveFrom: z.string(),
            zh: z.string(),
            en: z.string(),
            sha256: z.string(),
          }),
        },
      },
    },
    async () => r.currentCommitmentText(),
  );
  app.post(
    '/api/v1/commitments',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['rights'],
        summary: '签署公开信用承诺 / Sign the public credit commitment',
        body: z.object({
          /** repair | declaration | licence | general (rights.config.json commitmentPurposes). */
          purpose: z.string().min(1).max(50),
          signerName: z.string().min(1).max(100),
          textVersion: z.string().min(1).max(50),
          /** The matter it is signed for, e.g. the licence decision number (required for licence). */
          matterRef: z.string().max(200).optional(),
        }),
        response: { 201: commitmentSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await r.signCommitment(req.actor, req.body)),
  );
  app.get(
    '/api/v1/subjects/:uscc/commitments',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rights'],
        summary: '信用主体的公开信用承诺 / A subject’s public credit commitments',
        params: z.object({ uscc: z.string().max(40) }),
        response: { 200: z.object({ items: z.array(commitmentSchema) }) },
      },
    },
    async (req) => ({ items: await r.listCommitments(req.actor, parseUscc(req.params.uscc)) }),
  );
  app.post(
    '/api/v1/commitments/:id/break',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '认定违背信用承诺 / Find a commitment broken',
        params: idParams,
        body: z.object({ reason: z.string().min(1).max(2000) }),
        response: { 200: commitmentSchema },
      },
    },
    async (req) => r.breakCommitment(req.actor, req.params.id, req.body),
  );
  app.get(
    '/api/v1/commitments/breaches',
    {
      config: { access: ['enterprise', 'operator'] },
      schema: {
        tags: ['rights'],
        summary:
          '违背承诺线索与认定（企业仅见本主体） / Suspected and confirmed breaches (an enterprise sees its own)',
        querystring: z.object({
          status: z.enum(['suspected', 'confirmed', 'rejected', 'superseded']).optional(),
          uscc: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
        response: { 200: z.object({ items: z.array(breachSchema) }) },
      },
    },
    async (req) => ({ items: await r.listBreaches(req.actor, req.query) }),
  );
  app.post(
    '/api/v1/commitments/breaches/:id/review',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary:
          '核实违背承诺线索：认定（写入失信记录）或否定 / Confirm (writes the negative record) or reject a suspected breach',
        params: idParams,
        body: z.object({ confirm: z.boolean(), note: note }),
        response: { 200: z.object({ breach: breachSchema, commitment: commitmentSchema }) },
      },
    },
    async (req) => r.reviewBreach(req.actor, req.params.id, req.body),
  );
  app.post(
    '/api/v1/commitments/check',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '立即检查新记录是否与信用承诺矛盾 / Check new records against commitments now',
        response: {
          200: z.object({
            checked: z.number(),
            flagged: z.array(
              z.object({ commitmentId: z.number(), breachId: z.number(), recordId: z.number() }),
            ),
          }),
        },
      },
    },
    async () => r.checkContradictions(),
  );
  app.get(
    '/api/v1/declarations/types',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rights'],
        summary: '可自愿申报的信息类型（运营配置） / Kinds of information that may be declared (configured)',
        response: {
          200: z.object({ items: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })) }),
        },
      },
    },
    async () => ({ items: r.config.declarationTypes }),
  );
  app.post(
    '/api/v1/declarations',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['rights'],
        summary:
          '自愿申报信用信息（须已签署信用承诺） / Declare information voluntarily (under a commitment)',
        body: z.object({
          type: z.string().min(1).max(50),
          data: z.record(z.string(), z.unknown()),
          commitmentId: z.number().int().positive(),
        }),
        response: { 201: declarationSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await r.declare(req.actor, req.body)),
  );
  app.get(
    '/api/v1/subjects/:uscc/declarations',
    {
      config: { access: 'public' },
      schema: {
        tags: ['rights'],
        summary: '自愿申报信息（均标注“自愿申报”） / Voluntarily declared information, marked self-declared',
        params: z.object({ uscc: z.string().max(40) }),
        response: { 200: z.object({ items: z.array(declarationSchema) }) },
      },
    },
    async (req) => ({ items: await r.listDeclarations(req.actor, parseUscc(req.params.uscc)) }),
  );

  // credit repair
  app.post(
    '/api/v1/repairs',
    {
      config: { access: ['enterprise'] },
      schema: {
        tags: ['rights'],
        summary: '申请信用修复（不符合条件时说明原因） / Apply for credit repair (refusals explained)',
        body: z.object({
          recordId: z.number().int().positive(),
          penaltyFulfilled: z.boolean(),
          fulfilmentNote: z.string().max(2000).optional(),
          evidence: z.array(attachment).max(5).optional(),
          commitmentId: z.number().int().positive().optional(),
          greenChannel: z.boolean().optional(),
        }),
        response: { 201: repairSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await r.applyForRepair(req.actor, req.body)),
  );
  app.get(
    '/api/v1/repairs',
    {
      config: { access: ['enterprise', 'operator'] },
      schema: {
        tags: ['rights'],
        summary: '信用修复申请（绿色通道优先） / Repair applications (green channel first)',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(repairSchema) }) },
      },
    },
    async (req) => ({
      items: await r.listRepairs(req.actor, {
        uscc: req.query.uscc,
        status: req.query.status,
        limit: req.query.limit,
      }),
    }),
  );
  app.get(
    '/api/v1/repairs/:id',
    {
      config: { access: ['enterprise', 'operator'] },
      schema: {
        tags: ['rights'],
        summary: '信用修复申请及处理记录 / A repair application with its history',
        params: idParams,
        response: { 200: repairSchema },
      },
    },
    async (req) => r.getRepair(req.actor, req.params.id),
  );
  app.post(
    '/api/v1/repairs/:id/review',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['rights'],
        summary: '审核信用修复申请 / Review a repair application',
        params: idParams,
        body: z.object({ approve: z.boolean(), note }),
        response: { 200: repairSchema },
      },
    },
    async (req) => r.reviewRepair(req.actor, req.params.id, req.body),
  );
};
