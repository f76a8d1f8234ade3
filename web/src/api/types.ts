/**
 * Shapes of the API answers the portals read. Field names follow the server's response schemas
 * (see /docs/json); the server strips anything undeclared, so these are the whole contract.
 */

export interface PublicStats {
  subjects: number;
  records: number;
  providers: number;
  institutions: number;
  /** When the figures were computed (ISO 8601). */
  asOf: string;
}

export interface CatalogField {
  code: string;
  label_zh: string;
  label_en: string;
  type: string;
  required: boolean;
  sensitivity: 'public' | 'restricted' | 'personal';
  enum?: { value: string; label_zh: string; label_en: string }[];
  pattern?: string;
  unit?: string;
  max_length?: number;
  description?: string;
}

export interface CatalogKind {
  code: string;
  name_zh: string;
  name_en: string;
  category: string;
  share_mode: 'push' | 'pull' | 'both';
  openness: 'public' | 'conditional' | 'restricted';
  providers: { id: string; name_zh: string }[];
  natural_key: string[];
  /** Field holding the subject's USCC, and its name: not repeated in a subject's own tables. */
  subject_field?: string;
  subject_name_field?: string;
  negative?: boolean;
  sources?: string[];
  note?: string;
  fields: CatalogField[];
}

export interface CatalogCategory {
  code: string;
  name_zh: string;
  name_en: string;
  order: number;
}

export interface Catalog {
  version: number;
  label: string;
  categories: CatalogCategory[];
  kinds: CatalogKind[];
}

export interface Bilingual {
  zh: string;
  en: string;
}

/** GET /api/v1/subjects and /api/v1/subjects/:uscc (src/subjects/subjects.routes.ts). */
export interface SubjectSummary {
  uscc: string;
  name: string;
  type: string;
  typeLabel: Bilingual;
  region: { code: string; name: string | null } | null;
  industry: { code: string; name: string | null } | null;
  status: string | null;
  establishedOn: string | null;
  legalRepName: string | null;
  provisional: boolean;
  formerNames?: { name: string; since: string }[];
  /** From the evaluation, where the caller may see it. */
  grade?: string | null;
  score?: number | null;
}

export interface SubjectSearchResult {
  items: SubjectSummary[];
  page: number;
  pageSize: number;
  total: number;
  totalIsLowerBound: boolean;
}

export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor?: string | null;
}

export interface DictEntry {
  code: string;
  name: string;
  parent_code?: string | null;
  level?: number;
}

/** List answers come as `{ items: [...] }` (sometimes under another name, or a bare array). */
export function itemsOf<T>(raw: unknown, ...names: string[]): T[] {
  if (Array.isArray(raw)) return raw as T[];
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    for (const n of ['items', ...names]) if (Array.isArray(o[n])) return o[n] as T[];
  }
  return [];
}

