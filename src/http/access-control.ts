import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createSM3, type IHasher } from 'hash-wasm';
import type { Actor, Role } from '../access/actor.ts';
import { actorFromBearer } from '../access/authenticate.ts';
import { bodyDigest, signatureHeaders, type SignatureAlgorithm } from '../access/request-signing.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { sessionCookieName } from '../accounts/accounts.service.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';

/**
 * Every route declares who may call it in `config.access`: 'public' (anyone, including anonymous)
 * or a list of roles. A route without a declaration cannot be registered (deny by default), and the
 * authorization matrix test enumerates these declarations.
 *
 * Who the caller is (the actor) is resolved once per request, in this order:
 * 1. a signed request (X-Xr-Key-Id … X-Xr-Signature: machine clients, see access/request-signing.ts);
 * 2. a bearer token from `api_tokens` (kept for scripts and tests; XINRONG_BEARER_TOKENS=off
 *    disables them, =machine limits them to provider and institution systems);
 * 3. the session cookie `xr_session` (browsers; operators only after their TOTP code);
 * 4. otherwise anonymous.
 * Rules: docs/decisions/0050-accounts-and-authentication.md.
 */
export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor;
    /** Set for signed requests: the body digest the signature covers, checked as the body arrives. */
    xrSigned?: { algorithm: SignatureAlgorithm; digest: string; checked: boolean };
    /** Operators between password and TOTP (their session is not yet an operator session). */
    xrMfaPending?: boolean;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access;
}

/** Paths served by plugins (docs, static files) that carry no credit data. */
const infrastructurePrefixes = ['/docs', '/assets/', '/favicon'];

export type ActorResolver = (req: FastifyRequest, db: Db) => Promise<Actor | undefined>;

/** Bearer tokens only (the foundation's resolver; tests may pass it explicitly). */
export const bearerResolver: ActorResolver = async (req, db) => {
  const auth = req.headers.authorization;
  if (!auth) return { type: 'anonymous' };
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m?.[1]) return undefined;
  return actorFromBearer(db, m[1]);
};

export type BearerPolicy = 'on' | 'machine' | 'off';

/** Signed bodies up to this size are checked against their digest before the route runs. */
const signedBodyBufferBytes = 16 * 1024 * 1024;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isPublicRoute(req: FastifyRequest): boolean {
  return req.routeOptions.config?.access === 'public';
}

/**
 * The platform's resolver: signed requests, bearer tokens, session cookies, anonymous.
 * Throws the specific 401 problem (stale, replayed, bad signature, session expired, TOTP pending)
 * when credentials are present but not good enough for a non-public route.
 */
export function createActorResolver(
  accounts: Pick<AccountsService, 'resolveSession' | 'resolveSignedRequest'>,
  opts: { bearer?: BearerPolicy } = {},
): ActorResolver {
  const bearer: BearerPolicy = opts.bearer ?? ((process.env.XINRONG_BEARER_TOKENS as BearerPolicy) || 'on');
  return async (req, db) => {
    const keyId = header(req, signatureHeaders.keyId);
    if (keyId !== undefined) {
      const values = {
        keyId,
        timestamp: header(req, signatureHeaders.timestamp),
        nonce: header(req, signatureHeaders.nonce),
        algorithm: header(req, signatureHeaders.algorithm),
        bodyDigest: header(req, signatureHeaders.bodyDigest),
        signature: header(req, signatureHeaders.signature),
      };
      const missing = Object.entries(signatureHeaders)
        .filter(([k]) => !values[k as keyof typeof values])
        .map(([, h]) => h);
      if (missing.length) throw new AppError('signature_missing', { headers: missing.join(', ') });
      if (/^multipart\//i.test(header(req, 'content-type') ?? '')) {
        throw new AppError('signature_invalid', {
          detail: 'multipart bodies cannot be signed: send the file as the request body',
        });
      }
      const actor = await accounts.resolveSignedRequest({
        keyId,
        timestamp: values.timestamp!,
        nonce: values.nonce!,
        algorithm: values.algorithm!,
        bodyDigest: values.bodyDigest!,
        signature: values.signature!,
        method: req.method,
        target: req.url,
      });
      req.xrSigned = {
        algorithm: values.algorithm as SignatureAlgorithm,
        digest: values.bodyDigest!,
        checked: false,
      };
      return actor;
    }

    const auth = req.headers.authorization;
    if (auth) {
      if (bearer === 'off') throw new AppError('unauthenticated');
      const actor = await bearerResolver(req, db);
      if (!actor) return undefined;
      if (bearer === 'machine' && actor.type !== 'provider' && actor.type !== 'institution_system') {
        throw new AppError('unauthenticated');
      }
      return actor;
    }

    const token = req.cookies?.[sessionCookieName];
    if (token) {
      const s = await accounts.resolveSession(token);
      if (!s || 'expired' in s) {
        if (isPublicRoute(req)) return { type: 'anonymous' };
        throw new AppError('session_expired');
      }
      if (s.mfaPending) {
        req.xrMfaPending = true;
        if (isPublicRoute(req)) return { type: 'anonymous' };
        throw new AppError('totp_required');
      }
      return s.actor;
    }
    return { type: 'anonymous' };
  };
}

