import type { ColumnType, Generated } from 'kysely';

/** A timestamptz: written as Date or ISO text, read as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A date column, read as YYYY-MM-DD text. */
type Day = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string, string>;

/** An operator's import of one year of the working-day calendar (overrides the shipped file). */
export interface WorkingCalendarYearsTable {
  year: number;
  doc: Json;
  imported_by: string;
  imported_at: Timestamp;
}

/** An objection (异议) to one record, or one field of it. */
export interface ObjectionsTable {
  id: Generated<string>;
  uscc: string;
  record_id: string | number;
  kind_code: string;
  /** The provider responsible for the record (it answers the 协查). */
  provider_id: string;
  field_code: string | null;
  reasons: string;
  /** filed | accepted | forwarded | answered | rejected | decided */
  status: string;
  /** rejected_at_filing | upheld (record stands) | corrected | withdrawn */
  outcome: string | null;
  /** confirm | correct | withdraw */
  provider_answer: string | null;
  provider_note: string | null;
  decision_note: string | null;
  /** China day the current step started; due_on = that + the step's working days. */
  step_started_on: Day;
  due_on: Day | null;
  escalation_level: Generated<number>;
  /** The due date already escalated (one escalation per missed deadline). */
  escalated_due_on: Day | null;
  filed_by: string;
  filed_at: Timestamp;
  closed_at: Timestamp | null;
}

export interface ObjectionAttachmentsTable {
  id: Generated<string>;
  objection_id: string | number;
  uscc: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
}

/** A signed public credit commitment (信用承诺) of a subject. */
export interface CommitmentsTable {
  id: Generated<string>;
  uscc: string;
  text_version: string;
  text_sha256: string;
  /** repair | declaration | general */
  purpose: string;
  signed_by: string;
  signer_name: string;
  signed_at: Timestamp;
  /** in_force | flagged (a later record seems to contradict it; awaiting an operator) | broken */
  status: Generated<string>;
  broken_reason: string | null;
  broken_at: Timestamp | null;
  /** The matter it was signed for (e.g. the licence decision number of a 告知承诺). */
  matter_ref: ColumnType<string | null, string | null | undefined, string | null>;
  flagged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The negative record (kind commitment_breach) written when it was found broken. */
  breach_record_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
}

/** A suspected (auto) or confirmed breach of a commitment, with its evidence. */
export interface CommitmentBreachesTable {
  id: Generated<string>;
  commitment_id: string | number;
  uscc: string;
  /** auto | operator */
  source: string;
  rule_id: string | null;
  record_id: string | number | null;
  version_id: string | number | null;
  kind_code: string | null;
  evidence: ColumnType<unknown, string | undefined, string>;
  /** suspected | confirmed | rejected | superseded */
  status: string;
  found_at: Timestamp;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  review_note: string | null;
}

/** New record versions of subjects holding a commitment, queued by a trigger for the rights job. */
export interface CommitmentChecksTable {
  id: Generated<string>;
  uscc: string;
  record_id: string | number;
  version_id: string | number;
  kind_code: string;
  queued_at: Generated<Timestamp>;
}

/** A credit repair (信用修复) application for one record. */
export interface RepairsTable {
  id: Generated<string>;
  uscc: string;
  record_id: string | number;
  kind_code: string;
  /** minor | general | serious */
  severity: string;
  decided_on: Day | null;
  /** The rule set applied (e.g. 2026-04-01 信用修复管理办法). */
  rule_regime: string;
  min_until: Day | null;
  max_until: Day | null;
  penalty_fulfilled: boolean;
  fulfilment_note: string | null;
  evidence_sha256: ColumnType<string[], string[] | undefined, string[]>;
  commitment_id: string | number | null;
  green_channel: Generated<boolean>;
  /** refused | under_review | repaired | rejected */
  status: string;
  refusal: Json | null;
  review_note: string | null;
  due_on: Day | null;
  applied_by: string;
  applied_at: Timestamp;
  closed_at: Timestamp | null;
}

/** Voluntarily declared information (自愿申报), under a signed commitment. */
export interface DeclarationsTable {
  id: Generated<string>;
  uscc: string;
  declaration_type: string;
  data: Json;
  data_sha256: string;
  commitment_id: string | number;
  /** declared | withdrawn | contradicted */
  status: Generated<string>;
  declared_by: string;
  declared_at: Timestamp;
}

/** The history of every case (filings, decisions, deadlines, notifications to the subject). */
export interface RightsEventsTable {
  id: Generated<string>;
  uscc: string;
  case_type: string;
  case_id: string | number;
  event: string;
  actor_type: string;
  actor_id: string | null;
  note: string | null;
  data: ColumnType<unknown, string | undefined, string>;
  at: Timestamp;
}

/** The repair rules stored publicity ends are computed with (a copy of rights.config.json, one row; decision 0122). */
export interface PublicityRulesTable {
  id: Generated<boolean>;
  doc: ColumnType<unknown, string, string>;
  updated_at: Generated<Timestamp>;
}

/** Kinds of the current catalog with a publicity rule (kept by a trigger on catalog_versions). */
export interface PublicityKindsTable {
  kind_code: string;
  from_field: string;
  until_field: string | null;
}

/** Per record, the latest version's publicity end under the repair rules (written by a trigger). */
export interface RecordPublicityTable {
  record_id: string | number;
  uscc: string;
  kind_code: string;
  version: number;
  decided_on: Day | null;
  /** minor | general | serious */
  severity: string;
  regime: string | null;
  publicity_until: Day | null;
  /** provider (the record's own end) | rules | undated */
  basis: string;
  computed_at: Generated<Timestamp>;
}

export interface RightsTables {
  commitment_breaches: CommitmentBreachesTable;
  commitment_checks: CommitmentChecksTable;
  publicity_rules: PublicityRulesTable;
  publicity_kinds: PublicityKindsTable;
  record_publicity: RecordPublicityTable;
  working_calendar_years: WorkingCalendarYearsTable;
  objections: ObjectionsTable;
  objection_attachments: ObjectionAttachmentsTable;
  commitments: CommitmentsTable;
  repairs: RepairsTable;
  declarations: DeclarationsTable;
  rights_events: RightsEventsTable;
}
