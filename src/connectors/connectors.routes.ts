import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthenticatedActor } from '../access/actor.ts';
import type { AppContext } from '../app/context.ts';
import {
  createInterfaceSchema,
  healthResultSchema,
  interfaceViewSchema,
  pullBodySchema,
  pullResultSchema,
  updateInterfaceSchema,
} from './connectors.schemas.ts';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/**
 * On-demand data (接口调用): the interface registry (operators and the owning provider), per-provider
 * health (operators) and the pull itself (institutions under consent, an enterprise for itself).
 */
export const connectorsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const c = ctx.connectors;

  app.get(
    '/api/v1/connectors/interfaces',
    {
      config: { access: ['operator', 'provider'] },
      schema: {
        tags: ['connectors'],
        summary: '接口登记列表 / List provider interfaces',
        description: '运营人员看到全部，数据提供单位只看到自己的 / Operators see all, providers their own.',
        querystring: z.object({ providerId: z.string().optional(), kind: z.string().optional() }),
        response: { 200: z.object({ interfaces: z.array(interfaceViewSchema) }) },
      },
    },
    async (req) => ({ interfaces: await c.listInterfaces(req.actor, req.query) }),
  );

  app.post(
    '/api/v1/connectors/interfaces',
    {
      config: { access: ['operator', 'provider'] },
      schema: {
        tags: ['connectors'],
        summary: '登记接口 / Register an interface for a pull kind',
        body: createInterfaceSchema,
        response: { 201: interfaceViewSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await c.createInterface(req.actor, req.body)),
  );

  app.get(
    '/api/v1/connectors/interfaces/:id',
    {
      config: { access: ['operator', 'provider'] },
      schema: {
        tags: ['connectors'],
        summary: '查看接口 / Show an interface',
        params: idParams,
        response: { 200: interfaceViewSchema },
      },
    },
    async (req) => c.getInterface(req.actor, req.params.id),
  );

  app.patch(
    '/api/v1/connectors/interfaces/:id',
    {
      config: { access: ['operator', 'provider'] },
      schema: {
        tags: ['connectors'],
        summary: '修改接口（地址、认证、限流、缓存、启停） / Update an interface',
        params: idParams,
        body: updateInterfaceSchema,
        response: { 200: interfaceViewSchema },
      },
    },
    async (req) => c.updateInterface(req.actor, req.params.id, req.body),
  );

  app.delete(
    '/api/v1/connectors/interfaces/:id',
    {
      config: { access: ['operator', 'provider'] },
      schema: {
        tags: ['connectors'],
        summary: '删除接口（调用记录保留） / Delete an interface (its call log stays)',
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await c.deleteInterface(req.actor, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/connectors/health',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['connectors'],
        summary: '数据提供单位接口健康状况 / Per-provider interface health',
        description:
          '成功率、p50/p95 延迟、最近错误、熔断状态 / success rate, p50/p95 latency, last error, breaker state',
        querystring: z.object({ windowMinutes: z.coerce.number().int().min(1).max(10_080).default(60) }),
        response: { 200: healthResultSchema },
      },
    },
    async (req) => c.getHealth({ windowMinutes: req.query.windowMinutes }),
  );

  app.post(
    '/api/v1/subjects/:uscc/pull',
    {
      config: { access: ['institution', 'institution_system', 'enterprise'] },
      schema: {
        tags: ['connectors'],
        summary: '按需调用数据提供单位接口（接口调用） / On-demand data from providers under consent',
        description:
          '每个信息项一节：ok、unavailable（及原因）或 denied；某一数据提供单位故障不影响其他部分 / One section per kind: ok, unavailable (with why) or denied; one failing provider never fails the others.',
        params: z.object({ uscc: z.string().min(1).max(40) }),
        body: pullBodySchema,
        response: { 200: pullResultSchema },
      },
    },
    async (req, reply) => {
      // The caller went away: stop waiting on providers for it.
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      return c.pull({
        actor: req.actor as AuthenticatedActor,
        uscc: req.params.uscc,
        kinds: req.body.kinds,
        purpose: req.body.purpose,
        consentId: req.body.consentId,
        signal: abort.signal,
      });
    },
  );
};
