import type { Actor } from '../access/actor.ts';
import { chinaDay } from '../access/china-time.ts';
import type { ReadRecord, ReadRecordsQuery, ReadRecordsResult } from '../access/read-path.types.ts';
import { classifySize, loadSizeStandard, sizeClassLabels, type SizeClass } from './sme-size.ts';

/**
 * Profiles (画像): tags derived from the subject's records, each with its evidence (record ids and the
 * field values that made the tag). The records come through the one read path as the viewer may see
 * them (openness, consent, repair, publicity, masking, access log), so a profile never shows more
 * than its viewer could read: a tag from 有条件共享 data (arrears) appears only under consent.
 * Decision: docs/decisions/0084-profiles.md.
 */

export type TagCategory = 'size' | 'innovation' | 'trade' | 'whitelist' | 'risk';

export interface Evidence {
  recordId: number;
  kind: string;
  /** The fields that made the tag, as the viewer sees them (masked where the read path masks). */
  fields: Record<string, unknown>;
  /** Marks on the record (e.g. 异议处理中). */
  marks: string[];
}

export interface ProfileTag {
  code: string;
  category: TagCategory;
  zh: string;
  en: string;
  evidence: Evidence[];
  /** Extra facts (size class: the standard's group and thresholds source). */
  detail?: Record<string, unknown>;
}

export interface SubjectProfile {
  uscc: string;
  name: string;
  asOf: string;
  basis: string;
  tags: ProfileTag[];
  /** Kinds the viewer may not see: tags that depend on them are not computed. */
  withheld: { kind: string; zh: string; en: string }[];
  sizeStandard: string;
}

/** Extra tag sources (e.g. the whitelist module): called with the subject and the viewer. */
export type TagSource = (uscc: string, actor: Actor) => Promise<ProfileTag[]>;

export interface ProfileServiceDeps {
  readRecords: (q: ReadRecordsQuery) => Promise<ReadRecordsResult>;
  /** Hook for tags from other modules (白名单 once it exists); none by default. */
  tagSources?: TagSource[];
  clock?: () => Date;
}

export const profileKinds = [
  'annual_report',
  'industry_classification',
  'science_tech',
  'admin_reward',
  'admin_confirmation',
  'admin_licence',
  'customs_registration',
  'customs_credit',
  'dishonest_debtor',
  'tax_arrears',
  'social_insurance_arrears',
  'medical_insurance_arrears',
  'housing_fund_deposit',
  'water_fee',
  'electricity_fee',
  'gas_fee',
  'abnormal_operation',
  'real_estate_seizure',
] as const;

const isTrue = (v: unknown) => v === true || ['true', '1', '是', 'Y', 'y', 'yes'].includes(String(v));
const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

function evidence(r: ReadRecord, fields: string[]): Evidence {
  return {
    recordId: r.recordId,
    kind: r.kindCode,
    fields: Object.fromEntries(fields.filter((f) => r.data[f] !== undefined).map((f) => [f, r.data[f]])),
    marks: r.marks.map((m) => m.code),
  };
}

/** The most recent record by a field (text order: years and ISO dates), then record id. */
function latest(records: ReadRecord[], field: string): ReadRecord | undefined {
  return records
    .slice()
    .sort(
      (a, b) =>
        String(b.data[field] ?? '').localeCompare(String(a.data[field] ?? '')) || b.recordId - a.recordId,
    )[0];
}

