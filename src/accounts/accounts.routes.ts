import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../access/actor.ts';
import type { AppContext } from '../app/context.ts';
import { consentPurposes } from '../consent/consent.types.ts';
import { loginRateLimit } from '../http/access-control.ts';
import { AppError } from '../shared/errors.ts';
import { institutionTypes, sessionCookieName, type LoginResult } from './accounts.service.ts';

/**
 * Authentication (register, login, TOTP, logout, me) and operator onboarding of institutions,
 * providers, recommender organisations, users and machine-client keys.
 */

const meSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(roles),
  displayName: z.string(),
  orgId: z.string().nullable(),
  orgName: z.string().nullable(),
  uscc: z.string().nullable(),
  subjectName: z.string().nullable(),
  mfaPending: z.boolean(),
});

const loginResponse = z.object({
  me: meSchema,
  mfaRequired: z.boolean(),
  expiresAt: z.string(),
});

const agreementInput = z.object({
  scope: z
    .object({
      kinds: z.array(z.string().max(100)).max(500).optional(),
      categories: z.array(z.string().max(100)).max(100).optional(),
    })
    .optional(),
  purposes: z.array(z.enum(consentPurposes)).max(10).optional(),
  purposeText: z.string().trim().min(1).max(2000),
  validFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  documentRef: z.string().max(500).nullable().optional(),
});

const agreementSchema = z.object({
  id: z.number(),
  scope: z.object({ kinds: z.array(z.string()), categories: z.array(z.string()) }),
  purposes: z.array(z.string()),
  purposeText: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  documentRef: z.string().nullable(),
  inForce: z.boolean(),
});

const organisationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  institutionType: z.string().nullable(),
  nameZh: z.string(),
  nameEn: z.string(),
  uscc: z.string().nullable(),
  regionCode: z.string().nullable(),
  status: z.string(),
  createdAt: z.string(),
  agreements: z.array(agreementSchema),
});

const orgBody = z.object({
  id: z.string().min(2).max(63),
  nameZh: z.string().trim().min(1).max(200),
  nameEn: z.string().max(200).optional(),
  uscc: z.string().max(18).nullable().optional(),
  regionCode: z.string().max(12).nullable().optional(),
  agreement: agreementInput,
});

const keySchema = z.object({
  keyId: z.string(),
  orgId: z.string(),
  role: z.string(),
  label: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const idParams = z.object({ id: z.string().min(1).max(100) });

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, r: LoginResult, secure: boolean) {
  reply.setCookie(sessionCookieName, r.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: r.expiresAt,
  });
  void req;
}

