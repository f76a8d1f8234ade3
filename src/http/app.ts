import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../shared/errors.ts';
import {
  createActorResolver,
  registerAccessControl,
  type ActorResolver,
  type RegisteredRoute,
} from './access-control.ts';
import { sendProblem, toAppError } from './problem.ts';
import { registerDomainRoutes } from './routes.ts';

export interface BuildAppOptions {
  logger?: boolean;
  resolveActor?: ActorResolver;
}

export interface BuiltApp {
  app: FastifyInstance;
  /** Every route with its declared access, for the authorization matrix. */
  routes: RegisteredRoute[];
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<BuiltApp> {
  const app = Fastify({
    logger: opts.logger
      ? { level: ctx.config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] }
      : false,
    bodyLimit: ctx.config.uploadLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routes: RegisteredRoute[] = [];
  registerAccessControl(app, ctx.db, opts.resolveActor ?? createActorResolver(ctx.accounts), routes);

  app.setErrorHandler((error, req, reply) =>
    sendProblem(reply, toAppError(error, req, ctx.config.uploadLimitBytes)),
  );
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      new AppError('route_not_found', { method: req.method, url: req.url.split('?')[0] ?? '' }),
    ),
  );

  // Raw bodies for provider pushes in CSV / NDJSON / XLSX; parsed by the ingestion pipeline.
  for (const type of [
    'text/csv',
    'application/x-ndjson',
    'application/ndjson',
    'text/plain',
    'application/octet-stream',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ]) {
    app.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.config.uploadLimitBytes, files: 1, fields: 20 },
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: '信融 xinrong API',
        description:
          '融资信用服务平台 API. Errors are RFC 9457 application/problem+json with `code` and `message.zh` / `message.en`.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await registerDomainRoutes(app, ctx);
  return { app, routes };
}
