import type { CatalogField, CatalogKind } from '../catalog/catalog.schema.ts';
import { findIndustry } from '../subjects/dictionaries.ts';
import { makeIdNumber, makeUscc, orgCode } from './identity.ts';
import { cities } from './pools.ts';
import { createRng, hashString, type Rng } from './prng.ts';
import { asOf, demoSubject, makePerson, personName, randomDate, type DemoSubject } from './subjects.ts';

/**
 * Records of every push kind for a generated subject. Each kind has a spec: how many records a
 * subject has (rates per subject type, tilted by the subject's risk for negative kinds) and the
 * values of record j. Fields a spec does not set, and every field of a kind without a spec (a kind
 * added to the catalog later), are filled from the field's catalog type, so the generator follows
 * the catalog. Rates (share of subjects with at least one record) are documented in
 * docs/decisions/0022-demo-data.md.
 */

type Row = Record<string, unknown>;

interface KindSpec {
  count(s: DemoSubject, rng: Rng, t: Traits): number;
  /** Record j of n. */
  row(s: DemoSubject, rng: Rng, j: number, t: Traits, n: number): Row;
}

/** Traits several kinds share (a subject that pays water bills has a water account in every bill). */
export interface Traits {
  seedKey: number;
  has(name: string, p: number): boolean;
  rng(name: string): Rng;
}

export function traitsOf(seedKey: number, s: DemoSubject): Traits {
  return {
    seedKey,
    has: (name, p) => createRng(seedKey, hashString(`trait:${name}`), s.index).next() < p,
    rng: (name) => createRng(seedKey, hashString(`trait:${name}`), s.index, 1),
  };
}

// ---- dates -------------------------------------------------------------------------------------

const dayMs = 86_400_000;
const asOfDay = Date.parse(`${asOf}T00:00:00Z`) / dayMs;

function dayOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / dayMs;
}

function dateOf(day: number): string {
  return new Date(Math.round(day) * dayMs).toISOString().slice(0, 10);
}

/** A day between max(`notBefore`, 1 January of `fromYear`) and `notAfter` (default: asOf). */
function dateBetween(rng: Rng, notBefore: string, fromYear: number, notAfter = asOf): string {
  const from = Math.max(dayOf(notBefore), dayOf(`${fromYear}-01-01`));
  const to = Math.min(dayOf(notAfter), asOfDay);
  if (from >= to) return dateOf(Math.min(from, asOfDay));
  return dateOf(from + Math.floor(rng.next() * (to - from + 1)));
}

function addDays(date: string, days: number): string {
  return dateOf(dayOf(date) + days);
}

