import type { Catalog } from '../catalog/catalog.schema.ts';
import type { Bilingual } from './report.types.ts';

/**
 * The fixed order of report sections (docs/decisions/0090-report-sections.md). Sections group the
 * catalog's kinds the way the issue and the 公共信用信息报告标准 read: registration first, then the
 * lists, judicial, tax, social insurance and housing fund, utilities, environment, customs, IP, real
 * estate, administrative actions, R&D, agricultural entities, public resource trading, commitments and
 * the evaluation. A kind is placed by its code when a section names it, otherwise by its category; a
 * catalog category no section names gets a section of its own after the mapped ones (the catalog is
 * data: a new category never disappears from reports).
 */

export interface SectionDef {
  code: string;
  title: Bilingual;
  /** Kinds claimed explicitly (they win over category membership). */
  kinds?: string[];
  categories?: string[];
  /** Special reports: keep only records whose field contains the text (e.g. 案号 with 刑). */
  recordFilter?: { field: string; contains: string; note: Bilingual };
  /** Not made of catalog kinds (commitments, evaluation). */
  synthetic?: 'commitments' | 'evaluation';
}

export const fullReportSections: SectionDef[] = [
  {
    code: 'registration',
    title: { zh: '登记注册信息', en: 'Registration' },
    kinds: [
      'business_licence',
      'registration_change',
      'industry_classification',
      'shareholders',
      'branches',
      'equity_pledge',
      'annual_report',
      'spot_checks',
    ],
    categories: ['market_registration'],
  },
  {
    code: 'listings',
    title: {
      zh: '经营异常名录和严重违法失信名单',
      en: 'Abnormal operation and serious illegality lists',
    },
    kinds: ['abnormal_operation', 'serious_illegal_list'],
  },
  { code: 'judicial', title: { zh: '司法信息', en: 'Judicial information' }, categories: ['judicial'] },
  { code: 'tax', title: { zh: '纳税信息', en: 'Tax' }, categories: ['tax'] },
  {
    code: 'social_security',
    title: { zh: '社会保险和住房公积金信息', en: 'Social insurance and housing fund' },
    categories: ['social_insurance', 'housing_fund'],
  },
  {
    code: 'utilities',
    title: { zh: '水电气费缴纳信息', en: 'Water, electricity and gas' },
    categories: ['utilities'],
  },
  { code: 'environment', title: { zh: '生态环境信息', en: 'Environment' }, categories: ['ecology'] },
  { code: 'customs', title: { zh: '进出口（海关）信息', en: 'Customs' }, categories: ['import_export'] },
  {
    code: 'intellectual_property',
    title: { zh: '知识产权和软件著作权信息', en: 'Intellectual property and software copyright' },
    categories: ['trademark_patent', 'software_copyright'],
  },
  {
    code: 'real_estate',
    title: { zh: '不动产信息（登记、查封、抵押）', en: 'Real estate (registration, seizures, mortgages)' },
    categories: ['real_estate'],
  },
  {
    code: 'administrative',
    title: {
      zh: '行政管理信息（许可、处罚、强制、奖励、检查、确认、裁决）',
      en: 'Administrative actions (licences, penalties, enforcement, rewards, inspections, confirmations, rulings)',
    },
    categories: ['administration'],
  },
  {
    code: 'science_tech',
    title: { zh: '科技研发信息', en: 'Science and R&D' },
    categories: ['science_tech'],
  },
  {
    code: 'new_agri',
    title: { zh: '新型农业经营主体信息', en: 'New agricultural business entities' },
    categories: ['new_agri'],
  },
  {
    code: 'public_resource',
    title: { zh: '公共资源交易信息', en: 'Public resource trading' },
    categories: ['public_resource'],
  },
  {
    code: 'commitments',
    title: { zh: '信用承诺和自愿填报信息', en: 'Credit commitments and voluntary declarations' },
    categories: ['commitment', 'commitments', 'declarations'],
    synthetic: 'commitments',
  },
  {
    code: 'evaluation',
    title: { zh: '信用评价', en: 'Credit evaluation' },
    synthetic: 'evaluation',
  },
];

