import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { SubjectTouch } from '../subjects/subjects.service.ts';

/**
 * What a record tells the subject registry. Every record names its subject (uscc, and the name when
 * the kind has a name field): a subject the registry does not know yet is created provisionally.
 * Only market-registration records (营业执照 / 市场主体登记) carry registration data.
 */

/** Kinds whose records are the market registration (登记注册) of the subject. */
export const registrationKindCodes = new Set([
  'business_licence',
  'business_license',
  'market_registration',
  'registration',
]);

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s ? s : null;
}

/** First present value among field codes (catalog versions name the same fact slightly differently). */
function pick(data: Record<string, unknown>, ...codes: string[]): string | null {
  for (const c of codes) {
    const v = str(data[c]);
    if (v) return v;
  }
  return null;
}

export function isRegistrationKind(kind: CatalogKind): boolean {
  return registrationKindCodes.has(kind.code);
}

export function subjectTouchFor(
  kind: CatalogKind,
  uscc: string,
  data: Record<string, unknown>,
): SubjectTouch {
  const name =
    (kind.subject_name_field ? str(data[kind.subject_name_field]) : null) ??
    pick(data, 'name', 'subject_name');
  if (!isRegistrationKind(kind)) return name ? { uscc, name } : { uscc };
  return {
    uscc,
    ...(name ? { name } : {}),
    registration: {
      name: name ?? '',
      subject_type: pick(data, 'enterprise_type', 'subject_type') ?? undefined,
      legal_rep_name: pick(data, 'legal_rep_name'),
      established_on: pick(data, 'established_on'),
      registration_status: pick(data, 'registration_status'),
      registered_capital: pick(data, 'registered_capital'),
      address: pick(data, 'address'),
      region_code: pick(data, 'region_code'),
      industry_code: pick(data, 'industry_code'),
    },
  };
}
