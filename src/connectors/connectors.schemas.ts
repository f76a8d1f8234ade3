import { z } from 'zod';
import { consentPurposes } from '../consent/consent.types.ts';
import { signatureAlgorithms } from './signing.ts';
import { sectionCodes } from './pull-reasons.ts';

/**
 * Request and response shapes of the connectors API, shared by the routes (validation and the
 * OpenAPI description), the CLI and the service. Responses are whitelists: secrets never appear.
 */

const code = z.string().regex(/^[a-z][a-z0-9_]*$/);

/** Defaults of a new interface (decision 0061): conservative for a government API. */
export const interfaceDefaults = {
  timeoutMs: 3_000,
  retries: 2,
  rateLimitPerSecond: 50,
  maxConcurrency: 16,
  cacheTtlSeconds: 0,
} as const;

export const interfaceAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), token: z.string().min(8).max(500) }),
  z.object({
    type: z.literal('hmac'),
    keyId: z.string().min(1).max(200),
    secret: z.string().min(16).max(500),
    algorithm: z.enum(signatureAlgorithms).default('hmac-sha256'),
  }),
]);
export type InterfaceAuthInput = z.infer<typeof interfaceAuthSchema>;

const tuning = {
  /** Per attempt, connect to last byte, ms. */
  timeoutMs: z.number().int().min(100).max(60_000),
  /** Extra attempts after a timeout, a connection failure or a 5xx (never after a 4xx). */
  retries: z.number().int().min(0).max(5),
  /** Calls per second to this provider; 0 = unlimited. */
  rateLimitPerSecond: z.number().min(0).max(10_000),
  /** Calls in flight to this provider at once. */
  maxConcurrency: z.number().int().min(1).max(1_000),
  /** How long an answer may be reused for the same subject, seconds; 0 = never. */
  cacheTtlSeconds: z.number().int().min(0).max(86_400),
  /** Store answers as records (versioned, in the ledger); null = the catalog's default. */
  storeAsRecords: z.boolean().nullable(),
  enabled: z.boolean(),
  note: z.string().max(500),
};

export const createInterfaceSchema = z.object({
  /** Operators name the provider; a provider registers for itself (this field is then ignored). */
  providerId: code.optional(),
  kind: code,
  baseUrl: z.string().min(1).max(2000),
  auth: interfaceAuthSchema.default({ type: 'none' }),
  timeoutMs: tuning.timeoutMs.default(interfaceDefaults.timeoutMs),
  retries: tuning.retries.default(interfaceDefaults.retries),
  rateLimitPerSecond: tuning.rateLimitPerSecond.default(interfaceDefaults.rateLimitPerSecond),
  maxConcurrency: tuning.maxConcurrency.default(interfaceDefaults.maxConcurrency),
  cacheTtlSeconds: tuning.cacheTtlSeconds.default(interfaceDefaults.cacheTtlSeconds),
  storeAsRecords: tuning.storeAsRecords.default(null),
  enabled: tuning.enabled.default(true),
  note: tuning.note.default(''),
});
export type CreateInterfaceInput = z.infer<typeof createInterfaceSchema>;

export const updateInterfaceSchema = z
  .object({
    baseUrl: z.string().min(1).max(2000),
    auth: interfaceAuthSchema,
    ...tuning,
  })
  .partial();
export type UpdateInterfaceInput = z.infer<typeof updateInterfaceSchema>;

export const interfaceViewSchema = z.object({
  id: z.number().int(),
  providerId: z.string(),
  kind: z.string(),
  kindNameZh: z.string().nullable(),
  baseUrl: z.string(),
  auth: z.object({
    type: z.enum(['none', 'bearer', 'hmac']),
    keyId: z.string().nullable(),
    algorithm: z.enum(signatureAlgorithms).nullable(),
    hasSecret: z.boolean(),
  }),
  timeoutMs: z.number().int(),
  retries: z.number().int(),
  rateLimitPerSecond: z.number(),
  maxConcurrency: z.number().int(),
  cacheTtlSeconds: z.number().int(),
  /** The effective setting. */
  storeAsRecords: z.boolean(),
  /** Where it comes from: set on the interface, or the catalog's default for the kind. */
  storeAsRecordsSource: z.enum(['interface', 'catalog']),
  enabled: z.boolean(),
  note: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type InterfaceView = z.infer<typeof interfaceViewSchema>;

export const bilingualSchema = z.object({ zh: z.string(), en: z.string() });

export const pullBodySchema = z.object({
  kinds: z.array(code).min(1).max(50),
  purpose: z.enum(consentPurposes).optional(),
  /** Required for institutions (the consent the call is made under); ignored for the subject itself. */
  consentId: z.string().min(1).max(100).optional(),
});

export const pullSectionSchema = z.object({
  kind: z.string(),
  status: z.enum(['ok', 'unavailable', 'denied']),
  code: z.enum(sectionCodes).nullable(),
  reason: bilingualSchema.nullable(),
  /** The provider's records, validated against the catalog and masked for the caller (ok only). */
  data: z.array(z.record(z.string(), z.unknown())).nullable(),
  providerId: z.string().nullable(),
  requestId: z.string(),
  fetchedAt: z.string(),
  cached: z.boolean(),
  stored: z.boolean(),
  /** SHA-256 (hex) of the provider's answer as received; also logged with SM3. */
  digest: z.string().nullable(),
});
export type PullSection = z.infer<typeof pullSectionSchema>;

export const pullResultSchema = z.object({
  pullId: z.string(),
  uscc: z.string(),
  consentId: z.string().nullable(),
  sections: z.array(pullSectionSchema),
});
export type PullResult = z.infer<typeof pullResultSchema>;

export const providerHealthSchema = z.object({
  providerId: z.string(),
  kinds: z.array(z.string()),
  enabledInterfaces: z.number().int(),
  calls: z.number().int(),
  /** ok / calls over the window; null without calls. */
  successRate: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  lastCallAt: z.string().nullable(),
  lastError: z
    .object({ at: z.string(), code: z.string().nullable(), reason: bilingualSchema.nullable() })
    .nullable(),
  breaker: z.object({
    /** As seen by the process answering (breakers are per process). */
    state: z.enum(['closed', 'open', 'half_open']),
    consecutiveFailures: z.number().int(),
    retryAt: z.string().nullable(),
  }),
});
export type ProviderHealth = z.infer<typeof providerHealthSchema>;

export const healthResultSchema = z.object({
  since: z.string(),
  providers: z.array(providerHealthSchema),
});
export type HealthResult = z.infer<typeof healthResultSchema>;
