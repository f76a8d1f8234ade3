import type { Actor } from './actor.ts';
import type { Bilingual, ConsentMode, ConsentPurpose, AuthorizeUseResult } from '../consent/consent.types.ts';

/**
 * Types of the one read path (`readRecords` in read-path.ts). Every read of credit records, for any
 * caller, returns this shape: records already filtered by openness, consent, repair and publicity,
 * with personal fields masked for the viewer and marks attached.
 */

/** Why the viewer sees what it sees. */
export type ReadBasis =
  | 'public' // anonymous, or any role without consent: 公开 kinds within their publicity period
  | 'self' // the enterprise user bound to this subject
  | 'operator' // platform operator
  | 'consent' // an institution under a consent (plus public kinds)
  | 'provider' // a provider: public kinds plus the records it sent itself
  | 'internal'; // the platform itself (system actor): real-name checks, evaluation jobs

export const recordMarkCodes = ['repaired', 'disputed', 'withdrawn', 'publicity_ended'] as const;
export type RecordMarkCode = (typeof recordMarkCodes)[number];

export const recordMarkLabels: Record<RecordMarkCode, Bilingual> = {
  repaired: { zh: '已修复', en: 'Repaired' },
  disputed: { zh: '异议处理中', en: 'Under objection' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  publicity_ended: { zh: '公示期满', en: 'Publicity period ended' },
};

export interface RecordMark {
  code: RecordMarkCode;
  zh: string;
  en: string;
}

export interface ReadRecordsQuery {
  actor: Actor;
  uscc: string;
  /** Kind codes; default: every kind in the catalog. */
  kinds?: string[] | undefined;
  /** Category codes; their kinds are added to `kinds`. */
  categories?: string[] | undefined;
  purpose?: ConsentPurpose | undefined;
  /** An institution names the consent it reads under; without it only public kinds are returned. */
  consentId?: string | undefined;
  /** full_report (default) or query (on-demand data) or verify (answers only, records stay server-side). */
  mode?: ConsentMode | undefined;
  /** Records whose date (the kind's date_field) falls in this range, inclusive, YYYY-MM-DD. */
  dateRange?: { from?: string | undefined; to?: string | undefined } | undefined;
  /** Every version of each record (the subject itself and operators only). */
  includeHistory?: boolean | undefined;
  /**
   * A consent use already counted by the caller (e.g. the connectors helper called `authorizeUse`
   * before calling a provider): the read path uses it instead of counting a second use.
   */
  authorization?: AuthorizeUseResult | undefined;
  /** Purpose of an internal (system actor) read, written to the access log. */
  internalPurpose?: string | undefined;
}

export interface ReadRecordVersion {
  versionId: number;
  version: number;
  op: string;
  status: string;
  occurredOn: string | null;
  createdAt: string;
  data: Record<string, unknown>;
  maskedFields: string[];
  leafIndex: number | null;
}

export interface ReadRecord {
  recordId: number;
  kindCode: string;
  categoryCode: string;
  /** The latest version's id, number and data. */
  versionId: number;
  version: number;
  op: string;
  /** active | withdrawn */
  status: string;
  occurredOn: string | null;
  providerId: string;
  catalogVersion: number;
  createdAt: string;
  data: Record<string, unknown>;
  /** Field codes whose values were masked (e.g. 410***********1234) or removed for this viewer. */
  maskedFields: string[];
  marks: RecordMark[];
  /** Position of this version in the ledger (null until the sequencer has assigned it). */
  leafIndex: number | null;
  /** Publicity end (YYYY-MM-DD) when the kind has a publicity rule. */
  publicityUntil: string | null;
  /** Earlier versions, oldest first (includeHistory, subject and operators only). */
  history?: ReadRecordVersion[];
}

export interface ReadKindSection {
  code: string;
  nameZh: string;
  nameEn: string;
  openness: string;
  records: ReadRecord[];
}

export interface ReadCategorySection {
  code: string;
  nameZh: string;
  nameEn: string;
  order: number;
  kinds: ReadKindSection[];
}

export interface ReadSubject {
  uscc: string;
  name: string;
  subjectType: string;
  regionCode: string | null;
  industryCode: string | null;
  legalRepName: string | null;
  registrationStatus: string | null;
  establishedOn: string | null;
  isProvisional: boolean;
}

export interface ReadRecordsResult {
  subject: ReadSubject;
  basis: ReadBasis;
  catalogVersion: number;
  consentId: string | null;
  /** Sections in catalog order, only kinds that were allowed (possibly with no records). */
  sections: ReadCategorySection[];
  /** The same records, flat, in section order. */
  records: ReadRecord[];
  /** Kinds asked for (or in the catalog) that this viewer may not see, with the reason. */
  withheld: { kind: string; reason: Bilingual }[];
  /** The access-log row written for this read. */
  accessLogId: number;
}
