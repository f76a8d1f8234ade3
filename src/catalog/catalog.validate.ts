import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { normalizeHeader } from './catalog.lookup.ts';
import { catalogDocumentSchema, type CatalogDocument, type CatalogKind } from './catalog.schema.ts';

/** One problem in an imported catalog: where (a path like `kinds[3].fields[2].type`) and what. */
export interface CatalogProblem {
  path: string;
  message_zh: string;
  message_en: string;
}

export type CatalogFormat = 'json' | 'yaml';

function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(document)';
}

/** zod issues in Chinese and English (zod's own text is English only). */
function describeIssue(issue: z.core.$ZodIssue): { zh: string; en: string } {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? { zh: '缺少必填项', en: 'required property is missing' }
        : { zh: `类型不正确，应为 ${issue.expected}`, en: `expected ${issue.expected}` };
    case 'too_small':
      return {
        zh: `不能为空（至少 ${String(issue.minimum)}）`,
        en: `too small (minimum ${String(issue.minimum)})`,
      };
    case 'invalid_value':
      return {
        zh: `取值不允许，可选：${issue.values.map(String).join(' / ')}`,
        en: `must be one of ${issue.values.map(String).join(' / ')}`,
      };
    case 'invalid_format':
      return issue.format === 'regex'
        ? {
            zh: '格式不正确：代码须以小写字母开头，只含小写字母、数字和下划线',
            en: 'bad format: codes start with a lower-case letter and contain only a-z, 0-9 and _',
          }
        : { zh: `格式不正确（${issue.format}）`, en: `bad format (${issue.format})` };
    default:
      return { zh: `不正确：${issue.message}`, en: issue.message };
  }
}

function invalid(problems: CatalogProblem[]): AppError {
  const first = problems[0] ?? { path: '(document)', message_zh: '', message_en: '' };
  const n = problems.length;
  return new AppError(
    'catalog_invalid',
    {
      path: first.path,
      problem_zh: first.message_zh,
      problem_en: first.message_en,
      more_zh: n > 1 ? `（共 ${n} 处问题，见 errors）` : '',
      more_en: n > 1 ? ` (${n} problems in all, see errors)` : '',
    },
    { errors: problems },
  );
}