export const accountsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const rl = { rateLimit: loginRateLimit() };

  app.post(
    '/api/v1/auth/register-enterprise',
    {
      config: { access: 'public', ...rl },
      schema: {
        tags: ['auth'],
        summary:
          '企业实名注册（法定代表人姓名与证件号码须与登记信息一致） / Real-name enterprise registration',
        body: z.object({
          uscc: z.string().trim().min(18).max(18),
          legalRepName: z.string().trim().min(1).max(50),
          legalRepIdNumber: z.string().trim().min(6).max(30),
          username: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9_.@-]{3,64}$/),
          password: z.string().min(1).max(128),
          displayName: z.string().trim().max(100).optional(),
        }),
        response: { 201: meSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.accounts.registerEnterprise(req.body)),
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', ...rl },
      schema: {
        tags: ['auth'],
        summary:
          '登录（运营人员和数据提供单位用户随后须输入动态口令） / Log in (operators and provider users then enter their TOTP code)',
        body: z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(128) }),
        response: { 200: loginResponse },
      },
    },
    async (req, reply) => {
      const r = await ctx.accounts.login({
        username: req.body.username,
        password: req.body.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
      });
      setSessionCookie(req, reply, r, secure);
      return { me: r.me, mfaRequired: r.mfaRequired, expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/totp/verify',
    {
      config: { access: 'public', ...rl },
      schema: {
        tags: ['auth'],
        summary: '输入动态口令完成登录 / Complete login with the TOTP code (operators, provider users)',
        body: z.object({
          code: z
            .string()
            .trim()
            .regex(/^\d{6}$/),
        }),
        response: { 200: loginResponse },
      },
    },
    async (req, reply) => {
      const r = await ctx.accounts.verifyTotp(req.cookies[sessionCookieName], req.body.code, {
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? '',
      });
      setSessionCookie(req, reply, r, secure);
      return { me: r.me, mfaRequired: false, expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: '退出登录 / Log out',
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (req, reply) => {
      await ctx.accounts.logout(req.cookies[sessionCookieName]);
      reply.clearCookie(sessionCookieName, { path: '/', httpOnly: true, sameSite: 'strict', secure });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: [...roles] },
      schema: { tags: ['auth'], summary: '当前用户 / The current user', response: { 200: meSchema } },
    },
    async (req) => ctx.accounts.me(req.actor),
  );

  // ---- onboarding (operators) ----

  const onboarding = (kind: 'institution' | 'provider', path: string, label: string) => {
    app.get(
      path,
      {
        config: { access: ['operator'] },
        schema: {
          tags: ['onboarding'],
          summary: `${label}列表 / List ${kind}s`,
          response: { 200: z.array(organisationSchema) },
        },
      },
      async (req) => ctx.accounts.listOrganisations(req.actor, kind),
    );
    app.post(
      path,
      {
        config: { access: ['operator'] },
        schema: {
          tags: ['onboarding'],
          summary: `接入${label}（须有数据共享协议） / Onboard a ${kind} with its data-sharing agreement`,
          body:
            kind === 'institution' ? orgBody.extend({ institutionType: z.enum(institutionTypes) }) : orgBody,
          response: { 201: organisationSchema },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await ctx.accounts.onboardOrganisation(req.actor, kind, req.body)),
    );
    app.get(
      `${path}/:id`,
      {
        config: { access: kind === 'institution' ? ['operator', 'institution'] : ['operator', 'provider'] },
        schema: {
          tags: ['onboarding'],
          summary: `${label}详情与数据共享协议 / A ${kind} and its agreements`,
          params: idParams,
          response: { 200: organisationSchema },
        },
      },
      async (req) => ctx.accounts.getOrganisation(req.actor, req.params.id),
    );
    app.post(
      `${path}/:id/agreements`,
      {
        config: { access: ['operator'] },
        schema: {
          tags: ['onboarding'],
          summary: `登记${label}的数据共享协议 / File a data-sharing agreement`,
          params: idParams,
          body: agreementInput,
          response: { 201: organisationSchema },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await ctx.accounts.addAgreement(req.actor, req.params.id, req.body)),
    );
    app.get(
      `${path}/:id/keys`,
      {
        config: { access: ['operator'] },
        schema: {
          tags: ['onboarding'],
          summary: `${label}系统的签名密钥 / Signing keys of the ${kind}'s systems`,
          params: idParams,
          response: { 200: z.array(keySchema) },
        },
      },
      async (req) => ctx.accounts.listClientKeys(req.actor, req.params.id),
    );
    app.post(
      `${path}/:id/keys`,
      {
        config: { access: ['operator'] },
        schema: {
          tags: ['onboarding'],
          summary: `为${label}系统签发签名密钥（密钥只显示一次） / Issue a signing key (the secret is shown once)`,
          params: idParams,
          body: z.object({ label: z.string().max(200).optional() }).nullish(),
          response: { 201: z.object({ key: keySchema, secret: z.string() }) },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await ctx.accounts.createClientKey(req.actor, req.params.id, req.body?.label ?? '')),
    );
  };
  onboarding('institution', '/api/v1/institutions', '金融机构');
  onboarding('provider', '/api/v1/providers', '数据提供单位');

  app.post(
    '/api/v1/keys/:id/revoke',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['onboarding'],
        summary: '吊销签名密钥 / Revoke a signing key',
        params: idParams,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (req) => {
      await ctx.accounts.revokeClientKey(req.actor, req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/directory/institutions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['onboarding'],
        summary: '已接入的金融机构（供企业授权时选择） / Onboarded institutions (for consent grants)',
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              nameZh: z.string(),
              nameEn: z.string(),
              institutionType: z.string().nullable(),
            }),
          ),
        },
      },
    },
    async () => ctx.accounts.listInstitutionDirectory(),
  );

  app.get(
    '/api/v1/organisations',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['onboarding'],
        summary: '全部机构 / All organisations',
        response: { 200: z.array(organisationSchema) },
      },
    },
    async (req) => ctx.accounts.listOrganisations(req.actor),
  );

  app.post(
    '/api/v1/organisations',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['onboarding'],
        summary: '新增区县或部门（推荐单位） / Add a district or department (recommenders)',
        body: z.object({
          id: z.string().min(2).max(63),
          kind: z.enum(['district', 'department', 'platform']),
          nameZh: z.string().trim().min(1).max(200),
          nameEn: z.string().max(200).optional(),
          regionCode: z.string().max(12).nullable().optional(),
        }),
        response: { 201: organisationSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.accounts.createOrganisation(req.actor, req.body)),
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['onboarding'],
        summary: '用户列表 / Users',
        querystring: z.object({ orgId: z.string().max(100).optional(), role: z.enum(roles).optional() }),
        response: { 200: z.array(meSchema) },
      },
    },
    async (req) => ctx.accounts.listUsers(req.actor, req.query),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['onboarding'],
        summary:
          '新增机构、数据提供单位、运营或推荐单位用户（初始密码与动态口令密钥只显示一次） / Add a user (initial password and TOTP secret shown once)',
        body: z.object({
          username: z.string().trim().min(3).max(64),
          role: z.enum(['institution', 'provider', 'operator', 'recommender']),
          orgId: z.string().max(100).nullable().optional(),
          displayName: z.string().trim().max(100).optional(),
          password: z.string().min(1).max(128).optional(),
        }),
        response: {
          201: z.object({
            user: meSchema,
            initialPassword: z.string().nullable(),
            totp: z.object({ secret: z.string(), uri: z.string() }).nullable(),
          }),
        },
      },
    },
    async (req, reply) => {
      const r = await ctx.accounts.createUser(req.actor, {
        username: req.body.username,
        role: req.body.role,
        orgId: req.body.orgId ?? null,
        ...(req.body.displayName ? { displayName: req.body.displayName } : {}),
        password: req.body.password,
      });
      // Never cache a response carrying a password or TOTP secret.
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(r);
    },
  );

  void AppError;
};