/**
 * 专项信用报告 (发改财金〔2025〕565号): at least 行政处罚 (including simple-procedure penalties), 行政强制,
 * 严重失信主体名单 and 刑事裁判; the issue adds court enforcement and dishonest debtors.
 */
export const specialReportSections: SectionDef[] = [
  {
    code: 'admin_penalty',
    title: { zh: '行政处罚信息（含简易程序处罚）', en: 'Administrative penalties (incl. simple procedure)' },
    kinds: ['admin_penalty'],
  },
  {
    code: 'admin_coercion',
    title: { zh: '行政强制信息', en: 'Administrative enforcement' },
    kinds: ['admin_coercion'],
  },
  {
    code: 'serious_dishonesty',
    title: { zh: '严重失信主体名单信息', en: 'Serious dishonesty lists' },
    kinds: ['serious_illegal_list'],
  },
  {
    code: 'court_enforcement',
    title: {
      zh: '法院强制执行和失信被执行人信息',
      en: 'Court enforcement and dishonest judgment debtors',
    },
    kinds: ['enforcement', 'dishonest_debtor', 'case_terminated'],
  },
  {
    code: 'criminal',
    title: { zh: '刑事裁判信息', en: 'Criminal judgments' },
    kinds: ['court_judgment'],
    // 案号 carry the case-type code (最高人民法院《关于人民法院案件案号的若干规定》): 刑初、刑终、刑再…
    recordFilter: {
      field: 'case_no',
      contains: '刑',
      note: { zh: '仅列案号含“刑”字的刑事案件', en: 'criminal cases only (case numbers with 刑)' },
    },
  },
];

export interface ResolvedSection {
  def: SectionDef;
  /** Kind codes in catalog order within the section. */
  kinds: string[];
}

/** Places every kind of the catalog in a section (full, self, public reports). */
export function resolveSections(
  catalog: Catalog,
  defs: SectionDef[] = fullReportSections,
): ResolvedSection[] {
  const byKind = new Map<string, string>();
  const byCategory = new Map<string, string>();
  for (const d of defs) {
    for (const k of d.kinds ?? []) if (!byKind.has(k)) byKind.set(k, d.code);
    for (const c of d.categories ?? []) if (!byCategory.has(c)) byCategory.set(c, d.code);
  }
  const categories = [...catalog.categories].sort((a, b) => a.order - b.order);
  const catOrder = new Map(categories.map((c, i) => [c.code, i]));
  const kinds = [...catalog.kinds].sort(
    (a, b) => (catOrder.get(a.category) ?? 1e9) - (catOrder.get(b.category) ?? 1e9),
  );
  const members = new Map<string, string[]>(defs.map((d) => [d.code, []]));
  const extra: SectionDef[] = [];
  for (const k of kinds) {
    let section = byKind.get(k.code) ?? byCategory.get(k.category);
    if (!section) {
      // A category no section names: a section of its own, in catalog order, before commitments.
      section = `category_${k.category}`;
      if (!members.has(section)) {
        const cat = categories.find((c) => c.code === k.category);
        extra.push({
          code: section,
          title: { zh: cat?.name_zh ?? k.category, en: cat?.name_en ?? k.category },
          categories: [k.category],
        });
        members.set(section, []);
      }
    }
    members.get(section)!.push(k.code);
  }
  const firstSynthetic = defs.findIndex((d) => d.synthetic);
  const ordered =
    firstSynthetic < 0
      ? [...defs, ...extra]
      : [...defs.slice(0, firstSynthetic), ...extra, ...defs.slice(firstSynthetic)];
  return ordered.map((def) => ({ def, kinds: members.get(def.code) ?? [] }));
}

/** The special report's sections: only the kinds the catalog has. */
export function resolveSpecialSections(catalog: Catalog): ResolvedSection[] {
  const known = new Set(catalog.kinds.map((k) => k.code));
  return specialReportSections.map((def) => ({ def, kinds: (def.kinds ?? []).filter((k) => known.has(k)) }));
}
