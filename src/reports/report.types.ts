/**
 * The report document (信用报告) as frozen JSON: everything the HTML and PDF show is derived from this
 * object alone (report-blocks.ts), so the offline verifier can recompute the visible text from the JSON
 * embedded in a PDF. Change the shape → bump REPORT_FORMAT.
 */

export const REPORT_FORMAT = 'xinrong-report/1';

export const reportTypes = ['public', 'full', 'self', 'special'] as const;
export type ReportType = (typeof reportTypes)[number];

export const reportFormats = ['json', 'html', 'pdf'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface Bilingual {
  zh: string;
  en: string;
}

export const reportTypeLabels: Record<ReportType, Bilingual> = {
  public: { zh: '公共信用信息报告（公开版）', en: 'Public credit information report' },
  full: { zh: '信用信息报告（授权查询版）', en: 'Credit information report (authorized)' },
  self: { zh: '信用信息报告（本人查询版）', en: 'Credit information report (self)' },
  special: {
    zh: '专项信用报告（无违法违规记录证明版）',
    en: 'Special credit report (in lieu of certificates of no violations)',
  },
};

export interface ReportField {
  code: string;
  zh: string;
  en: string;
  type: string;
  unit?: string;
  /** Enum values → Chinese label, for display. */
  labels?: Record<string, string>;
}

export interface ReportMark {
  code: string;
  zh: string;
  en: string;
}

export interface ReportRecord {
  recordId: number;
  version: number;
  occurredOn: string | null;
  marks: ReportMark[];
  /** Field values as the read path returned them for this report type (masked where it masks). */
  data: Record<string, unknown>;
  maskedFields: string[];
  /** Ledger leaf of this record version, when sequenced. */
  leafIndex: number | null;
}

export interface ReportPulled {
  status: 'ok' | 'unavailable' | 'denied';
  reason: Bilingual | null;
  providerId: string | null;
  fetchedAt: string;
  /** SHA-256 of the provider's answer as received (pull_calls). */
  digest: string | null;
  records: Record<string, unknown>[];
}

export interface ReportKind {
  code: string;
  title: Bilingual;
  /** shown: records listed (maybe none); withheld: the report type may not show this kind. */
  status: 'shown' | 'withheld';
  reason: Bilingual | null;
  fields: ReportField[];
  records: ReportRecord[];
  /** Full and self reports: the on-demand answer of the provider's interface (接口调用). */
  pulled?: ReportPulled;
}

export interface ReportEvaluation {
  available: boolean;
  note: Bilingual | null;
  score?: number;
  grade?: string;
  gradeLabel?: Bilingual;
  modelVersion?: number;
  asOf?: string;
  reasons?: { zh: string; en: string; pointsLost: number; disputed: boolean }[];
}

export interface ReportSection {
  code: string;
  /** 一、二、三… position, from 1. */
  no: number;
  title: Bilingual;
  kinds: ReportKind[];
  recordCount: number;
  /** Set when the section has nothing to list: "本节无记录" or why it is empty. */
  emptyNote: Bilingual | null;
  evaluation?: ReportEvaluation;
}

export interface ReportDocument {
  format: typeof REPORT_FORMAT;
  number: string;
  type: ReportType;
  title: Bilingual;
  issuer: Bilingual;
  /** ISO 8601 UTC. */
  issuedAt: string;
  /** YYYY-MM-DD HH:mm:ss, China Standard Time (UTC+8), as printed. */
  issuedAtChina: string;
  requester: { type: string; name: string; orgId: string | null };
  purpose: { code: string; zh: string; en: string } | null;
  consent: { id: string; validUntil: string | null } | null;
  /** Special reports: the years covered. */
  window: { years: number; from: string; to: string } | null;
  catalogVersion: number;
  subject: {
    uscc: string;
    name: string;
    subjectType: string;
    regionCode: string | null;
    industryCode: string | null;
    legalRepName: string | null;
    registrationStatus: string | null;
    establishedOn: string | null;
  };
  sections: ReportSection[];
  recordCount: number;
  /** Report statement: what it covers, what the marks mean, how to verify. */
  notes: Bilingual[];
  verifyUrl: string;
}