/** Tags from records (pure; exported for tests). */
export function deriveTags(records: ReadRecord[], industryCode: string | null, asOf: string): ProfileTag[] {
  const byKind = new Map<string, ReadRecord[]>();
  for (const r of records) {
    if (r.status !== 'active') continue;
    const list = byKind.get(r.kindCode) ?? [];
    list.push(r);
    byKind.set(r.kindCode, list);
  }
  const of = (k: string) => byKind.get(k) ?? [];
  const tags: ProfileTag[] = [];

  // Size class from the latest annual report (amounts in yuan per the catalog → 万元).
  const standard = loadSizeStandard();
  const report = latest(of('annual_report'), 'report_year');
  const industry =
    industryCode ??
    (latest(of('industry_classification'), 'industry_code')?.data.industry_code as string | undefined) ??
    null;
  if (report) {
    const scale = standard.annual_report_amount_unit === 'yuan' ? 1 / 10000 : 1;
    const revenue = num(report.data.total_revenue);
    const assets = num(report.data.total_assets);
    const size = classifySize(
      {
        industryCode: industry,
        employees: num(report.data.employee_count),
        revenue: revenue === null ? null : revenue * scale,
        assets: assets === null ? null : assets * scale,
      },
      standard,
    );
    if (size.sizeClass) {
      const c: SizeClass = size.sizeClass;
      tags.push({
        code: `size_${c}`,
        category: 'size',
        zh: sizeClassLabels[c].zh,
        en: sizeClassLabels[c].en,
        evidence: [evidence(report, ['report_year', 'employee_count', 'total_revenue', 'total_assets'])],
        detail: { group: size.group, industryCode: industry, source: standard.source },
      });
    }
  }

  const hitech = of('science_tech').filter((r) => isTrue(r.data.is_national_hitech));
  if (hitech.length) {
    tags.push({
      code: 'high_tech',
      category: 'innovation',
      zh: '国家级高新技术企业',
      en: 'National high-tech enterprise',
      evidence: hitech.map((r) =>
        evidence(r, ['is_national_hitech', 'hitech_certificate_no', 'hitech_certified_on']),
      ),
    });
  }

  // 专精特新 only where a record says so: an award, confirmation or licence naming it.
  const srdiFields: Record<string, string[]> = {
    admin_reward: ['reward_name', 'reward_matter', 'awarded_on'],
    admin_confirmation: ['confirmation_item', 'confirmation_content', 'confirmed_on'],
    admin_licence: ['licence_doc_name', 'licence_content', 'decided_on'],
    science_tech: ['government_funding', 'talent_certification', 'standards_participation'],
  };
  const srdi: Evidence[] = [];
  for (const [kind, fields] of Object.entries(srdiFields)) {
    for (const r of of(kind)) {
      if (fields.some((f) => /专精特新/.test(String(r.data[f] ?? '')))) srdi.push(evidence(r, fields));
    }
  }
  if (srdi.length) {
    const giant = srdi.some((e) => Object.values(e.fields).some((v) => /小巨人/.test(String(v))));
    tags.push({
      code: giant ? 'srdi_little_giant' : 'srdi',
      category: 'innovation',
      zh: giant ? '专精特新“小巨人”企业' : '专精特新企业',
      en: giant
        ? 'Specialised and innovative "little giant"'
        : 'Specialised, refined, distinctive and innovative (SRDI) enterprise',
      evidence: srdi,
    });
  }

  const customs = of('customs_registration').filter((r) => !isTrue(r.data.customs_deregistered));
  if (customs.length) {
    tags.push({
      code: 'exporter',
      category: 'trade',
      zh: '进出口企业（海关注册）',
      en: 'Importer/exporter (customs registration)',
      evidence: customs.map((r) => evidence(r, ['customs_code', 'business_category'])),
    });
  }

  // Risk tags.
  const dishonest = of('dishonest_debtor').filter(
    (r) => !/^(已履行|全部履行|全部已履行|已全部履行)$/.test(String(r.data.performance ?? '')),
  );
  if (dishonest.length) {
    tags.push({
      code: 'risk_dishonest_debtor',
      category: 'risk',
      zh: '失信被执行人',
      en: 'Dishonest judgment debtor',
      evidence: dishonest.map((r) => evidence(r, ['case_no', 'court', 'performance', 'published_on'])),
    });
  }
  const arrears: Evidence[] = [];
  const latestTax = latest(of('tax_arrears'), 'arrears_amount');
  if (latestTax && isTrue(latestTax.data.in_arrears)) {
    arrears.push(evidence(latestTax, ['in_arrears', 'arrears_amount', 'tax_types']));
  }
  for (const r of [...of('social_insurance_arrears'), ...of('medical_insurance_arrears')]) {
    if (isTrue(r.data.in_arrears) && !isTrue(r.data.is_repaid)) {
      arrears.push(evidence(r, ['in_arrears', 'arrears_total', 'arrears_to']));
    }
  }
  for (const kind of ['housing_fund_deposit', 'water_fee', 'electricity_fee', 'gas_fee']) {
    const last = latest(of(kind), kind === 'housing_fund_deposit' ? 'deposit_period' : 'bill_period');
    if (last && isTrue(last.data.in_arrears)) {
      arrears.push(evidence(last, ['in_arrears', 'bill_period', 'arrears_amount']));
    }
  }
  if (arrears.length) {
    tags.push({
      code: 'risk_arrears',
      category: 'risk',
      zh: '存在欠缴欠费',
      en: 'In arrears',
      evidence: arrears,
    });
  }
  const abnormal = of('abnormal_operation').filter(
    (r) =>
      r.data.is_listed !== false && !(typeof r.data.removed_on === 'string' && r.data.removed_on <= asOf),
  );
  if (abnormal.length) {
    tags.push({
      code: 'risk_abnormal_operation',
      category: 'risk',
      zh: '列入经营异常名录',
      en: 'Listed for abnormal operations',
      evidence: abnormal.map((r) => evidence(r, ['listing_reason_type', 'listed_on', 'listing_authority'])),
    });
  }
  const seized = of('real_estate_seizure').filter(
    (r) => !(typeof r.data.seized_to === 'string' && r.data.seized_to < asOf),
  );
  if (seized.length) {
    tags.push({
      code: 'risk_seized_assets',
      category: 'risk',
      zh: '资产被查封',
      en: 'Assets under seizure',
      evidence: seized.map((r) =>
        evidence(r, ['certificate_no', 'seizure_authority', 'seized_from', 'seized_to']),
      ),
    });
  }
  return tags;
}

export function createProfileService(deps: ProfileServiceDeps) {
  const clock = deps.clock ?? (() => new Date());
  return {
    async getProfile(
      actor: Actor,
      uscc: string,
      opts: { consentId?: string | undefined } = {},
    ): Promise<SubjectProfile> {
      const read = await deps.readRecords({
        actor,
        uscc,
        kinds: [...profileKinds],
        consentId: opts.consentId,
        internalPurpose: '信用画像 / profile',
      });
      const asOf = chinaDay(clock());
      const tags = deriveTags(read.records, read.subject.industryCode, asOf);
      for (const source of deps.tagSources ?? []) tags.push(...(await source(uscc, actor)));
      return {
        uscc: read.subject.uscc,
        name: read.subject.name,
        asOf,
        basis: read.basis,
        tags,
        withheld: read.withheld.map((w) => ({ kind: w.kind, zh: w.reason.zh, en: w.reason.en })),
        sizeStandard: loadSizeStandard().source,
      };
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
