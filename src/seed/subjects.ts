import type { SubjectType } from '../subjects/subject-types.ts';
import { makeIdNumber, makeUscc, orgCode } from './identity.ts';
import { profilesFor, type IndustryProfile } from './industries.ts';
import {
  cities,
  coopThemes,
  districts,
  femaleGiven,
  maleGiven,
  roads,
  surnames,
  tradeChars,
  villageChars,
  villageSuffixes,
  type DistrictInfo,
} from './pools.ts';
import { createRng, hashString, type Rng } from './prng.ts';

/**
 * One generated subject, a pure function of (seed, index): the registry fields, its legal
 * representative (with a valid 身份证 number) and the traits record generators share (size, tax
 * grade tendency, utilities) so that a subject's records agree with each other.
 */

/** Every generated date is on or before this day: the data does not depend on when it is generated. */
export const asOf = '2026-10-31';
const asOfYear = 2026;

export interface Person {
  name: string;
  surname: string;
  idNumber: string;
  male: boolean;
  birthDate: string;
}

export interface DemoSubject {
  index: number;
  uscc: string;
  name: string;
  type: SubjectType;
  /** USCC positions 1–2 */
  head: '91' | '92' | '93' | 'N2';
  district: DistrictInfo;
  cityName: string;
  industry: IndustryProfile;
  establishedOn: string;
  /** 万元 */
  capital: number;
  status: string;
  enterpriseType: string;
  authority: string;
  address: string;
  legalRep: Person;
  /** 0 micro … 3 medium: employees, revenue, taxes scale with it. */
  size: number;
  employees: number;
  /** 0 (reliable) … 1 (troubled): negative records and poor grades concentrate on high values. */
  risk: number;
  tradeName: string;
}

const heads: readonly (readonly [DemoSubject['head'], number])[] = [
  ['91', 66],
  ['92', 28],
  ['93', 5],
  ['N2', 1],
];

const typeOfHead: Record<DemoSubject['head'], SubjectType> = {
  '91': 'enterprise',
  '92': 'individual_business',
  '93': 'farmer_cooperative',
  N2: 'rural_collective',
};

const subjectStream = hashString('subject');