export function totalOf(raw: unknown): number | undefined {
  if (raw && typeof raw === 'object') {
    const v = (raw as Record<string, unknown>).total;
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** GET /api/v1/batches/:id (src/ingest/ingest.schemas.ts batchViewSchema). */
export interface BatchView {
  id: number;
  providerId: string;
  kindCode: string;
  source: string;
  format: string;
  filename: string | null;
  byteSize: number;
  sha256: string | null;
  sm3: string | null;
  /** receiving | validating | running | applying | completed | rejected | failed */
  status: string;
  allOrNothing: boolean;
  catalogVersion: number | null;
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  errorCode: string | null;
  errorMessage: Bilingual | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RowError {
  row: number;
  field: string | null;
  rule: string;
  value: string | null;
  message: Bilingual;
  severity?: 'error' | 'warning';
}

/** The answer to a push or upload. */
export interface BatchOutcome {
  batch: number;
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
}

export interface ErrorsPage {
  batch: number;
  errors: RowError[];
  next: { afterRow: number; afterId: number } | null;
}

/** GET /api/v1/subjects/:uscc/records: the one read path's answer (src/access/access.routes.ts). */
export interface ReadRecordVersion {
  versionId: number;
  version: number;
  op: string;
  status: string;
  occurredOn: string | null;
  createdAt: string;
  data: Record<string, unknown>;
  maskedFields: string[];
}

export interface ReadRecord extends ReadRecordVersion {
  recordId: number;
  kindCode: string;
  categoryCode: string;
  providerId: string;
  catalogVersion: number;
  marks: { code: string; zh: string; en: string }[];
  leafIndex: number | null;
  publicityUntil: string | null;
  history?: ReadRecordVersion[];
}

export interface ReadSection {
  code: string;
  nameZh: string;
  nameEn: string;
  order: number;
  kinds: { code: string; nameZh: string; nameEn: string; openness: string; records: ReadRecord[] }[];
}

export interface ReadResult {
  subject: {
    uscc: string;
    name: string;
    subjectType: string;
    regionCode: string | null;
    industryCode: string | null;
    legalRepName: string | null;
    registrationStatus: string | null;
    establishedOn: string | null;
    isProvisional: boolean;
  };
  basis: 'public' | 'self' | 'operator' | 'consent' | 'provider' | 'internal';
  catalogVersion: number;
  consentId: string | null;
  sections: ReadSection[];
  withheld: { kind: string; reason: Bilingual }[];
  accessLogId: number;
}

export type ConsentPurpose = 'loan_application' | 'post_loan_monitoring' | 'product_matching';
export type ConsentMode = 'full_report' | 'query' | 'verify';
export type ConsentState = 'ACTIVE' | 'REVOKED' | 'EXPIRED' | 'EXHAUSTED';

/** GET /api/v1/consents (src/consent/consent.routes.ts). */
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

/** GET /api/v1/directory/institutions */
export interface InstitutionEntry {
  id: string;
  nameZh: string;
  nameEn: string;
  institutionType: string | null;
}

/** GET /api/v1/me/access-log and /api/v1/access-log */
export interface AccessLogEntry {
  id: number;
  uscc: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  orgId: string | null;
  basis: string;
  purpose: string | null;
  consentId: string | null;
  mode: string | null;
  kinds: string[];
  recordCount: number;
  nonPublic: boolean;
}

/** GET /api/v1/subjects/:uscc/evaluation (src/evaluation/evaluation.routes.ts). */
export interface Evaluation {
  uscc: string;
  basis: string;
  modelVersion: number;
  modelLabel: string;
  runId: number;
  asOf: string;
  evaluatedAt: string;
  score: number;
  grade: string;
  gradeZh: string;
  gradeEn: string;
  reasons:
    | { code: string; indicator: string; zh: string; en: string; pointsLost: number; disputed: boolean }[]
    | null;
  indicators:
    | {
        code: string;
        nameZh: string;
        nameEn: string;
        category: string;
        points: number;
        max: number;
        value: number | string | null;
        binZh: string | null;
        binEn: string | null;
        disputed: boolean;
      }[]
    | null;
  history: { runId: number; modelVersion: number; asOf: string; score: number; grade: string; at: string }[];
  withheld: string[];
  consentId: string | null;
}

export type ReportType = 'public' | 'full' | 'self' | 'special';

/** POST /api/v1/reports answer and GET /api/v1/reports items (src/reports/reports.schemas.ts). */
export interface ReportMeta {
  number: string;
  type: ReportType;
  typeLabel: Bilingual;
  uscc: string;
  subjectName: string;
  issuedAt: string;
  requester: string;
  purpose: string | null;
  consentId: string | null;
  window: { from: string; to: string } | null;
  recordCount: number;
  sha256: string;
  sm3: string;
  links: { json: string; html: string; pdf: string; verify: string; verifyPage: string };
}

/** GET /api/v1/reports/:number/verify */
export interface ReportVerification {
  authentic: boolean;
  valid: boolean;
  reason: Bilingual;
  number: string;
  type: string;
  typeLabel: Bilingual;
  uscc: string;
  subjectName: string;
  issuedAt: string;
  digest: string;
  sm3: string;
  renditions: { format: string; sha256: string }[];
  leafIndex: number;
  treeSize: number;
  hashAlgorithm: string;
  leafHash: string;
  rootHash: string;
  inclusionProof: string[];
  checkpoint: string | null;
  entry: string;
}

/** POST /api/v1/reports/verify (an uploaded file) */
export interface FileVerification {
  valid: boolean;
  message: Bilingual;
  keyTrusted: boolean;
  exactCopy: boolean;
  registered: boolean;
  checks: { code: string; ok: boolean; message: Bilingual }[];
  number?: string;
  type?: string;
  uscc?: string;
  subjectName?: string;
  issuedAt?: string;
  digest?: string;
  leafIndex?: number;
  treeSize?: number;
  checkpointAt?: string;
}

/** Subject rights (src/rights/rights.routes.ts). */
export interface CaseEvent {
  event: string;
  actorType: string;
  actorId: string | null;
  note: string | null;
  data: unknown;
  at: string;
}

export interface Objection {
  id: number;
  uscc: string;
  recordId: number;
  kindCode: string;
  providerId: string;
  fieldCode: string | null;
  reasons: string;
  /** filed | accepted | forwarded | answered | rejected | decided */
  status: string;
  statusLabel: Bilingual;
  outcome: string | null;
  providerAnswer: string | null;
  providerNote: string | null;
  decisionNote: string | null;
  dueOn: string | null;
  /** Counted Monday–Friday only: a year of the period has no holiday data loaded yet. */
  dueOnProvisional: boolean;
  calendarWarning: Bilingual | null;
  overdue: boolean;
  workingDaysLate: number;
  escalationLevel: number;
  filedAt: string;
  closedAt: string | null;
  attachments: { id: number; fileName: string; contentType: string; sizeBytes: number; sha256: string }[];
  history: CaseEvent[];
}

export interface Repair {
  id: number;
  uscc: string;
  recordId: number;
  kindCode: string;
  severity: string;
  decidedOn: string | null;
  regime: string;
  minUntil: string | null;
  maxUntil: string | null;
  penaltyFulfilled: boolean;
  evidenceSha256: string[];
  commitmentId: number | null;
  greenChannel: boolean;
  /** refused | under_review | repaired | rejected */
  status: string;
  statusLabel: Bilingual;
  refusals: { code: string; zh: string; en: string }[];
  reviewNote: string | null;
  dueOn: string | null;
  /** Counted Monday–Friday only: a year of the period has no holiday data loaded yet. */
  dueOnProvisional: boolean;
  calendarWarning: Bilingual | null;
  overdue: boolean;
  appliedAt: string;
  closedAt: string | null;
  history: CaseEvent[];
}

export interface Commitment {
  id: number;
  uscc: string;
  textVersion: string;
  textSha256: string;
  purpose: string;
  /** The matter it was signed for (e.g. a licence decision number), if any. */
  matterRef: string | null;
  signerName: string;
  signedAt: string;
  /** in_force | flagged | broken (the public is shown a flagged commitment as in_force). */
  status: string;
  brokenReason: string | null;
  /** The negative record (违背信用承诺信息) written when it was found broken. */
  breachRecordId: number | null;
}

/** A suspected or confirmed breach of a commitment (GET /api/v1/commitments/breaches). */
export interface Breach {
  id: number;
  commitmentId: number;
  uscc: string;
  /** auto (a contradiction rule matched a later record) | operator */
  source: string;
  ruleId: string | null;
  rule: Bilingual | null;
  recordId: number | null;
  versionId: number | null;
  kindCode: string | null;
  /** auto: { record: {kindCode, recordId, versionId, occurredOn, providerId}, matched: {field, text} } */
  evidence: unknown;
  /** suspected | confirmed | rejected | superseded */
  status: string;
  statusLabel: Bilingual;
  foundAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

/** GET /api/v1/rights/calendar */
export interface CalendarStatus {
  coveredYears: number[];
  /** The current year (and from 1 November the next) when its holidays are not loaded. */
  missingYears: number[];
  warning: Bilingual | null;
  holidays: string[];
  workdays: string[];
  objectionDeadlines: Record<string, string | number>;
  repairDeadlines: Record<string, string | number>;
}

export interface CommitmentText {
  version: string;
  effectiveFrom: string;
  zh: string;
  en: string;
  sha256: string;
}

export interface Declaration {
  id: number;
  uscc: string;
  type: string;
  typeLabel: Bilingual;
  data: Record<string, unknown>;
  commitmentId: number;
  status: string;
  mark: { code: 'self_declared'; zh: string; en: string };
  declaredAt: string;
}

export interface AttachmentInput {
  fileName: string;
  contentType: string;
  /** base64 */
  content: string;
}
