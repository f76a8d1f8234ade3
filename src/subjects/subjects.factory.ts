import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { ensureSubjects, type SubjectTouch } from './subjects.service.ts';

/** Test factory: registered subjects with sensible defaults (a valid USCC in 金水区, 郑州). */
export interface SubjectOverrides {
  uscc?: string;
  name?: string;
  subject_type?: string;
  legal_rep_name?: string | null;
  established_on?: string | null;
  registration_status?: string | null;
  registered_capital?: string | number | null;
  address?: string | null;
  region_code?: string | null;
  industry_code?: string | null;
}

let counter = 0;

/** A valid USCC: 91 (enterprise) + region + a 9-character organisation code + check character. */
export function makeUscc(region = '410105', head = '91'): string {
  counter += 1;
  const first17 = `${head}${region}MA${String(counter).padStart(7, '0')}`;
  return first17 + usccCheckChar(first17);
}

export async function buildSubjects(db: Kysely<Database>, list: SubjectOverrides[]): Promise<string[]> {
  const touches: SubjectTouch[] = list.map((o) => {
    const uscc = o.uscc ?? makeUscc();
    const name = o.name ?? `测试主体${uscc.slice(-6)}有限公司`;
    return {
      uscc,
      name,
      registration: {
        name,
        ...(o.subject_type ? { subject_type: o.subject_type } : {}),
        legal_rep_name: o.legal_rep_name ?? '张三',
        established_on: o.established_on ?? '2020-01-15',
        registration_status: o.registration_status ?? '存续',
        registered_capital: o.registered_capital ?? 100,
        address: o.address ?? null,
        region_code: o.region_code ?? null,
        industry_code: o.industry_code ?? null,
      },
    };
  });
  await ensureSubjects(db, touches, 'test');
  return touches.map((t) => t.uscc);
}

export async function buildSubject(db: Kysely<Database>, overrides: SubjectOverrides = {}): Promise<string> {
  const [uscc] = await buildSubjects(db, [overrides]);
  return uscc!;
}