// Choice tables built once (demoSubject runs a million times in a large seed).
const districtChoices = districts.map((d) => [d, d.weight] as const);
const ruralDistrictChoices = districts.filter((d) => d.rural).map((d) => [d, d.weight] as const);
const idRegionChoices = districts.map((d) => [d.code, d.weight] as const);
const industryChoices: Record<SubjectType, ReturnType<typeof profilesFor>> = {
  enterprise: profilesFor('enterprise'),
  individual_business: profilesFor('individual_business'),
  farmer_cooperative: profilesFor('farmer_cooperative'),
  rural_collective: profilesFor('rural_collective'),
  other: profilesFor('enterprise'),
};

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function randomDate(rng: Rng, fromYear: number, toYear: number): string {
  const y = rng.int(fromYear, toYear);
  const maxMonth = y === asOfYear ? 10 : 12;
  const m = rng.int(1, maxMonth);
  const d = rng.int(1, m === 2 ? 28 : [4, 6, 9, 11].includes(m) ? 30 : 31);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

export function personName(rng: Rng, male: boolean): string {
  return rng.weighted(surnames) + rng.pick(male ? maleGiven : femaleGiven);
}

export function makePerson(rng: Rng, homeRegion: string, bornFrom: number, bornTo: number): Person {
  const male = rng.chance(0.68);
  const surname = rng.weighted(surnames);
  const name = surname + rng.pick(male ? maleGiven : femaleGiven);
  const birthDate = randomDate(rng, bornFrom, bornTo);
  // Most people hold an ID from where they live; others moved in from elsewhere in Henan.
  const region = rng.chance(0.7) ? homeRegion : rng.weighted(idRegionChoices);
  return {
    name,
    surname,
    idNumber: makeIdNumber(region, birthDate, rng.int(0, 999), male),
    male,
    birthDate,
  };
}

function tradeName(rng: Rng): string {
  const a = rng.pick(tradeChars);
  let b = rng.pick(tradeChars);
  while (b === a) b = rng.pick(tradeChars);
  return a + b;
}

function establishedYear(rng: Rng, type: SubjectType): number {
  // Registrations grew steadily after the 2014 reform of commercial registration.
  const from = type === 'enterprise' ? 1995 : type === 'rural_collective' ? 2018 : 2007;
  const span = asOfYear - from;
  return asOfYear - Math.floor(span * Math.pow(rng.next(), 1.6));
}

export function demoSubject(seedKey: number, index: number): DemoSubject {
  const rng = createRng(seedKey, subjectStream, index);
  const head = rng.weighted(heads);
  const type = typeOfHead[head];
  const ruralOnly = type === 'farmer_cooperative' || type === 'rural_collective';
  const district = rng.weighted(ruralOnly ? ruralDistrictChoices : districtChoices);
  const city = cities[district.city];
  const industry = rng.weighted(industryChoices[type]);
  const year = establishedYear(rng, type);
  const establishedOn = randomDate(rng, year, year);
  const newStyle = establishedOn >= '2015-10-01' || type !== 'enterprise';
  const uscc = makeUscc(head, district.code, orgCode(index, seedKey, newStyle));
  const size =
    type === 'enterprise'
      ? rng.weighted([
          [0, 55],
          [1, 30],
          [2, 12],
          [3, 3],
        ] as const)
      : 0;
  const legalRep = makePerson(rng, district.code, Math.max(1950, year - 62), Math.min(2004, year - 22));
  const trade = tradeName(rng);
  const countyPrefix = district.rural ? district.name : `${city.name}${district.name}`;

  let name: string;
  let enterpriseType: string;
  let capital: number;
  switch (type) {
    case 'enterprise': {
      const word = rng.pick(industry.words);
      const shares = size >= 2 && rng.chance(0.15);
      const suffix = shares ? '股份有限公司' : '有限公司';
      name = rng.weighted([
        [`${city.short}${trade}${word}${suffix}`, 40],
        [`${countyPrefix}${trade}${word}${suffix}`, 25],
        [`河南${trade}${word}${suffix}`, 25],
        [`河南省${trade}${word}${suffix}`, 10],
      ] as const);
      enterpriseType = shares
        ? '股份有限公司(非上市、自然人投资或控股)'
        : rng.weighted([
            ['有限责任公司(自然人投资或控股)', 75],
            ['有限责任公司(自然人独资)', 20],
            ['有限责任公司(非自然人投资或控股的法人独资)', 5],
          ] as const);
      capital = [50, 100, 200, 300, 500, 1000, 2000, 5000, 10000][
        Math.min(8, Math.floor(rng.next() * 4) + size * 2)
      ]!;
      break;
    }
    case 'individual_business': {
      const shop = rng.pick(industry.shops ?? industry.words);
      const surname = legalRep.surname;
      name = rng.weighted([
        [`${countyPrefix}${surname}记${shop}`, 45],
        [`${district.name}${trade}${shop}`, 35],
        [`${countyPrefix}${legalRep.name}${shop}`, 20],
      ] as const);
      enterpriseType = '个体工商户';
      capital = rng.pick([1, 2, 3, 5, 5, 10, 10, 20, 30, 50]);
      break;
    }
    case 'farmer_cooperative': {
      const theme = rng.pick(coopThemes);
      const word = rng.pick(industry.words);
      name = `${district.name}${theme}${word}${rng.chance(0.7) ? '专业合作社' : '农民专业合作社'}`;
      enterpriseType = '农民专业合作社';
      capital = rng.pick([10, 30, 50, 100, 100, 200, 300, 500]);
      break;
    }
    default: {
      const township = `${rng.pick(villageChars)}${rng.pick(villageSuffixes)}${rng.chance(0.6) ? '镇' : '乡'}`;
      const village = `${rng.pick(villageChars)}${rng.pick(villageSuffixes)}村`;
      name = `${district.name}${township}${village}股份经济合作社`;
      enterpriseType = '农村集体经济组织';
      capital = rng.pick([50, 100, 200, 500, 1000]);
    }
  }

  const status = rng.weighted([
    ['存续', 92],
    ['吊销', 3],
    ['注销', 4],
    ['迁出', 1],
  ] as const);
  const roadList = district.rural ? roads.county : roads[district.city];
  const address = `河南省${city.name}${district.name}${rng.pick(roadList)}${rng.int(1, 300)}号${
    rng.chance(0.4) ? `${rng.int(1, 30)}层${rng.int(1, 30)}${pad2(rng.int(1, 20))}室` : ''
  }`;
  const authority =
    type === 'rural_collective' ? `${district.name}农业农村局` : `${countyPrefix}市场监督管理局`;
  const employees =
    type === 'enterprise'
      ? [rng.int(2, 9), rng.int(10, 49), rng.int(50, 199), rng.int(200, 800)][size]!
      : rng.int(1, type === 'individual_business' ? 5 : 30);
  return {
    index,
    uscc,
    name,
    type,
    head,
    district,
    cityName: city.name,
    industry,
    establishedOn,
    capital,
    status,
    enterpriseType,
    authority,
    address,
    legalRep,
    size,
    employees,
    risk: Math.pow(rng.next(), 3),
    tradeName: trade,
  };
}

/** Subjects 0 … n−1, generated one at a time (memory stays flat for a million). */
export function* demoSubjects(seedKey: number, n: number, from = 0): Generator<DemoSubject> {
  for (let i = from; i < n; i++) yield demoSubject(seedKey, i);
}