/** Parses JSON or YAML text (or takes an already parsed object) into a plain value. */
function parseText(input: string | object, format: CatalogFormat): unknown {
  if (typeof input !== 'string') return input;
  const text = input.replace(/^\ufeff/, '');
  if (text.trim() === '') {
    throw invalid([{ path: '(document)', message_zh: '内容为空', message_en: 'the document is empty' }]);
  }
  try {
    return format === 'yaml' ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (e) {
    const where =
      e instanceof YAMLParseError && e.linePos?.[0]
        ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}`
        : '(document)';
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw invalid([
      {
        path: where,
        message_zh: `无法解析 ${format.toUpperCase()}：${msg}`,
        message_en: `cannot parse ${format.toUpperCase()}: ${msg}`,
      },
    ]);
  }
}

/**
 * Validates an imported catalog: the zod contract first, then referential integrity (codes unique,
 * kinds name real categories, keys and special fields name real fields of the right type, enum
 * fields carry values, no header spelling names two fields of one kind). Throws `catalog_invalid`
 * listing every problem (`details.errors`); returns the normalised document (defaults applied).
 */
export function parseCatalogDocument(input: string | object, format: CatalogFormat): CatalogDocument {
  const raw = parseText(input, format);
  const parsed = catalogDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => {
        const d = describeIssue(issue);
        return { path: pathString(issue.path), message_zh: d.zh, message_en: d.en };
      }),
    );
  }
  const problems = checkIntegrity(parsed.data);
  if (problems.length) throw invalid(problems);
  return parsed.data;
}

function duplicates<T>(items: T[], key: (t: T) => string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    seen.set(k, [...(seen.get(k) ?? []), i]);
  });
  return new Map([...seen].filter(([, idx]) => idx.length > 1));
}

export function checkIntegrity(doc: CatalogDocument): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const add = (path: string, zh: string, en: string) =>
    problems.push({ path, message_zh: zh, message_en: en });

  for (const [code, idx] of duplicates(doc.categories, (c) => c.code)) {
    add(`categories[${idx[1]}].code`, `信息种类代码“${code}”重复`, `duplicate category code "${code}"`);
  }
  for (const [code, idx] of duplicates(doc.kinds, (k) => k.code)) {
    add(`kinds[${idx[1]}].code`, `信息项代码“${code}”重复`, `duplicate kind code "${code}"`);
  }
  const categoryCodes = new Set(doc.categories.map((c) => c.code));
  doc.kinds.forEach((kind, ki) => {
    const at = `kinds[${ki}]`;
    if (!categoryCodes.has(kind.category)) {
      add(`${at}.category`, `信息种类“${kind.category}”不存在`, `category "${kind.category}" does not exist`);
    }
    checkKind(kind, at, add);
  });
  return problems;
}

type Add = (path: string, zh: string, en: string) => void;

function checkKind(kind: CatalogKind, at: string, add: Add): void {
  const fields = new Map(kind.fields.map((f) => [f.code, f]));
  for (const [code, idx] of duplicates(kind.fields, (f) => f.code)) {
    add(`${at}.fields[${idx[1]}].code`, `字段代码“${code}”重复`, `duplicate field code "${code}"`);
  }

  // A field referenced by a kind property: exists, and optionally is required and of allowed types.
  const ref = (path: string, code: string, opts: { types?: string[]; required?: boolean }) => {
    const f = fields.get(code);
    if (!f) {
      add(
        path,
        `字段“${code}”不存在于信息项“${kind.code}”`,
        `field "${code}" does not exist in kind "${kind.code}"`,
      );
      return;
    }
    if (opts.types && !opts.types.includes(f.type)) {
      add(
        path,
        `字段“${code}”类型为 ${f.type}，此处须为 ${opts.types.join(' / ')}`,
        `field "${code}" has type ${f.type}; ${opts.types.join(' / ')} is required here`,
      );
    }
    if (opts.required && !f.required) {
      add(
        path,
        `字段“${code}”须为必填（required: true）`,
        `field "${code}" must be required (required: true)`,
      );
    }
  };

  kind.natural_key.forEach((code, i) => ref(`${at}.natural_key[${i}]`, code, { required: true }));
  for (const [code, idx] of duplicates(kind.natural_key, (c) => c)) {
    add(`${at}.natural_key[${idx[1]}]`, `自然键字段“${code}”重复`, `natural key field "${code}" repeated`);
  }
  ref(`${at}.subject_field`, kind.subject_field, { types: ['uscc', 'uscc_or_id'], required: true });
  if (kind.subject_name_field) ref(`${at}.subject_name_field`, kind.subject_name_field, {});
  if (kind.date_field) ref(`${at}.date_field`, kind.date_field, { types: ['date', 'datetime'] });
  if (kind.publicity) {
    ref(`${at}.publicity.from_field`, kind.publicity.from_field, { types: ['date', 'datetime'] });
    if (kind.publicity.until_field) {
      ref(`${at}.publicity.until_field`, kind.publicity.until_field, { types: ['date', 'datetime'] });
    }
    if (!kind.publicity.until_field && kind.publicity.max_months === undefined) {
      add(
        `${at}.publicity`,
        '公示规则须给出 until_field 或 max_months',
        'a publicity rule needs until_field or max_months',
      );
    }
  }
  for (const [id, idx] of duplicates(kind.providers, (p) => p.id)) {
    add(`${at}.providers[${idx[1]}].id`, `责任单位“${id}”重复`, `provider "${id}" repeated`);
  }

  // Header spellings: one spelling must not name two fields, or ingestion could not tell them apart.
  const owner = new Map<string, string>();
  kind.fields.forEach((f, fi) => {
    const fat = `${at}.fields[${fi}]`;
    for (const s of new Set([f.code, f.label_zh, ...f.aliases].map(normalizeHeader))) {
      if (!s) continue;
      const other = owner.get(s);
      if (other && other !== f.code) {
        add(
          `${fat}.aliases`,
          `表头“${s}”同时指向字段“${other}”和“${f.code}”`,
          `header "${s}" would name both "${other}" and "${f.code}"`,
        );
      } else owner.set(s, f.code);
    }
    if (f.type === 'enum') {
      if (!f.enum?.length) {
        add(`${fat}.enum`, `枚举字段“${f.code}”须列出取值`, `enum field "${f.code}" needs enum values`);
      } else {
        const spelled = new Map<string, string>();
        f.enum.forEach((v, vi) => {
          for (const s of new Set([v.value, v.label_zh, ...v.aliases].map(normalizeHeader))) {
            const prev = spelled.get(s);
            if (prev !== undefined && prev !== v.value) {
              add(
                `${fat}.enum[${vi}]`,
                `取值写法“${s}”同时指向“${prev}”和“${v.value}”`,
                `spelling "${s}" would mean both "${prev}" and "${v.value}"`,
              );
            } else spelled.set(s, v.value);
          }
        });
      }
    } else if (f.enum) {
      add(
        `${fat}.enum`,
        `只有 enum 类型的字段可以列出取值（当前为 ${f.type}）`,
        `only enum fields may list values (this one is ${f.type})`,
      );
    }
    if (f.pattern !== undefined) {
      try {
        new RegExp(f.pattern);
      } catch {
        add(`${fat}.pattern`, `正则表达式无效：${f.pattern}`, `invalid regular expression: ${f.pattern}`);
      }
    }
  });
}
