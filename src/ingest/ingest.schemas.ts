import { z } from 'zod';
import { inputFormats } from './parsers/index.ts';

export const bilingual = z.object({ zh: z.string(), en: z.string() });

/** One rejected row (or a column warning), as the provider receives it. */
export const rowErrorSchema = z.object({
  row: z.number().int(),
  field: z.string().nullable(),
  rule: z.string(),
  value: z.string().nullable(),
  message: bilingual,
});

/** The outcome of a push: exactly these members (the CLI prints the same). */
export const batchOutcomeSchema = z.object({
  batch: z.number().int(),
  received: z.number().int(),
  accepted: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(rowErrorSchema),
});

export const batchViewSchema = z.object({
  id: z.number().int(),
  providerId: z.string(),
  kindCode: z.string(),
  source: z.string(),
  format: z.string(),
  filename: z.string().nullable(),
  byteSize: z.number().int(),
  sha256: z.string().nullable(),
  sm3: z.string().nullable(),
  status: z.string(),
  allOrNothing: z.boolean(),
  catalogVersion: z.number().int().nullable(),
  received: z.number().int(),
  accepted: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  errorCode: z.string().nullable(),
  errorMessage: bilingual.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/**
 * A code or name sent in a query or body (kind, provider). PostgreSQL text cannot hold U+0000: a
 * query with one fails (a 500), so it is refused here. File names keep theirs, shown as ␀.
 */
export const code = () =>
  z
    .string()
    .refine(
      (s) => !s.includes('\u0000'),
      '不得含有空字符（U+0000） / must not contain a NUL character (U+0000)',
    );

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const pushQuerySchema = z.object({
  kind: code().min(1).max(100).optional(),
  allOrNothing: flag,
  /** Operators push on behalf of a provider. */
  provider: code().min(1).max(100).optional(),
  format: z.enum(inputFormats).optional(),
  filename: z.string().max(255).optional(),
});

export const batchIdParams = z.object({ id: z.coerce.number().int().positive() });

export const listBatchesQuery = z.object({
  kind: code().max(100).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const errorsQuery = z.object({
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(10000).default(1000),
  /** A row number: `batch_errors.row_number` is a PostgreSQL integer (a larger value is a database error). */
  afterRow: z.coerce.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
  afterId: z.coerce.number().int().optional(),
});

export const errorsPageSchema = z.object({
  batch: z.number().int(),
  errors: z.array(rowErrorSchema.extend({ severity: z.enum(['error', 'warning']) })),
  /** Pass as afterRow / afterId for the next page; null on the last page. */
  next: z.object({ afterRow: z.number().int(), afterId: z.number().int() }).nullable(),
});
