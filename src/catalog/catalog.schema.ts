import { z } from 'zod';

/**
 * The catalog (信用信息共享清单) as data: categories, kinds and fields. Seeded from the sharing lists
 * of both seed documents; an operator imports changed versions (JSON or YAML) without code changes.
 * This schema is the contract between the catalog, ingestion, the read path and reports.
 */

export const fieldTypes = [
  'string', // short text (names, codes, numbers-as-text)
  'text', // long free text (违法事实, 判决结果)
  'integer',
  'number', // decimal quantities (amounts in 元 unless the label says 万元, areas, ratios)
  'boolean', // 是/否, true/false, 1/0, Y/N
  'date', // YYYY-MM-DD; also accepts YYYY/M/D, YYYYMMDD, 2024年3月5日 and Excel serials
  'datetime',
  'year', // 报告年度, 评级年度
  'enum', // one of `enum[].value` (label_zh also accepted on input)
  'uscc', // 统一社会信用代码, GB 32100-2015 check character
  'id_number', // 居民身份证号码, GB 11643 check digit
  'uscc_or_id', // either of the two (被执行人 may be a person or an organisation)
  'region', // GB/T 2260 code
  'industry', // GB/T 4754-2017 code
] as const;
export type FieldType = (typeof fieldTypes)[number];

/** Masking class: public shown as is; restricted only under consent; personal masked unless the subject itself. */
export const sensitivities = ['public', 'restricted', 'personal'] as const;
export type Sensitivity = (typeof sensitivities)[number];

/** 公开 / 有条件共享 / 不予共享 */
export const opennessLevels = ['public', 'conditional', 'restricted'] as const;
export type Openness = (typeof opennessLevels)[number];

/** 物理归集 push / 接口调用 pull / both */
export const shareModes = ['push', 'pull', 'both'] as const;
export type ShareMode = (typeof shareModes)[number];

/** One value of an enum field: stored as `value`; `label_zh`, `label_en` and `aliases` also accepted on input. */
export const catalogEnumValueSchema = z.object({
  value: z.string().min(1),
  label_zh: z.string().min(1),
  label_en: z.string().default(''),
  /** Other spellings providers send for this value (e.g. 绿牌 / 环保诚信企业 for green). */
  aliases: z.array(z.string()).default([]),
});
export type CatalogEnumValue = z.infer<typeof catalogEnumValueSchema>;

export const catalogFieldSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label_zh: z.string().min(1),
  label_en: z.string().default(''),
  type: z.enum(fieldTypes),
  required: z.boolean().default(false),
  sensitivity: z.enum(sensitivities).default('public'),
  /** For type enum. */
  enum: z.array(catalogEnumValueSchema).optional(),
  /** Other header labels providers use for this field (matched like label_zh). */
  aliases: z.array(z.string()).default([]),
  max_length: z.number().int().positive().optional(),
  /** Regular expression (JavaScript syntax, whole value) a string value must match, e.g. a YYYY-MM period. */
  pattern: z.string().optional(),
  /** Unit of a number field as the provider sends it: 元, 万元, 平方米, %, 吨… (amounts are never converted). */
  unit: z.string().optional(),
  /** Which seed lists name this field, when not both (zhengzhou / pingdingshan / derived). */
  sources: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type CatalogField = z.infer<typeof catalogFieldSchema>;

export const publicityRuleSchema = z.object({
  /** Field holding the date the period runs from (e.g. decision date). */
  from_field: z.string(),
  /** Field holding an explicit end of publicity (公示截止期), when the provider sends one. */
  until_field: z.string().optional(),
  /** Default maximum publicity period in months when no end date is sent. */
  max_months: z.number().int().positive().optional(),
  /** Legal source of the rule, shown to users. */
  basis: z.string().optional(),
  /** Severity classes with their own periods (轻微 / 一般 / 严重), when the basis distinguishes them. */
  classes: z
    .array(
      z.object({
        code: z.string(),
        label_zh: z.string(),
        label_en: z.string().default(''),
        min_months: z.number().int().nonnegative().optional(),
        max_months: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  /** Date (YYYY-MM-DD) from which this rule applies. */
  effective_from: z.string().optional(),
});

/** A responsible unit (责任单位); `id` is stable and becomes a row of `providers`. */
export const catalogProviderRefSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name_zh: z.string().min(1),
  name_en: z.string().default(''),
});

export const catalogKindSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name_zh: z.string().min(1),
  name_en: z.string().default(''),
  category: z.string(),
  share_mode: z.enum(shareModes),
  openness: z.enum(opennessLevels),
  /** Responsible providers (责任单位) as listed in the seeds. */
  providers: z.array(catalogProviderRefSchema).min(1),
  /** Field holding the subject's USCC (the record is filed under it). */
  subject_field: z.string().default('uscc'),
  /** Field holding the subject's name (used to create a provisional subject). */
  subject_name_field: z.string().optional(),
  /** Fields whose values identify a record within (subject, kind); a re-send with the same key is a new version. */
  natural_key: z.array(z.string()).min(1),
  /** Principal date of the record (for date ranges, publicity, reports). */
  date_field: z.string().optional(),
  publicity: publicityRuleSchema.optional(),
  /** Negative information (失信/违法/欠缴…): evaluation, special reports and repair treat it so. */
  negative: z.boolean().default(false),
  /** Which seed lists carry this kind: zhengzhou (郑政办〔2022〕101号) and/or pingdingshan (平政办〔2023〕7号). */
  sources: z.array(z.string()).default([]),
  /** Notes where the two lists differ, or how the fields were derived. */
  note: z.string().optional(),
  fields: z.array(catalogFieldSchema).min(1),
});
export type CatalogKind = z.infer<typeof catalogKindSchema>;

export const catalogCategorySchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name_zh: z.string().min(1),
  name_en: z.string().default(''),
  /** Position in reports and the UI (documented, fixed order). */
  order: z.number().int(),
  /** Alternative names in the seeds (e.g. 商标信息 / 商标和专利信息). */
  aliases: z.array(z.string()).default([]),
  /** Which seed lists carry this category (zhengzhou / pingdingshan). */
  sources: z.array(z.string()).default([]),
  note: z.string().optional(),
});
export type CatalogCategory = z.infer<typeof catalogCategorySchema>;

export const catalogDocumentSchema = z.object({
  label: z.string().min(1),
  /** What this document is and where it comes from. */
  description: z.string().optional(),
  /** The source lists named in `sources` of categories and kinds: code → title. */
  source_documents: z
    .array(z.object({ code: z.string(), title: z.string(), note: z.string().optional() }))
    .default([]),
  categories: z.array(catalogCategorySchema).min(1),
  kinds: z.array(catalogKindSchema).min(1),
});
export type CatalogDocument = z.infer<typeof catalogDocumentSchema>;

/** A stored version: the document plus its version number. */
export interface Catalog extends CatalogDocument {
  version: number;
}
