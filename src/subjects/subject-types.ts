/**
 * Kinds of 信用主体 this platform serves, derived from the first two characters of the USCC
 * (GB 32100-2015: 登记管理部门码 + 机构类别码) when no registration record says otherwise.
 */
export const subjectTypes = [
  'enterprise', // 91 企业
  'individual_business', // 92 个体工商户
  'farmer_cooperative', // 93 农民专业合作社
  'rural_collective', // N1/N2/N3 组级/村级/乡镇级农村集体经济组织
  'other', // 机关、事业单位、社会组织等 (other registration authorities)
] as const;
export type SubjectType = (typeof subjectTypes)[number];

export const subjectTypeLabels: Record<SubjectType, { zh: string; en: string }> = {
  enterprise: { zh: '企业', en: 'Enterprise' },
  individual_business: { zh: '个体工商户', en: 'Individual business' },
  farmer_cooperative: { zh: '农民专业合作社', en: "Farmers' cooperative" },
  rural_collective: { zh: '农村集体经济组织', en: 'Rural collective economic organisation' },
  other: { zh: '其他组织', en: 'Other organisation' },
};

export function subjectTypeFromUscc(uscc: string): SubjectType {
  const head = uscc.slice(0, 2);
  if (head === '91') return 'enterprise';
  if (head === '92') return 'individual_business';
  if (head === '93') return 'farmer_cooperative';
  if (head === 'N1' || head === 'N2' || head === 'N3') return 'rural_collective';
  return 'other';
}

const typeWords: [RegExp, SubjectType][] = [
  [/个体/, 'individual_business'],
  [/合作社/, 'farmer_cooperative'],
  [/集体经济/, 'rural_collective'],
  [/公司|企业|合伙|独资|分支机构/, 'enterprise'],
];

/**
 * The subject type of a registration record. The USCC's 登记管理部门码 + 机构类别码 are authoritative
 * (91/92/93/N1–N3); only for other codes does the declared type help (our code, or a Chinese 类型
 * such as 有限责任公司 or 个体工商户).
 */
export function resolveSubjectType(declared: string | null | undefined, uscc: string): SubjectType {
  const fromCode = subjectTypeFromUscc(uscc);
  if (fromCode !== 'other') return fromCode;
  const d = declared?.trim();
  if (d) {
    if ((subjectTypes as readonly string[]).includes(d)) return d as SubjectType;
    for (const [re, type] of typeWords) if (re.test(d)) return type;
  }
  return 'other';
}