export interface RateLimits {
  /** Requests per minute per actor (authenticated) or per IP (anonymous). */
  perMinute: number;
  /** Login, registration and TOTP attempts per minute per IP. */
  loginPerMinute: number;
}

export function rateLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimits {
  const n = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d);
  return {
    perMinute: n(env.XINRONG_RATE_LIMIT_PER_MINUTE, 1200),
    loginPerMinute: n(env.XINRONG_LOGIN_RATE_LIMIT_PER_MINUTE, 20),
  };
}

/** Route config for login-like routes: a per-IP limit on top of the account lockout. */
export function loginRateLimit(limits: RateLimits = rateLimitsFromEnv()) {
  return {
    max: limits.loginPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => `login:${req.ip}`,
  };
}

function actorKey(req: FastifyRequest): string {
  const a = req.actor;
  if (!a || a.type === 'anonymous') return `ip:${req.ip}`;
  if (a.type === 'system') return `system:${a.name}`;
  return `${a.type}:${a.id}`;
}

function newDigest(algorithm: SignatureAlgorithm, sm3: IHasher | undefined) {
  if (algorithm === 'HMAC-SM3' && sm3) {
    sm3.init();
    return { update: (b: Buffer) => sm3.update(b), hex: () => sm3.digest('hex') };
  }
  const h = createHash('sha256');
  return { update: (b: Buffer) => h.update(b), hex: () => h.digest('hex') };
}

export function registerAccessControl(
  app: FastifyInstance,
  db: Db,
  resolveActor: ActorResolver,
  routes: RegisteredRoute[],
  limits: RateLimits = rateLimitsFromEnv(),
): void {
  // Plugins load in registration order before the routes: cookies for sessions, rate limits for
  // everything (keyed by actor after resolution, hence the preHandler hook).
  void app.register(fastifyCookie);
  void app.register(fastifyRateLimit, {
    global: true,
    max: limits.perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: actorKey,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', {}, { retryAfterSeconds: Math.ceil(Number(ctx.ttl) / 1000) }),
  });

  app.decorateRequest('actor', null as unknown as { getter: () => Actor });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'HEAD' || m === 'OPTIONS')) return;
    const access = route.config?.access;
    if (!access) {
      if (infrastructurePrefixes.some((p) => route.url.startsWith(p)) || route.url === '/*') return;
      throw new Error(`route ${methods.join(',')} ${route.url} declares no config.access`);
    }
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access) return;
    const actor = await resolveActor(req, db);
    if (!actor) throw new AppError('unauthenticated');
    req.actor = actor;
    if (access === 'public') return;
    // `requiredRoles` tells the client which roles this route admits (and tells apart a denial by
    // the route's declaration from one by a service rule).
    if (actor.type === 'anonymous') throw new AppError('unauthenticated', {}, { requiredRoles: access });
    if (!(access as readonly string[]).includes(actor.type)) {
      throw new AppError('forbidden', {}, { requiredRoles: access });
    }
  });

  // Signed requests: the body must match the digest the signature covers. Bodies up to 16 MiB are
  // read and checked before anything else runs (a mismatch is a clean 401 and nothing is applied);
  // a larger one streams on and is checked at its end, where a mismatch fails the stream (and so
  // the upload) instead.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const signed = req.xrSigned;
    if (!signed) return payload;
    // One hasher per request: a hasher holds state, and requests interleave.
    const sm3 = signed.algorithm === 'HMAC-SM3' ? await createSM3() : undefined;
    const digest = newDigest(signed.algorithm, sm3);
    const it = (payload as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let size = 0;
    for (;;) {
      const next = await it.next();
      if (next.done) {
        if (digest.hex() !== signed.digest) throw new AppError('body_digest_mismatch');
        signed.checked = true;
        const body = Readable.from(head.length ? [Buffer.concat(head)] : []);
        (body as unknown as { receivedEncodedLength: number }).receivedEncodedLength = size;
        return body;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      size += chunk.length;
      digest.update(chunk);
      head.push(chunk);
      if (size > signedBodyBufferBytes) break;
    }
    async function* rest(): AsyncGenerator<Buffer> {
      yield* head;
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        size += chunk.length;
        digest.update(chunk);
        yield chunk;
      }
      if (digest.hex() !== signed!.digest) throw new AppError('body_digest_mismatch');
      signed!.checked = true;
    }
    const stream = Readable.from(rest());
    stream.on('data', () => {
      (stream as unknown as { receivedEncodedLength: number }).receivedEncodedLength = size;
    });
    return stream;
  });
  app.addHook('preHandler', async (req) => {
    const signed = req.xrSigned;
    if (!signed || signed.checked) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (!req.headers['transfer-encoding'] && !(length > 0)) {
      // No body was sent: the digest must be that of the empty string.
      if (bodyDigest(signed.algorithm, '') !== signed.digest) throw new AppError('body_digest_mismatch');
      signed.checked = true;
    }
  });
}