function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${y}-${md}`;
}

function year(date: string): number {
  return Number(date.slice(0, 4));
}

// ---- shared values -----------------------------------------------------------------------------

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;

function countyPrefix(s: DemoSubject): string {
  return s.district.rural ? s.district.name : `${s.cityName}${s.district.name}`;
}

function districtCourt(s: DemoSubject): { code: string; name: string } {
  return { code: `豫${s.district.code.slice(2)}`, name: `${countyPrefix(s)}人民法院` };
}

function city(s: DemoSubject) {
  return cities[s.district.city];
}

/** A government body with a valid USCC (11 = 机构编制 / 机关). */
function authority(s: DemoSubject, dept: string, level: 'district' | 'city'): { name: string; uscc: string } {
  const region = level === 'city' ? city(s).code : s.district.code;
  const name = level === 'city' ? `${s.cityName}${dept}` : `${countyPrefix(s)}${dept}`;
  const key = hashString(name) % 1_000_000;
  return { name, uscc: makeUscc('11', region, orgCode(key, 0x5eed, false)) };
}

/** Another organisation (counterparty, pledgee, shareholder) with a valid USCC. */
function otherCompany(s: DemoSubject, rng: Rng, words: readonly string[]): { name: string; uscc: string } {
  const trade = `${rng.pick(['中', '华', '豫', '嵩', '鹰', '汇', '宏', '恒', '正', '德'])}${rng.pick(['信', '诚', '泰', '达', '源', '通', '安', '丰', '盛', '远'])}`;
  const name = `河南${trade}${rng.pick(words)}有限公司`;
  const index = 400_000_000 + (hashString(name) % 100_000_000);
  return { name, uscc: makeUscc('91', s.district.code, orgCode(index, 0x0c0ffee, true)) };
}

const marketDept = '市场监督管理局';

function personFields(s: DemoSubject): Row {
  return {
    legal_rep_name: s.legalRep.name,
    legal_rep_id_type: '居民身份证',
    legal_rep_id_number: s.legalRep.idNumber,
  };
}

/** Scales a base rate by the subject's risk (mean factor 1, so the overall rate stays `p`). */
function risky(s: DemoSubject, p: number): number {
  return Math.min(1, p * (0.3 + 2.8 * s.risk));
}

function byType(s: DemoSubject, rates: Partial<Record<DemoSubject['type'], number>>): number {
  return rates[s.type] ?? 0;
}

function revenue(s: DemoSubject, rng: Rng): number {
  // 万元 a year
  if (s.type !== 'enterprise') return round2(rng.around(30, 25, 3, 200));
  const ranges = [
    [10, 300],
    [300, 3000],
    [3000, 20000],
    [20000, 80000],
  ] as const;
  const [lo, hi] = ranges[s.size]!;
  return round2(lo + (hi - lo) * Math.pow(rng.next(), 1.5));
}

function yearsSince(s: DemoSubject, years: readonly number[]): number[] {
  return years.filter((y) => y > year(s.establishedOn));
}

// ---- the specs ---------------------------------------------------------------------------------

const changeItems = [
  '经营范围变更',
  '住所变更',
  '法定代表人变更',
  '注册资本变更',
  '投资人(股权)变更',
] as const;

const penaltyCases: readonly {
  dept: string;
  short: string;
  level: 'district' | 'city';
  facts: string;
  basis: string;
  food?: boolean;
  industrial?: boolean;
}[] = [
  {
    dept: marketDept,
    short: '市监罚',
    level: 'district',
    food: true,
    facts: '销售超过保质期的食品',
    basis: '《中华人民共和国食品安全法》第一百二十四条',
  },
  {
    dept: marketDept,
    short: '市监罚',
    level: 'district',
    food: true,
    facts: '未取得食品经营许可从事食品经营活动',
    basis: '《中华人民共和国食品安全法》第一百二十二条',
  },
  {
    dept: marketDept,
    short: '市监罚',
    level: 'district',
    facts: '发布虚假广告',
    basis: '《中华人民共和国广告法》第五十五条',
  },
  {
    dept: marketDept,
    short: '市监罚',
    level: 'district',
    facts: '经营者未明码标价',
    basis: '《明码标价和禁止价格欺诈规定》第二十一条',
  },
  {
    dept: '生态环境局',
    short: '环罚',
    level: 'city',
    industrial: true,
    facts: '超过大气污染物排放标准排放大气污染物',
    basis: '《中华人民共和国大气污染防治法》第九十九条',
  },
  {
    dept: '生态环境局',
    short: '环罚',
    level: 'city',
    industrial: true,
    facts: '未按规定设置危险废物识别标志',
    basis: '《中华人民共和国固体废物污染环境防治法》第一百一十二条',
  },
  {
    dept: '应急管理局',
    short: '应急罚',
    level: 'district',
    industrial: true,
    facts: '未按规定对从业人员进行安全生产教育和培训',
    basis: '《中华人民共和国安全生产法》第九十七条',
  },
  {
    dept: '消防救援大队',
    short: '消行罚决字',
    level: 'district',
    facts: '消防设施、器材未保持完好有效',
    basis: '《中华人民共和国消防法》第六十条',
  },
  {
    dept: '税务局',
    short: '税罚',
    level: 'district',
    facts: '未按照规定期限办理纳税申报和报送纳税资料',
    basis: '《中华人民共和国税收征收管理法》第六十二条',
  },
];

const specs: Record<string, KindSpec> = {
  business_licence: {
    count: () => 1,
    row: (s, rng) => ({
      name: s.name,
      uscc: s.uscc,
      legal_rep_name: s.legalRep.name,
      established_on: s.establishedOn,
      address: s.address,
      registration_status: s.status,
      registration_authority: s.authority,
      business_scope: s.industry.scope,
      enterprise_type: s.enterpriseType,
      registered_capital: s.capital,
      capital_currency: '人民币',
      operating_from: s.establishedOn,
      operating_to: s.type === 'enterprise' && rng.chance(0.3) ? addYears(s.establishedOn, 20) : '长期',
      industry_code: s.industry.code,
      region_code: s.district.code,
    }),
  },

  registration_change: {
    count: (s, rng) =>
      rng.chance(byType(s, { enterprise: 0.15, individual_business: 0.05, farmer_cooperative: 0.08 }))
        ? rng.int(1, 2)
        : 0,
    row: (s, rng, j) => {
      const item = changeItems[(hashString(s.uscc) + j) % changeItems.length]!;
      const changedOn = dateBetween(rng, addDays(s.establishedOn, 30), 2016);
      const [before, after] =
        item === '住所变更'
          ? [`${s.address.replace(/\d+号.*$/, '')}${rng.int(1, 300)}号`, s.address]
          : item === '法定代表人变更'
            ? [personName(rng, rng.chance(0.6)), s.legalRep.name]
            : item === '注册资本变更'
              ? [`${Math.max(1, Math.round(s.capital / 2))}万元人民币`, `${s.capital}万元人民币`]
              : item === '经营范围变更'
                ? [s.industry.scope.split('；')[0]!, s.industry.scope]
                : [`${personName(rng, true)}`, `${s.legalRep.name}`];
      return { change_item: item, content_before: before, content_after: after, changed_on: changedOn };
    },
  },

  industry_classification: {
    count: (s, rng) => (rng.chance(byType(s, { enterprise: 0.3, farmer_cooperative: 0.3 })) ? 1 : 0),
    row: (s) => ({
      industry_code: s.industry.code,
      industry_name: findIndustry(s.industry.code)?.name ?? '',
    }),
  },

  shareholders: {
    count: (s, rng) => {
      if (s.type === 'farmer_cooperative') return rng.chance(0.2) ? rng.int(3, 5) : 0;
      if (s.type !== 'enterprise' || !rng.chance(0.8)) return 0;
      return s.enterpriseType.includes('独资') ? 1 : rng.int(2, s.size >= 2 ? 5 : 3);
    },
    row: (s, rng, j, _t, n) => {
      const ratio = j === 0 ? (n === 1 ? 100 : 51) : round2(49 / Math.max(1, n - 1));
      const corporate = j > 0 && rng.chance(0.1);
      const name =
        j === 0
          ? s.legalRep.name
          : corporate
            ? otherCompany(s, rng, ['投资', '实业']).name
            : `${personName(rng, rng.chance(0.6))}`;
      return {
        shareholder_name: name,
        shareholder_type: corporate ? '企业法人' : '自然人股东',
        contribution_ratio: ratio,
        contribution_amount: round2((s.capital * ratio) / 100),
        contribution_method: rng.weighted([
          ['货币', 90],
          ['实物', 5],
          ['知识产权', 5],
        ] as const),
        subscribed_amount: round2((s.capital * ratio) / 100),
      };
    },
  },

  branches: {
    count: (s, rng) => (s.type === 'enterprise' && s.size >= 1 && rng.chance(0.05) ? rng.int(1, 2) : 0),
    row: (s, rng, j, t) => {
      const where = j === 0 ? (s.district.city === 'zhengzhou' ? '平顶山' : '郑州') : '洛阳';
      const region = where === '平顶山' ? '410402' : where === '郑州' ? '410105' : '410302';
      return {
        branch_name: `${s.name}${where}分公司`,
        branch_uscc: makeUscc('91', region, orgCode(200_000_000 + s.index * 3 + j, t.seedKey, true)),
        branch_principal: personName(rng, rng.chance(0.7)),
        branch_established_on: dateBetween(rng, addDays(s.establishedOn, 90), 2010),
        branch_address: `河南省${where}市${rng.pick(['建设路', '人民路', '中州大道'])}${rng.int(1, 200)}号`,
        branch_status: '存续',
        branch_authority: `${where}市${where === '郑州' ? '金水区' : ''}${marketDept}`,
      };
    },
  },

  equity_pledge: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(0.015) ? 1 : 0),
    row: (s, rng, j) => {
      const on = dateBetween(rng, s.establishedOn, 2019);
      const pledgee = otherCompany(s, rng, ['融资担保', '小额贷款', '投资']);
      return {
        registration_no: `${s.district.code}${on.slice(0, 4)}${pad(rng.int(1, 9999), 4)}${j}`,
        pledgor: s.legalRep.name,
        pledgor_id_number: s.legalRep.idNumber,
        pledged_amount: round2(s.capital * rng.around(0.4, 0.3, 0.05, 1)),
        pledgee: pledgee.name,
        pledgee_id_number: pledgee.uscc,
        pledge_registered_on: on,
        published_on: addDays(on, rng.int(1, 7)),
        status: rng.chance(0.8) ? '有效' : '无效',
      };
    },
  },

  annual_report: {
    count: (s, rng) => {
      const p = byType(s, { enterprise: 0.85, farmer_cooperative: 0.6, individual_business: 0.4 });
      return rng.chance(p) ? yearsSince(s, [2024, 2025]).length : 0;
    },
    row: (s, rng, j) => {
      const years = yearsSince(s, [2024, 2025]);
      const rev = revenue(s, rng);
      const assets = round2(rev * rng.around(1.1, 0.5, 0.3, 3));
      const liabilities = round2(assets * rng.around(0.55, 0.3, 0.05, 1.2));
      const profit = round2(rev * rng.around(0.04, 0.08, -0.2, 0.25));
      return {
        report_year: years[j],
        total_assets: assets,
        owners_equity: round2(assets - liabilities),
        total_revenue: rev,
        total_profit: profit,
        net_profit: round2(profit > 0 ? profit * 0.75 : profit),
        total_tax: round2(rev * rng.around(0.035, 0.02, 0, 0.1)),
        total_liabilities: liabilities,
        has_external_guarantee: rng.chance(0.05),
        employee_count: s.employees,
      };
    },
  },

  abnormal_operation: {
    count: (s, rng) => (s.type !== 'rural_collective' && rng.chance(risky(s, 0.03)) ? 1 : 0),
    row: (s, rng) => {
      const listed = dateBetween(rng, addDays(s.establishedOn, 180), 2021);
      const removed = rng.chance(0.3) ? dateBetween(rng, addDays(listed, 30), 2021) : undefined;
      return {
        is_listed: !removed,
        listing_reason_type: rng.weighted([
          ['未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告', 62],
          ['通过登记的住所或者经营场所无法联系', 33],
          ['公示企业信息隐瞒真实情况、弄虚作假', 5],
        ] as const),
        listed_on: listed,
        listing_authority: s.authority,
        ...(removed ? { removed_on: removed } : {}),
      };
    },
  },

  serious_illegal_list: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(risky(s, 0.003)) ? 1 : 0),
    row: (s, rng) => {
      const listed = dateBetween(rng, addYears(s.establishedOn, 3), 2019);
      const removed = rng.chance(0.1) ? dateBetween(rng, addYears(listed, 1), 2020) : undefined;
      return {
        listing_reason: '被列入经营异常名录届满3年仍未履行相关义务',
        listed_on: listed,
        listing_authority: s.authority,
        ...(removed
          ? {
              removal_reason: '已履行相关义务并申请信用修复',
              removed_on: removed,
              removal_authority: s.authority,
            }
          : {}),
      };
    },
  },

  spot_checks: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(0.1) ? 1 : 0),
    row: (s, rng) => ({ failed_checks_3y: rng.chance(risky(s, 0.15)) ? rng.int(1, 2) : 0 }),
  },

  court_judgment: {
    count: (s, rng) =>
      rng.chance(risky(s, byType(s, { enterprise: 0.03, individual_business: 0.005 }))) ? rng.int(1, 2) : 0,
    row: (s, rng, j) => {
      const published = dateBetween(rng, addDays(s.establishedOn, 200), 2020);
      const cause = rng.pick([
        '买卖合同纠纷',
        '借款合同纠纷',
        '劳动争议',
        '建设工程施工合同纠纷',
        '房屋租赁合同纠纷',
        '服务合同纠纷',
      ]);
      const other = rng.chance(0.6) ? otherCompany(s, rng, ['商贸', '建设', '科技', '实业']) : undefined;
      const person = other ? undefined : makePerson(rng, s.district.code, 1960, 1998);
      const otherName = other?.name ?? person!.name;
      const otherId = other?.uscc ?? person!.idNumber;
      const plaintiff = rng.chance(0.4);
      const court = districtCourt(s);
      return {
        cause,
        case_no: `（${year(published) - (rng.chance(0.3) ? 1 : 0)}）${court.code}民初${rng.int(100, 29999) * 2 + j}号`,
        plaintiff_name: plaintiff ? s.name : otherName,
        plaintiff_id: plaintiff ? s.uscc : otherId,
        defendant_name: plaintiff ? otherName : s.name,
        defendant_id: plaintiff ? otherId : s.uscc,
        judgment_result: rng.pick([
          `被告于本判决生效之日起十日内支付原告货款${rng.int(2, 200)}万元及逾期付款利息`,
          '驳回原告的诉讼请求',
          `被告于本判决生效之日起十日内返还原告借款本金${rng.int(5, 500)}万元`,
          '准许原告撤回起诉',
        ]),
        court: court.name,
        location: `河南省${s.cityName}`,
        published_on: published,
      };
    },
  },

  enforcement: {
    count: (s, rng) =>
      rng.chance(risky(s, byType(s, { enterprise: 0.015, individual_business: 0.005 }))) ? 1 : 0,
    row: (s, rng) => {
      const on = dateBetween(rng, addYears(s.establishedOn, 1), 2021);
      return {
        case_no: `（${year(on)}）${districtCourt(s).code}执${rng.int(100, 19999)}号`,
        debtor_name: s.name,
        debtor_id: s.uscc,
        court: districtCourt(s).name,
        enforced_on: on,
        amount: rng.int(1, 500) * 10000 + rng.int(0, 9999),
      };
    },
  },

  case_terminated: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(risky(s, 0.005)) ? 1 : 0),
    row: (s, rng) => {
      const filed = dateBetween(rng, addYears(s.establishedOn, 1), 2020, '2026-06-30');
      return {
        case_no: `（${year(filed)}）${districtCourt(s).code}执${rng.int(20000, 29999)}号`,
        debtor_name: s.name,
        debtor_id: s.uscc,
        court: districtCourt(s).name,
        filed_on: filed,
        terminated_on: dateBetween(rng, addDays(filed, 60), 2020),
      };
    },
  },

  dishonest_debtor: {
    count: (s, rng) =>
      rng.chance(
        risky(s, byType(s, { enterprise: 0.012, individual_business: 0.008, farmer_cooperative: 0.003 })),
      )
        ? 1
        : 0,
    row: (s, rng) => {
      const filed = dateBetween(rng, addYears(s.establishedOn, 1), 2019, '2026-06-30');
      return {
        case_no: `（${year(filed)}）${districtCourt(s).code}执${rng.int(30000, 39999)}号`,
        name: s.name,
        legal_rep_name: s.legalRep.name,
        debtor_id: s.uscc,
        performance: rng.chance(0.8) ? '全部未履行' : '部分未履行',
        behaviour: rng.pick([
          '有履行能力而拒不履行生效法律文书确定义务',
          '违反财产报告制度',
          '违反限制消费令',
          '以伪造证据、暴力、威胁等方法妨碍、抗拒执行',
        ]),
        court: districtCourt(s).name,
        location: '河南',
        filed_on: filed,
        published_on: dateBetween(rng, addDays(filed, 30), 2019),
      };
    },
  },

  bankruptcy: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(risky(s, 0.001)) ? 1 : 0),
    row: (s, rng) => {
      const accepted = dateBetween(rng, addYears(s.establishedOn, 2), 2020);
      const closed = rng.chance(0.3) ? dateBetween(rng, addDays(accepted, 180), 2020) : undefined;
      return {
        case_no: `（${year(accepted)}）${city(s).court}破${rng.int(1, 200)}号`,
        bankruptcy_type: rng.weighted([
          ['liquidation', 80],
          ['reorganization', 15],
          ['composition', 5],
        ] as const),
        accepted_on: accepted,
        accepting_court: city(s).courtName,
        administrator: `河南${rng.pick(['中正', '明德', '嵩山', '鹰城', '大河'])}律师事务所`,
        ...(closed ? { closure_method: '终结破产程序', closed_on: closed } : {}),
      };
    },
  },

  tax_credit_rating: {
    count: (s, rng) =>
      rng.chance(byType(s, { enterprise: 0.75, farmer_cooperative: 0.3 }))
        ? yearsSince(s, [2023, 2024, 2025]).length
        : 0,
    row: (s, rng, j) => {
      const years = yearsSince(s, [2023, 2024, 2025]);
      const y = years[j]!;
      // 新设立 taxpayers are rated M in their first full year (国家税务总局公告2018年第8号).
      const level =
        y === year(s.establishedOn) + 1 && rng.chance(0.6)
          ? 'M'
          : rng.weighted([
              ['A', 30 * (1 - s.risk)],
              ['B', 45],
              ['M', 15],
              ['C', 5 + 20 * s.risk],
              ['D', 2 + 15 * s.risk],
            ] as const);
      return { rating_year: y, tax_credit_level: level };
    },
  },

  abnormal_taxpayer: {
    count: (s, rng) =>
      rng.chance(risky(s, byType(s, { enterprise: 0.01, individual_business: 0.005 }))) ? 1 : 0,
    row: (s, rng) => {
      const on = dateBetween(rng, addDays(s.establishedOn, 120), 2020);
      const lifted = rng.chance(0.25) ? dateBetween(rng, addDays(on, 30), 2020) : undefined;
      return { is_abnormal: !lifted, recognised_on: on, ...(lifted ? { lifted_on: lifted } : {}) };
    },
  },

  housing_fund_deposit: {
    count: (s, _rng, t) => (hasHousingFund(s, t) ? 3 : 0),
    row: (s, rng, j, t) => {
      const tr = t.rng('housing_fund');
      const depositors = Math.max(1, Math.round(s.employees * tr.around(0.8, 0.2, 0.3, 1)));
      const rate = tr.pick([5, 8, 10, 12]);
      const base = tr.int(3000, 8000);
      const arrears = tr.next() < risky(s, 0.04) && j === 2;
      const period = `2026-${pad(8 + j, 2)}`;
      return {
        unit_account_no: `${s.district.code.slice(0, 4)}${pad(s.index % 100_000_000, 8)}`,
        account_status: '正常',
        account_opened_on: dateBetween(tr, s.establishedOn, 2000),
        deposit_period: period,
        depositor_count: depositors,
        unit_rate: rate,
        personal_rate: rate,
        deposit_amount: arrears ? 0 : round2((depositors * base * rate * 2) / 100 + rng.int(0, 99)),
        paid_up_to: arrears ? '2026-09' : period,
        in_arrears: arrears,
        ...(arrears
          ? { arrears_amount: round2((depositors * base * rate * 2) / 100), arrears_months: 1 }
          : {}),
      };
    },
  },

  housing_fund_statistics: {
    count: (s, _rng, t) => (hasHousingFund(s, t) ? 1 : 0),
    row: (s, rng, _j, t) => {
      const tr = t.rng('housing_fund');
      const depositors = Math.max(1, Math.round(s.employees * tr.around(0.8, 0.2, 0.3, 1)));
      const rate = tr.pick([5, 8, 10, 12]);
      const base = tr.int(3000, 8000);
      return {
        avg_depositors_12m: depositors,
        deposit_total_12m: round2((12 * depositors * base * rate * 2) / 100),
        normal_payment_months: rng.chance(0.9) ? 12 : rng.int(3, 11),
        last_normal_payment_on: '2026-10-15',
      };
    },
  },

  environmental_credit: {
    count: (s, rng) => {
      const industrial = ['B', 'C'].includes(s.industry.section);
      return s.type === 'enterprise' && rng.chance(industrial ? 0.6 : s.industry.section === 'E' ? 0.1 : 0)
        ? rng.int(1, 2)
        : 0;
    },
    row: (s, rng, j) => {
      const level = rng.weighted([
        ['green', 15 * (1 - s.risk)],
        ['blue', 65],
        ['yellow', 10 + 10 * s.risk],
        ['red', 2 + 8 * s.risk],
        ['black', 0.5 + 2 * s.risk],
      ] as const);
      const score = { green: [95, 100], blue: [80, 94], yellow: [60, 79], red: [40, 59], black: [10, 39] }[
        level
      ];
      return {
        env_credit_score: rng.int(score[0]!, score[1]!),
        env_credit_level: level,
        evaluated_on: `${2025 - j}-${pad(rng.int(3, 9), 2)}-${pad(rng.int(1, 28), 2)}`,
      };
    },
  },

  customs_registration: {
    count: (s, _rng, t) => (isTrader(s, t) ? 1 : 0),
    row: (s, _rng, _j, t) => ({
      customs_code: customsCode(s, t),
      business_category: '进出口货物收发货人',
      customs_deregistered: false,
    }),
  },

  customs_credit: {
    count: (s, rng, t) => (isTrader(s, t) && rng.chance(0.85) ? 1 : 0),
    row: (s, rng, _j, t) => ({
      customs_code: customsCode(s, t),
      customs_credit_level: rng.weighted([
        ['general', 75],
        ['certified', 10],
        ['advanced_certified', 4],
        ['dishonest', 1 + 6 * s.risk],
        ['other', 5],
      ] as const),
      level_effective_on: dateBetween(rng, s.establishedOn, 2022),
    }),
  },

  trademark: {
    count: (s, rng) =>
      rng.chance(
        byType(s, { enterprise: 0.08 + 0.05 * s.size, individual_business: 0.02, farmer_cooperative: 0.06 }),
      )
        ? rng.int(1, 3)
        : 0,
    row: (s, rng, j) => {
      const applied = dateBetween(rng, s.establishedOn, 2012, '2025-10-31');
      const from = addDays(applied, rng.int(240, 420));
      const nice =
        {
          A: '第31类',
          B: '第4类',
          C: '第7类',
          E: '第37类',
          F: '第35类',
          G: '第39类',
          H: '第43类',
          I: '第42类',
          K: '第36类',
          L: '第35类',
          O: '第44类',
        }[s.industry.section] ?? '第35类';
      return {
        trademark_name:
          j === 0 ? s.tradeName : `${s.tradeName}${rng.pick(['优选', '之家', '佳品', '云', '智造'])}`,
        application_no: String(40_000_000 + (hashString(s.uscc) % 30_000_000) + j * 7),
        applicant: s.name,
        applied_on: applied,
        nice_class: nice,
        exclusive_from: from,
        exclusive_to: addDays(addYears(from, 10), -1),
      };
    },
  },

  software_copyright: {
    count: (s, rng) =>
      s.type === 'enterprise' && s.industry.section === 'I' && rng.chance(0.55) ? rng.int(1, 4) : 0,
    row: (s, rng, j) => {
      const published = dateBetween(rng, s.establishedOn, 2015, '2026-06-30');
      const registered = dateBetween(rng, addDays(published, 30), 2015);
      return {
        copyright_owner: s.name,
        software_name: `${s.tradeName}${rng.pick(['智慧园区管理平台', '企业资源计划系统', '移动办公软件', '数据采集分析系统', '物联网监控平台', '在线教育平台', '电子商务平台', '供应链管理系统'])}`,
        first_published_on: published,
        version_no: `V${rng.int(1, 3)}.${rng.int(0, 9)}`,
        software_category: '应用软件',
        industry_category: '信息技术',
        registration_no: `${year(registered)}SR${pad((hashString(s.uscc) % 1_500_000) + j * 11, 7)}`,
        registered_on: registered,
      };
    },
  },

  admin_licence: {
    count: (s, rng) =>
      rng.chance(byType(s, { enterprise: 0.3, individual_business: 0.45, farmer_cooperative: 0.1 }))
        ? rng.int(1, 2)
        : 0,
    row: (s, rng, j) => {
      const decided = dateBetween(rng, s.establishedOn, 2021);
      const food = ['H', 'F'].includes(s.industry.section);
      const [cert, content, dept] = food
        ? ['食品经营许可证', '预包装食品销售、热食类食品制售', marketDept]
        : s.industry.section === 'E'
          ? ['建筑业企业资质证书', '建筑工程施工总承包三级', '住房和城乡建设局']
          : s.industry.code === '5431'
            ? ['道路运输经营许可证', '道路普通货物运输', '交通运输局']
            : s.industry.section === 'B'
              ? ['安全生产许可证', '煤炭开采', '应急管理局']
              : s.industry.section === 'I'
                ? ['增值电信业务经营许可证', '信息服务业务（仅限互联网信息服务）', '通信管理局']
                : ['排污许可证', '排污许可', '生态环境局'];
      const auth = authority(s, dept, dept === marketDept ? 'district' : 'city');
      return {
        counterpart_type: s.type === 'individual_business' ? 'individual_business' : 'legal_person',
        ...personFields(s),
        licence_doc_name: `${cert}准予许可决定书`,
        licence_doc_no: `${s.district.short}许决〔${year(decided)}〕${rng.int(1, 9999) * 2 + j}号`,
        licence_category: rng.weighted([
          ['general', 75],
          ['recognition', 10],
          ['approval', 10],
          ['registration', 5],
        ] as const),
        licence_cert_name: cert,
        licence_no: food
          ? `JY${rng.chance(0.5) ? 1 : 2}${s.district.code}${pad(rng.int(0, 9_999_999), 7)}`
          : `${s.district.short}${year(decided)}${pad(rng.int(1, 99999), 5)}`,
        licence_content: content,
        decided_on: decided,
        valid_until: addDays(addYears(decided, 5), -1),
        licence_status: addYears(decided, 5) > asOf ? '有效' : '失效',
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_penalty: {
    count: (s, rng) =>
      rng.chance(
        risky(s, byType(s, { enterprise: 0.1, individual_business: 0.08, farmer_cooperative: 0.03 })),
      )
        ? rng.weighted([
            [1, 85],
            [2, 15],
          ] as const)
        : 0,
    row: (s, rng, j) => {
      const food = ['H', 'F'].includes(s.industry.section);
      const industrial = ['B', 'C', 'E'].includes(s.industry.section);
      const cases = penaltyCases.filter((c) => (!c.food || food) && (!c.industrial || industrial));
      const c = rng.pick(cases);
      const auth = authority(s, c.dept, c.level);
      const decided = dateBetween(rng, addDays(s.establishedOn, 60), 2023);
      const fineYuan = rng.weighted([
        [500, 20],
        [2000, 30],
        [5000, 25],
        [10000, 12],
        [30000, 8],
        [100000, 4],
        [300000, 1],
      ] as const);
      const fine = round2(fineYuan / 10000); // 万元
      const prefix = c.level === 'city' ? city(s).short.slice(0, 1) : s.district.short;
      return {
        counterpart_type: s.type === 'individual_business' ? 'individual_business' : 'legal_person',
        ...personFields(s),
        penalty_doc_name: '行政处罚决定书',
        penalty_decision_no: `${prefix}${c.short}〔${year(decided)}〕${rng.int(1, 4999) * 2 + j}号`,
        violation_type: c.facts,
        violation_facts: `经查，当事人${s.name}存在${c.facts}的行为。`,
        penalty_basis: c.basis,
        penalty_content: `罚款人民币${fineYuan}元`,
        fine_amount: fine,
        confiscated_amount: 0,
        decided_on: decided,
        // Publicity: minimum 3 months, maximum 3 years (国家发展改革委令第58号); small fines 1 year here.
        publicity_until: addYears(decided, fineYuan >= 10000 ? 3 : 1),
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_coercion: {
    count: (s, rng) => (s.type !== 'rural_collective' && rng.chance(risky(s, 0.005)) ? 1 : 0),
    row: (s, rng) => {
      const on = dateBetween(rng, addDays(s.establishedOn, 90), 2022);
      const auth = authority(s, marketDept, 'district');
      return {
        ...personFields(s),
        coercion_doc_name: '实施行政强制措施决定书',
        coercion_doc_no: `${s.district.short}市监强〔${year(on)}〕${rng.int(1, 999)}号`,
        coercion_reason: '涉嫌生产、销售不符合安全标准的产品',
        coercion_basis: '《中华人民共和国行政强制法》第九条',
        coercion_method: rng.pick(['查封场所、设施或者财物', '扣押财物']),
        executed_on: on,
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_reward: {
    count: (s, rng) =>
      rng.chance(byType(s, { enterprise: 0.02 + 0.02 * s.size * (1 - s.risk), farmer_cooperative: 0.03 }))
        ? 1
        : 0,
    row: (s, rng) => {
      const on = dateBetween(rng, addYears(s.establishedOn, 1), 2021);
      const [reward, dept] =
        s.type === 'farmer_cooperative'
          ? [`${year(on)}年度${s.cityName}农民专业合作社示范社`, '农业农村局']
          : rng.pick([
              [`${year(on)}年度守合同重信用企业`, marketDept],
              [`${year(on)}年度科技创新先进企业`, '科学技术局'],
              [`${year(on)}年度安全生产先进单位`, '应急管理局'],
            ] as const);
      const auth = authority(s, dept, 'city');
      return {
        ...personFields(s),
        reward_name: reward,
        reward_matter: `授予${s.name}“${reward}”称号`,
        awarded_on: on,
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_inspection: {
    count: (s, rng) =>
      rng.chance(byType(s, { enterprise: 0.15, individual_business: 0.1 })) ? rng.int(1, 2) : 0,
    row: (s, rng, j) => {
      const auth = authority(s, marketDept, 'district');
      const y = 2026 - j;
      const problem = rng.chance(risky(s, 0.15));
      return {
        ...personFields(s),
        inspection_form: rng.pick(['“双随机、一公开”抽查', '专项检查', '日常监督检查']),
        inspection_content: ['H', 'F'].includes(s.industry.section)
          ? '食品安全经营情况检查'
          : '登记事项、公示信息检查',
        inspection_result: problem ? '发现问题，已责令限期整改' : '未发现问题',
        inspected_on: dateBetween(rng, s.establishedOn, y, y === 2026 ? asOf : `${y}-12-31`),
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_confirmation: {
    count: (s, rng) => (s.type === 'enterprise' && rng.chance(0.03) ? 1 : 0),
    row: (s, rng) => {
      const [item, dept] = rng.pick([
        ['特种设备使用登记', marketDept],
        ['小型微型企业认定', '工业和信息化局'],
        ['高新技术企业认定', '科学技术局'],
      ] as const);
      const auth = authority(s, dept, 'city');
      return {
        ...personFields(s),
        confirmation_item: item,
        confirmation_content: `对${s.name}的${item}予以确认`,
        confirmed_on: dateBetween(rng, s.establishedOn, 2021),
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  admin_adjudication: {
    count: (s, rng) => (s.type !== 'individual_business' && rng.chance(0.002) ? 1 : 0),
    row: (s, rng) => {
      const auth = authority(s, '人民政府', 'district');
      return {
        ...personFields(s),
        adjudication_content: '维持原土地使用权登记',
        adjudication_cause: rng.pick(['土地使用权权属争议', '林木林地权属争议', '水事纠纷']),
        legal_basis: '《中华人民共和国土地管理法》第十四条',
        authority_name: auth.name,
        authority_uscc: auth.uscc,
        data_provider: auth.name,
      };
    },
  },

  water_fee: {
    count: (s, _rng, t) =>
      t.has('water', byType(s, { enterprise: 0.3, individual_business: 0.15, farmer_cooperative: 0.1 }))
        ? 3
        : 0,
    row: (s, rng, j, t) => utilityBill(s, rng, j, t, 'water'),
  },

  gas_fee: {
    count: (s, _rng, t) => {
      const p = s.industry.section === 'H' ? 0.6 : byType(s, { enterprise: 0.1, individual_business: 0.05 });
      return t.has('gas', p) ? 3 : 0;
    },
    row: (s, rng, j, t) => utilityBill(s, rng, j, t, 'gas'),
  },

  science_tech: {
    count: (s, _rng, t) => (isHiTech(s, t) ? 1 : 0),
    row: (s, rng) => {
      const national = rng.chance(0.5);
      const certified = dateBetween(rng, addYears(s.establishedOn, 1), 2020);
      return {
        is_national_hitech: national,
        ...(national
          ? {
              hitech_certificate_no: `GR${year(certified)}41${pad(rng.int(0, 9999), 6)}`,
              hitech_certified_on: certified,
            }
          : {}),
        lab_construction: rng.pick([
          '建有企业研发中心',
          '建有市级工程技术研究中心',
          '建有省级工程技术研究中心',
        ]),
        government_funding: `获${year(certified)}年度${s.cityName}科技计划项目资助${rng.int(10, 200)}万元`,
        standards_participation: rng.chance(0.3) ? `参与制定团体标准${rng.int(1, 3)}项` : '无',
        talent_certification: `拥有中高级职称技术人员${rng.int(2, 30)}名`,
      };
    },
  },

  new_agri_entity: {
    count: (s, rng) =>
      rng.chance(
        s.type === 'farmer_cooperative'
          ? 0.9
          : s.type === 'rural_collective'
            ? 0.5
            : s.industry.section === 'A'
              ? 0.4
              : 0,
      )
        ? 1
        : 0,
    row: (s, rng) => {
      const land = rng.chance(0.7);
      return {
        entity_category:
          s.type === 'farmer_cooperative'
            ? 'cooperative'
            : s.type === 'enterprise'
              ? 'leading_enterprise'
              : 'other',
        principal: s.legalRep.name,
        location: `${s.cityName}${s.district.name}`,
        region_code: s.district.code,
        business_content: s.industry.scope,
        ...(land
          ? {
              land_rights_certificate_no: `豫（${rng.int(2019, 2025)}）${s.district.name}农村土地经营权第${pad(rng.int(1, 99999), 7)}号`,
              land_rights_area: rng.int(50, 3000),
              land_rights_term_to: `${rng.int(2030, 2045)}-12-31`,
            }
          : {}),
      };
    },
  },

  public_resource_trading: {
    count: (s, rng) =>
      s.type === 'enterprise' && rng.chance(s.industry.section === 'E' ? 0.35 : 0.03) ? rng.int(1, 2) : 0,
    row: (s, rng, j) => {
      const construction = s.industry.section === 'E';
      const y = 2026 - j;
      const announced = dateBetween(rng, s.establishedOn, y, y === 2026 ? asOf : `${y}-12-31`);
      return {
        trade_type: construction
          ? rng.chance(0.6)
            ? 'construction_award'
            : 'construction_tender'
          : 'procurement_award',
        role: rng.chance(0.7) ? '中标人' : '投标人',
        project_name: `${s.district.name}${rng.pick(construction ? ['人民医院门诊楼建设项目', '第三初级中学教学楼改造工程', '市政道路提升改造工程', '老旧小区改造项目'] : ['办公设备采购项目', '智慧城市信息化建设项目', '绿化养护服务采购项目', '物业管理服务采购项目'])}`,
        project_code: `${s.district.code}-${year(announced)}-${pad(rng.int(1, 4999) * 2 + j, 4)}`,
        amount: construction ? rng.int(100, 5000) * 10000 : rng.int(5, 200) * 10000,
        announced_on: announced,
        trading_centre: `${s.cityName}公共资源交易中心`,
      };
    },
  },
};

function hasHousingFund(s: DemoSubject, t: Traits): boolean {
  return t.has('housing_fund', s.type === 'enterprise' ? [0.2, 0.6, 0.8, 0.95][s.size]! : 0);
}

function isTrader(s: DemoSubject, t: Traits): boolean {
  return s.type === 'enterprise' && t.has('trader', ['C', 'F'].includes(s.industry.section) ? 0.12 : 0.02);
}

function isHiTech(s: DemoSubject, t: Traits): boolean {
  const p =
    s.type !== 'enterprise'
      ? 0
      : ['I', 'M'].includes(s.industry.section)
        ? 0.25
        : s.industry.section === 'C'
          ? 0.12
          : 0.01;
  return t.has('hitech', p);
}

function customsCode(s: DemoSubject, t: Traits): string {
  const r = t.rng('trader');
  return `${s.district.code.slice(0, 4)}${r.pick(['9', '6', '3'])}${pad(r.int(0, 99999), 5)}`;
}

function utilityBill(s: DemoSubject, rng: Rng, j: number, t: Traits, what: 'water' | 'gas'): Row {
  const tr = t.rng(what);
  const monthly = s.type === 'enterprise' ? tr.int(20, 300) * (s.size + 1) : tr.int(5, 60);
  const price = what === 'water' ? 4.1 : 3.5; // 元/立方米, non-residential, 2025
  const volume = Math.round(monthly * rng.around(1, 0.3, 0.3, 2));
  const billed = round2(volume * price);
  const arrears = j === 2 && tr.next() < risky(s, 0.03);
  const period = `2026-${pad(8 + j, 2)}`;
  return {
    account_registered_on: dateBetween(tr, s.establishedOn, 2000),
    service_address: s.address,
    bill_period: period,
    amount_billed: billed,
    amount_paid: arrears ? 0 : billed,
    ...(arrears ? {} : { paid_on: `${period}-${pad(rng.int(10, 28), 2)}` }),
    account_name: s.name,
    account_no: `${what === 'water' ? 'S' : 'Q'}${s.district.code.slice(2)}${pad(s.index % 10_000_000, 7)}`,
    [what === 'water' ? 'water_volume' : 'gas_volume']: volume,
    avg_volume_3m: monthly,
    avg_volume_6m: round2(monthly * tr.around(1, 0.1, 0.7, 1.3)),
    in_arrears: arrears,
  };
}

// ---- generic values from the catalog -----------------------------------------------------------

/** Values every kind shares by field code. */
function commonValue(code: string, s: DemoSubject): unknown {
  switch (code) {
    case 'name':
    case 'subject_name':
    case 'debtor_name':
      return s.name;
    case 'uscc':
    case 'debtor_id':
      return s.uscc;
    case 'legal_rep_name':
    case 'principal':
      return s.legalRep.name;
    case 'legal_rep_id_type':
      return '居民身份证';
    case 'legal_rep_id_number':
      return s.legalRep.idNumber;
    case 'region_code':
      return s.district.code;
    case 'industry_code':
      return s.industry.code;
    default:
      return undefined;
  }
}

const yearMonthPattern = /\\d\{4\}/;

function genericValue(field: CatalogField, s: DemoSubject, rng: Rng, j: number): unknown {
  const common = commonValue(field.code, s);
  if (common !== undefined) return common;
  switch (field.type) {
    case 'string': {
      if (field.pattern && yearMonthPattern.test(field.pattern)) return `2026-${pad(10 - (j % 9), 2)}`;
      const v = /(_no|_code|number)$/.test(field.code)
        ? `${s.district.short}${2026 - (j % 5)}${pad(rng.int(1, 99999) * 10 + (j % 10), 6)}`
        : `${field.label_zh}${j + 1}`;
      return field.max_length ? v.slice(0, field.max_length) : v;
    }
    case 'text':
      return `${s.name}的${field.label_zh}（演示数据）`;
    case 'integer':
      return rng.int(0, 50);
    case 'number':
      return round2(rng.next() * 1000);
    case 'boolean':
      return rng.chance(0.1);
    case 'date':
      return dateBetween(rng, s.establishedOn, 2023);
    case 'datetime':
      return `${dateBetween(rng, s.establishedOn, 2023)}T${pad(rng.int(8, 17), 2)}:${pad(rng.int(0, 59), 2)}:00+08:00`;
    case 'year':
      return Math.max(year(s.establishedOn), 2023 + (j % 3));
    case 'enum':
      return field.enum?.length ? rng.pick(field.enum).value : undefined;
    case 'uscc':
    case 'uscc_or_id':
      return s.uscc;
    case 'id_number':
      return s.legalRep.idNumber;
    case 'region':
      return s.district.code;
    case 'industry':
      return s.industry.code;
  }
  return undefined;
}

function fits(field: CatalogField, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (field.type === 'enum') return !!field.enum?.some((e) => e.value === v);
  if (typeof v === 'string' && field.max_length && [...v].length > field.max_length) return false;
  return true;
}

/** Default rate of kinds without a spec: 3% of subjects, one record each. */
const defaultSpec: KindSpec = {
  count: (_s, rng) => (rng.chance(0.03) ? 1 : 0),
  row: () => ({}),
};

export function hasSpec(kindCode: string): boolean {
  return kindCode in specs;
}

const showcase = new Map<string, number>();

/**
 * The one enterprise among the first ~60 subjects that has a record of `kindCode` whatever the
 * rates say, so that even a small demo (1,000 subjects) shows every kind, including rare ones such as
 * 破产信息 (0.1%). Each kind picks a different enterprise (by a hash of its code).
 */
export function showcaseIndex(seedKey: number, kindCode: string): number {
  const cacheKey = `${seedKey}:${kindCode}`;
  let index = showcase.get(cacheKey);
  if (index === undefined) {
    let rank = hashString(kindCode) % 24;
    index = 0;
    for (let i = 0; i < 1000; i++) {
      if (demoSubject(seedKey, i).type !== 'enterprise') continue;
      index = i;
      if (rank-- === 0) break;
    }
    showcase.set(cacheKey, index);
  }
  return index;
}

/**
 * The records of one kind for one subject, keyed by field code: the spec's values where they fit
 * the catalog field (enum value, length), the field's type otherwise; optional fields without a
 * specific value are left out now and then, as providers do.
 */
export function rowsOf(kind: CatalogKind, s: DemoSubject, seedKey: number): Row[] {
  const spec = specs[kind.code] ?? defaultSpec;
  const rng = createRng(seedKey, hashString(`kind:${kind.code}`), s.index);
  const traits = traitsOf(seedKey, s);
  let n = spec.count(s, rng, traits);
  if (n === 0 && s.index === showcaseIndex(seedKey, kind.code)) n = 1;
  const rows: Row[] = [];
  for (let j = 0; j < n; j++) {
    const specific = spec.row(s, rng, j, traits, n);
    const row: Row = {};
    for (const field of kind.fields) {
      const v = specific[field.code];
      if (fits(field, v)) row[field.code] = v;
      else if (field.code in specific && !field.required) continue;
      else if (
        field.required ||
        commonValue(field.code, s) !== undefined ||
        (!(kind.code in specs) && rng.chance(0.8))
      ) {
        const g = genericValue(field, s, rng, j);
        if (g !== undefined) row[field.code] = g;
      }
    }
    rows.push(row);
  }
  // Shareholder names must differ within a subject (they are the natural key).
  if (kind.code === 'shareholders') dedupeNames(rows, 'shareholder_name');
  return rows;
}

function dedupeNames(rows: Row[], field: string): void {
  const seen = new Set<string>();
  for (const r of rows) {
    let v = String(r[field] ?? '');
    for (let k = 2; seen.has(v); k++) v = `${String(r[field])}${k}`;
    seen.add(v);
    r[field] = v;
  }
}

/** A valid resident ID number of someone born between the given years (tests, other seeders). */
export function demoIdNumber(rng: Rng, region = '410105'): string {
  return makeIdNumber(region, randomDate(rng, 1960, 2000), rng.int(0, 999), rng.chance(0.5));
}
