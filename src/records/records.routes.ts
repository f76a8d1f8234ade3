import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { batchOutcomeSchema, code } from '../ingest/ingest.schemas.ts';
import { withExactNumbers } from '../ingest/parsers/json.ts';

/**
 * A provider's corrections (更正) and withdrawals (撤销) of its own records. Each call is a batch
 * (kept, digested, reported like any push) of rows with `_op` = correct | withdraw | restore; it is
 * all-or-nothing unless `allOrNothing: false`. History is kept: each change is a new version.
 * Records themselves are read only through the read path (src/access/read-path.ts).
 */
const changeBody = z.object({
  kind: code().min(1).max(100),
  /** Operators act on behalf of a provider. */
  provider: code().min(1).max(100).optional(),
  reason: z.string().trim().min(1).max(2000),
  /** Withdraw / restore: the subject and natural-key fields suffice. Correct: the full corrected record. */
  records: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
  allOrNothing: z.boolean().optional(),
});

const ops = [
  {
    path: 'correct',
    op: 'correct',
    summary: '更正记录（新版本，保留历史） / Correct records (new version, history kept)',
  },
  {
    path: 'withdraw',
    op: 'withdraw',
    summary:
      '撤销记录（状态改为已撤销，数据与历史保留） / Withdraw records (status withdrawn, data and history kept)',
  },
  { path: 'restore', op: 'restore', summary: '恢复已撤销的记录 / Restore withdrawn records' },
] as const;

export const recordsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  // JSON bodies as Fastify parses them (prototype poisoning refused), except that a number a double
  // cannot hold exactly (a decision number sent as 12345678901234567890123) keeps its digits as text
  // instead of being silently rounded: it then names the record it was sent for.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    void parseJson(req, body as string, (err: Error | null, value?: unknown) =>
      err ? done(err) : done(null, withExactNumbers(body as string, value)),
    );
  });

  for (const { path, op, summary } of ops) {
    app.post(
      `/api/v1/records/${path}`,
      {
        config: { access: ['provider', 'operator'] },
        schema: { tags: ['records'], summary, body: changeBody, response: { 200: batchOutcomeSchema } },
      },
      async (req) =>
        ctx.ingest.changeRecords(req.actor, {
          op,
          kindCode: req.body.kind,
          providerId: req.body.provider,
          reason: req.body.reason,
          records: req.body.records,
          allOrNothing: req.body.allOrNothing,
        }),
    );
  }
};
