import type { Actor } from '../access/actor.ts';

/**
 * Consent (授权) vocabulary. Purposes and modes are stable codes clients may switch on; labels are
 * for people (zh first).
 */

export const consentPurposes = ['loan_application', 'post_loan_monitoring', 'product_matching'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

export const consentPurposeLabels: Record<ConsentPurpose, { zh: string; en: string }> = {
  loan_application: { zh: '贷款申请审查', en: 'Loan application review' },
  post_loan_monitoring: { zh: '贷后管理', en: 'Post-loan monitoring' },
  product_matching: { zh: '金融产品匹配', en: 'Financial product matching' },
};

/**
 * full_report: read the records of the kinds in scope (reports, the subject view).
 * query: on-demand calls to providers' interfaces (接口调用) for the kinds in scope.
 * verify: yes/no answers to verification questions only; no record leaves (可用不可见).
 * A consent of a wider mode also allows the narrower ones: full_report ⊇ query ⊇ verify.
 */
export const consentModes = ['full_report', 'query', 'verify'] as const;
export type ConsentMode = (typeof consentModes)[number];

export const consentModeLabels: Record<ConsentMode, { zh: string; en: string }> = {
  full_report: { zh: '完整报告', en: 'Full report' },
  query: { zh: '按需查询', en: 'On-demand query' },
  verify: { zh: '仅核验（是/否）', en: 'Verify only (yes/no)' },
};

const modeRank: Record<ConsentMode, number> = { verify: 0, query: 1, full_report: 2 };

/** Whether a consent granted in `granted` mode allows a use in `requested` mode. */
export function modeAllows(granted: ConsentMode, requested: ConsentMode): boolean {
  return modeRank[granted] >= modeRank[requested];
}

/** Computed from the row at a given time, never stored. */
export const consentStates = ['ACTIVE', 'REVOKED', 'EXPIRED', 'EXHAUSTED'] as const;
export type ConsentState = (typeof consentStates)[number];

export interface Consent {
  id: string;
  uscc: string;
  institutionId: string;
  purpose: ConsentPurpose;
  scope: { kinds: string[]; categories: string[] };
  mode: ConsentMode;
  validFrom: string;
  validUntil: string;
  maxUses: number | null;
  useCount: number;
  lastUsedAt: string | null;
  /** Records dated within this range only (inclusive, YYYY-MM-DD); null = unbounded. */
  dataFrom: string | null;
  dataTo: string | null;
  source: 'online' | 'written';
  writtenAuthorizationId: number | null;
  grantedBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
  state: ConsentState;
}

export interface Bilingual {
  zh: string;
  en: string;
}

export interface AuthorizeUseInput {
  /** The institution user or institution system using the consent. */
  actor: Actor;
  uscc: string;
  /** Kinds the caller wants; each is allowed or denied with a reason. */
  kinds: string[];
  /** When given, the consent must have been granted for this purpose. */
  purpose?: ConsentPurpose | undefined;
  mode: ConsentMode;
  /** A specific consent; otherwise the newest ACTIVE one of this institution for the subject that fits. */
  consentId?: string | undefined;
  /** Records dated in this range are wanted; it must overlap the consent's data range. */
  dateRange?: { from?: string | undefined; to?: string | undefined } | undefined;
}

export interface AuthorizeUseResult {
  consent: Consent;
  allowedKinds: string[];
  denied: { kind: string; reason: Bilingual }[];
  /** The effective data date range: the request's range intersected with the consent's. */
  dataRange: { from: string | null; to: string | null };
}
