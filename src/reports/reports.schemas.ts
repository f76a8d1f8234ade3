import { z } from 'zod';
import { consentPurposes } from '../consent/consent.types.ts';
import { reportFormats, reportTypes } from './report.types.ts';

/** Request and response shapes of the reports API (responses are whitelists). */

const bilingual = z.object({ zh: z.string(), en: z.string() });

export const createReportBodySchema = z.object({
  uscc: z.string().min(18).max(40),
  type: z.enum(reportTypes),
  /** Render this format right away (json is always stored). */
  format: z.enum(reportFormats).optional(),
  consentId: z.string().min(1).max(100).optional(),
  purpose: z.enum(consentPurposes).optional(),
  /** Special reports: years covered, 1–5 (default 3). */
  windowYears: z.number().int().min(1).max(5).optional(),
});

export const reportMetaSchema = z.object({
  number: z.string(),
  type: z.enum(reportTypes),
  typeLabel: bilingual,
  uscc: z.string(),
  subjectName: z.string(),
  issuedAt: z.string(),
  requester: z.string(),
  purpose: z.string().nullable(),
  consentId: z.string().nullable(),
  window: z.object({ from: z.string(), to: z.string() }).nullable(),
  recordCount: z.number().int(),
  sha256: z.string(),
  sm3: z.string(),
  links: z.object({
    json: z.string(),
    html: z.string(),
    pdf: z.string(),
    verify: z.string(),
    verifyPage: z.string(),
  }),
});

/** Public verification by number: authenticity, digest and ledger proof — never the content. */
export const verifyByNumberSchema = z.object({
  authentic: z.boolean(),
  valid: z.boolean(),
  reason: bilingual,
  number: z.string(),
  type: z.string(),
  typeLabel: bilingual,
  uscc: z.string(),
  subjectName: z.string(),
  issuedAt: z.string(),
  digest: z.string(),
  sm3: z.string(),
  renditions: z.array(z.object({ format: z.string(), sha256: z.string() })),
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  hashAlgorithm: z.string(),
  leafHash: z.string(),
  rootHash: z.string(),
  inclusionProof: z.array(z.string()),
  checkpoint: z.string().nullable(),
  entry: z.string(),
});

export const verifyUploadSchema = z.object({
  valid: z.boolean(),
  message: bilingual,
  keyTrusted: z.boolean(),
  exactCopy: z.boolean(),
  registered: z.boolean(),
  checks: z.array(z.object({ code: z.string(), ok: z.boolean(), message: bilingual })),
  number: z.string().optional(),
  type: z.string().optional(),
  uscc: z.string().optional(),
  subjectName: z.string().optional(),
  issuedAt: z.string().optional(),
  digest: z.string().optional(),
  leafIndex: z.number().int().optional(),
  treeSize: z.number().int().optional(),
  checkpointAt: z.string().optional(),
});
