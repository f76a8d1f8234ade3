import { createHash } from 'node:crypto';
import type { Actor } from '../access/actor.ts';
import { chinaDay } from '../access/china-time.ts';
import type { FieldCrypto } from '../access/field-crypto.ts';
import { readRecords } from '../access/read-path.ts';
import type { ReadRecord } from '../access/read-path.types.ts';
import { addRecordMark, clearRecordMarks } from '../access/record-marks.repository.ts';
import type { Catalog, CatalogKind } from '../catalog/catalog.schema.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import type { Bilingual } from '../consent/consent.types.ts';
import type { Db } from '../db/database.ts';
import { enqueueLedgerEntries, type LedgerEntryInput } from '../ledger/ledger-queue.ts';
import { applyRows } from '../records/record-store.service.ts';
import { AppError } from '../shared/errors.ts';
import {
  addWorkingDays,
  buildCalendar,
  calendarStatus,
  calendarWarning,
  parseCalendarYear,
  shippedCalendarYears,
  uncoveredYears,
  workingDaysBetween,
  type CalendarYear,
  type WorkingCalendar,
} from './calendar/working-days.ts';
import { contradiction } from './commitments/contradiction-rules.ts';
import { syncPublicityRules } from './publicity/publicity.ts';
import { repairPeriods, repairRefusals, type Refusal } from './repair/repair-rules.ts';
import { commitmentTextOn, loadRightsConfig, type RightsConfig } from './rights-config.ts';
import * as repo from './rights.repository.ts';

/**
 * Subject rights (issue 9): objections (异议), credit repair (信用修复), public credit commitments
 * (信用承诺) and voluntary declarations (自愿申报). Records are read through the one read path and
 * changed only through the record store (a provider's correction or withdrawal); marks go through
 * record_marks; every filing, decision and deadline is a ledger entry and a row of the case history.
 */

export interface RightsServiceDeps {
  db: Db;
  catalog: CatalogService;
  fieldCrypto: FieldCrypto;
  config?: RightsConfig;
  clock?: () => Date;
}

export interface AttachmentInput {
  fileName: string;
  contentType: string;
  /** Base64 content. */
  content: string;
}

export interface CaseEvent {
  event: string;
  actorType: string;
  actorId: string | null;
  note: string | null;
  data: unknown;
  at: string;
}

export interface ObjectionView {
  id: number;
  uscc: string;
  recordId: number;
  kindCode: string;
  providerId: string;
  fieldCode: string | null;
  reasons: string;
  status: string;
  statusLabel: Bilingual;
  outcome: string | null;
  providerAnswer: string | null;
  providerNote: string | null;
  decisionNote: string | null;
  dueOn: string | null;
  /** The due date was counted Monday–Friday only: a year of the period has no holiday data yet. */
  dueOnProvisional: boolean;
  calendarWarning: Bilingual | null;
  overdue: boolean;
  /** Working days past the due date (0 when not overdue). */
  workingDaysLate: number;
  escalationLevel: number;
  filedAt: string;
  closedAt: string | null;
  attachments: { id: number; fileName: string; contentType: string; sizeBytes: number; sha256: string }[];
  history: CaseEvent[];
}

export interface RepairView {
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
  status: string;
  statusLabel: Bilingual;
  refusals: Refusal[];
  reviewNote: string | null;
  dueOn: string | null;
  /** As for objections: counted Monday–Friday only because a year has no holiday data yet. */
  dueOnProvisional: boolean;
  calendarWarning: Bilingual | null;
  overdue: boolean;
  appliedAt: string;
  closedAt: string | null;
  history: CaseEvent[];
}

export interface CommitmentView {
  id: number;
  uscc: string;
  textVersion: string;
  textSha256: string;
  purpose: string;
  /** The matter it was signed for (e.g. a licence decision number), if any. */
  matterRef: string | null;
  signerName: string;
  signedAt: string;
  /**
   * in_force | flagged | broken. The public sees a flagged commitment as in_force: a suspicion is
   * not published until an operator confirms it.
   */
  status: string;
  brokenReason: string | null;
  /** The negative record (违背信用承诺信息) written when it was found broken. */
  breachRecordId: number | null;
}

export interface BreachView {
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
  evidence: unknown;
  status: string;
  statusLabel: Bilingual;
  foundAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

const breachStatus: Record<string, Bilingual> = {
  suspected: { zh: '疑似违背承诺，待运营人员核实', en: 'Suspected, awaiting an operator' },
  confirmed: { zh: '已认定违背承诺', en: 'Confirmed broken' },
  rejected: { zh: '经核实未违背承诺', en: 'Rejected on review' },
  superseded: { zh: '承诺已另案认定违背', en: 'Superseded (found broken on another ground)' },
};

export interface DeclarationView {
  id: number;
  uscc: string;
  type: string;
  typeLabel: Bilingual;
  data: Record<string, unknown>;
  commitmentId: number;
  status: string;
  /** Always 自愿申报 / self-declared: declared data is never shown unmarked. */
  mark: { code: 'self_declared'; zh: string; en: string };
  declaredAt: string;
}

const objectionStatus: Record<string, Bilingual> = {
  filed: { zh: '已提交，待受理', en: 'Filed, awaiting acceptance' },
  accepted: { zh: '已受理，平台核查中', en: 'Accepted, platform check' },
  forwarded: { zh: '已转数据提供单位核实', en: 'Forwarded to the data provider' },
  answered: { zh: '数据提供单位已答复，待平台决定', en: 'Provider answered, awaiting decision' },
  rejected: { zh: '不予受理', en: 'Not accepted' },
  decided: { zh: '已办结', en: 'Closed' },
};

const repairStatus: Record<string, Bilingual> = {
  refused: { zh: '不符合修复条件', en: 'Not eligible' },
  under_review: { zh: '审核中', en: 'Under review' },
  repaired: { zh: '已修复', en: 'Repaired' },
  rejected: { zh: '审核未通过', en: 'Rejected on review' },
};

const outcomeMessages: Record<string, Bilingual> = {
  rejected_at_filing: { zh: '您的异议申请不予受理', en: 'Your objection was not accepted' },
  upheld: {
    zh: '经数据提供单位核实，原记录无误，予以维持',
    en: 'The provider verified the record; it stands unchanged',
  },
  corrected: {
    zh: '数据提供单位已更正该记录（原版本保留于历史）',
    en: 'The provider corrected the record (the earlier version stays in its history)',
  },
  withdrawn: { zh: '数据提供单位已撤回该记录', en: 'The provider withdrew the record' },
  repaired: { zh: '信用修复申请已通过，该记录已修复', en: 'Credit repair granted: the record is repaired' },
  repair_rejected: { zh: '信用修复申请审核未通过', en: 'Credit repair refused on review' },
};

const maxAttachments = 5;
const maxAttachmentBytes = 5 * 1024 * 1024;

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function actorRef(actor: Actor): { type: string; id: string | null } {
  if (actor.type === 'anonymous') return { type: 'anonymous', id: null };
  if (actor.type === 'system') return { type: 'system', id: actor.name };
  return { type: actor.type, id: actor.id };
}

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

export function createRightsService(deps: RightsServiceDeps) {
  const { db, catalog, fieldCrypto } = deps;
  const cfg = deps.config ?? loadRightsConfig();
  const clock = deps.clock ?? (() => new Date());
  const platform: Actor = { type: 'system', name: 'rights' };
  let calendarCache: WorkingCalendar | undefined;

  async function calendarYears(d: Db): Promise<Map<number, CalendarYear>> {
    const years = new Map<number, CalendarYear>();
    for (const y of shippedCalendarYears()) years.set(y.year, y);
    // Operators' imports replace the shipped year (a correction or a newly announced year).
    for (const r of await repo.listCalendarYears(d)) years.set(r.year, parseCalendarYear(r.doc));
    return years;
  }

  async function calendar(): Promise<WorkingCalendar> {
    if (calendarCache) return calendarCache;
    calendarCache = buildCalendar([...(await calendarYears(db)).values()]);
    return calendarCache;
  }

  /**
   * An operator's import of one year (the 国务院办公厅 notice). Open cases whose due date was counted
   * without this year's data (or with an earlier version of it) are recounted from their step's start;
   * each changed due date is a history row and a ledger entry (deadline changes are ledgered).
   */
  async function importCalendarYear(
    actor: Actor,
    doc: unknown,
  ): Promise<{ year: number; holidays: number; workdays: number; deadlinesChanged: number }> {
    const y = parseCalendarYear(doc);
    const changed = await db.transaction().execute(async (trx) => {
      await repo.upsertCalendarYear(trx, y.year, y, actorRef(actor).id ?? actorRef(actor).type);
      const years = await calendarYears(trx);
      const cal = buildCalendar([...years.values()]);
      let n = 0;
      for (const o of await repo.listOpenObjectionsDueFrom(trx, `${y.year}-01-01`)) {
        const days = stepWorkingDays[o.status];
        if (days === undefined || !o.due_on) continue;
        const dueOn = addWorkingDays(o.step_started_on, days(), cal);
        if (dueOn === o.due_on) continue;
        await repo.updateObjection(trx, o.id, { due_on: dueOn });
        await deadlineChanged(trx, 'objection', 'objections', o.id, o.uscc, o.due_on, dueOn, y.year, actor);
        n++;
      }
      for (const r of await repo.listOpenRepairsDueFrom(trx, `${y.year}-01-01`)) {
        const days = r.green_channel
          ? cfg.repairDeadlines.greenChannelReviewWorkingDays
          : cfg.repairDeadlines.reviewWorkingDays;
        const dueOn = addWorkingDays(chinaDay(new Date(r.applied_at)), days, cal);
        if (dueOn === r.due_on) continue;
        await repo.updateRepair(trx, r.id, { due_on: dueOn });
        await deadlineChanged(trx, 'repair', 'repairs', r.id, r.uscc, r.due_on!, dueOn, y.year, actor);
        n++;
      }
      return n;
    });
    calendarCache = undefined;
    return {
      year: y.year,
      holidays: y.holidays.length,
      workdays: y.workdays.length,
      deadlinesChanged: changed,
    };
  }

  /** Working days of the step an open objection is in (the configuration's deadlines). */
  const stepWorkingDays: Record<string, () => number> = {
    filed: () => cfg.objectionDeadlines.acceptWorkingDays,
    accepted: () => cfg.objectionDeadlines.platformCheckWorkingDays,
    forwarded: () => cfg.objectionDeadlines.providerAnswerWorkingDays,
    answered: () => cfg.objectionDeadlines.decideWorkingDays,
  };

  async function deadlineChanged(
    trx: Db,
    caseType: 'objection' | 'repair',
    table: string,
    id: string | number,
    uscc: string,
    from: string,
    to: string,
    year: number,
    actor: Actor,
  ): Promise<void> {
    await event(trx, {
      uscc,
      caseType,
      caseId: id,
      event: 'deadline_changed',
      actor,
      note: `导入${year}年工作日历后重新计算期限：${from} → ${to} / due date recounted with the ${year} calendar`,
      data: { from, to, calendarYear: year },
    });
    await enqueueLedgerEntries(trx, [
      ledgerOf(caseType, table, id, uscc, { action: 'deadline_changed', from, to, calendar_year: year }),
    ]);
  }

  /** Years loaded, and the current or next year missing (with the operators' warning). */
  async function getCalendarStatus() {
    return calendarStatus(await calendar(), chinaDay(clock()));
  }

  /**
   * The catalog and the calendar, loaded before a transaction opens: on PGlite (one connection) a
   * service bound to the pool would wait inside the transaction for the connection it holds.
   */
  async function prepare(): Promise<{ cal: WorkingCalendar; cat: Catalog }> {
    const [cal, cat] = await Promise.all([calendar(), catalog.getCurrent()]);
    return { cal, cat };
  }

  function kindOf(cat: Catalog, code: string): CatalogKind {
    const kind = cat.kinds.find((k) => k.code === code);
    if (!kind) throw new AppError('kind_unknown', { kind: code });
    return kind;
  }

  /** One record of the subject as the platform sees it (unmasked), through the read path. */
  async function recordOf(trx: Db, uscc: string, recordId: number, purpose: string): Promise<ReadRecord> {
    const res = await readRecords(
      { db: trx, fieldCrypto, catalog },
      { actor: platform, uscc, internalPurpose: purpose },
    );
    const rec = res.records.find((r) => r.recordId === recordId);
    if (!rec) throw new AppError('rights_record_invalid', { recordId });
    return rec;
  }

  function subjectOf(actor: Actor): string {
    if (actor.type !== 'enterprise' || !actor.uscc) throw new AppError('forbidden', {});
    return actor.uscc;
  }

  async function event(
    trx: Db,
    e: {
      uscc: string;
      caseType: string;
      caseId: string | number;
      event: string;
      actor: Actor;
      note?: string | null;
      data?: object;
    },
  ): Promise<void> {
    const a = actorRef(e.actor);
    await repo.insertEvent(trx, {
      uscc: e.uscc,
      case_type: e.caseType,
      case_id: String(e.caseId),
      event: e.event,
      actor_type: a.type,
      actor_id: a.id,
      note: e.note ?? null,
      data: JSON.stringify(e.data ?? {}),
      at: clock(),
    });
  }

  function ledgerOf(
    entryType: 'objection' | 'repair' | 'commitment',
    refTable: string,
    id: string | number,
    uscc: string,
    payload: Record<string, unknown>,
  ): LedgerEntryInput {
    return { entryType, refTable, refId: String(id), uscc, payload: { id: Number(id), ...payload } };
  }

  // ---------------------------------------------------------------- objections

  async function objectionView(d: Db, row: repo.ObjectionRow): Promise<ObjectionView> {
    const cal = await calendar();
    const today = chinaDay(clock());
    const open = row.closed_at === null;
    const overdue = open && !!row.due_on && row.due_on < today;
    const missing = open && row.due_on ? uncoveredYears(row.step_started_on, row.due_on, cal) : [];
    const [attachments, events] = await Promise.all([
      repo.listAttachments(d, row.id),
      repo.listEvents(d, 'objection', row.id),
    ]);
    return {
      id: Number(row.id),
      uscc: row.uscc,
      recordId: Number(row.record_id),
      kindCode: row.kind_code,
      providerId: row.provider_id,
      fieldCode: row.field_code,
      reasons: row.reasons,
      status: row.status,
      statusLabel: objectionStatus[row.status]!,
      outcome: row.outcome,
      providerAnswer: row.provider_answer,
      providerNote: row.provider_note,
      decisionNote: row.decision_note,
      dueOn: open ? row.due_on : null,
      dueOnProvisional: missing.length > 0,
      calendarWarning: calendarWarning(missing),
      overdue,
      workingDaysLate: overdue ? workingDaysBetween(row.due_on!, today, cal) : 0,
      escalationLevel: row.escalation_level,
      filedAt: iso(row.filed_at)!,
      closedAt: iso(row.closed_at),
      attachments: attachments.map((a) => ({
        id: Number(a.id),
        fileName: a.file_name,
        contentType: a.content_type,
        sizeBytes: a.size_bytes,
        sha256: a.sha256,
      })),
      history: events.map(eventView),
    };
  }

  function canSeeObjection(actor: Actor, row: repo.ObjectionRow): boolean {
    if (actor.type === 'operator' || actor.type === 'system') return true;
    if (actor.type === 'enterprise') return actor.uscc === row.uscc;
    if (actor.type === 'provider') return actor.orgId === row.provider_id;
    return false;
  }

  async function loadObjection(
    trx: Db,
    actor: Actor,
    id: number,
    forUpdate: boolean,
  ): Promise<repo.ObjectionRow> {
    const row = await repo.findObjection(trx, id, forUpdate);
    if (!row || !canSeeObjection(actor, row)) {
      throw new AppError('rights_case_not_found', { what: '异议 / objection', id });
    }
    return row;
  }

  async function stepTo(
    trx: Db,
    row: repo.ObjectionRow,
    actor: Actor,
    set: Parameters<typeof repo.updateObjection>[2],
    days: number | null,
    eventName: string,
    note: string | null,
    extra: Record<string, unknown> = {},
  ): Promise<repo.ObjectionRow> {
    const today = chinaDay(clock());
    const dueOn = days === null ? null : addWorkingDays(today, days, calendarCache ?? (await calendar()));
    const updated = await repo.updateObjection(trx, row.id, {
      ...set,
      step_started_on: today,
      due_on: dueOn,
      ...(days === null ? { closed_at: clock() } : {}),
    });
    await event(trx, {
      uscc: row.uscc,
      caseType: 'objection',
      caseId: row.id,
      event: eventName,
      actor,
      note,
      data: { dueOn, ...extra },
    });
    await enqueueLedgerEntries(trx, [
      ledgerOf('objection', 'objections', row.id, row.uscc, {
        action: eventName,
        status: updated.status,
        outcome: updated.outcome,
        due_on: dueOn,
        actor: actorRef(actor),
        note_sha256: note ? sha256(note) : null,
        ...extra,
      }),
    ]);
    return updated;
  }

  async function notify(
    trx: Db,
    uscc: string,
    caseType: string,
    caseId: string | number,
    outcome: string,
  ): Promise<void> {
    const m = outcomeMessages[outcome]!;
    await event(trx, {
      uscc,
      caseType,
      caseId,
      event: 'notified',
      actor: platform,
      note: `${m.zh} / ${m.en}`,
      data: { outcome },
    });
  }

  async function fileObjection(
    actor: Actor,
    input: {
      recordId: number;
      fieldCode?: string | null | undefined;
      reasons: string;
      attachments?: AttachmentInput[] | undefined;
    },
  ): Promise<ObjectionView> {
    const uscc = subjectOf(actor);
    const files = (input.attachments ?? []).map((a) => ({ ...a, bytes: Buffer.from(a.content, 'base64') }));
    if (files.length > maxAttachments) {
      throw new AppError('validation_failed', {
        detail: `最多 ${maxAttachments} 个附件 / at most ${maxAttachments} attachments`,
      });
    }
    for (const f of files) {
      if (f.bytes.length === 0 || f.bytes.length > maxAttachmentBytes) {
        throw new AppError('validation_failed', {
          detail: `附件 ${f.fileName}：大小应为 1 字节至 5 MB / attachment size 1 byte to 5 MB`,
        });
      }
    }
    const { cal, cat } = await prepare();
    return db.transaction().execute(async (trx) => {
      const rec = await recordOf(trx, uscc, input.recordId, 'objection');
      if (input.fieldCode) {
        const kind = kindOf(cat, rec.kindCode);
        if (!kind.fields.some((f) => f.code === input.fieldCode)) {
          throw new AppError('validation_failed', {
            detail: `字段 ${input.fieldCode} 不属于信息项 ${rec.kindCode} / unknown field`,
          });
        }
      }
      const open = await repo.findOpenObjection(trx, uscc, input.recordId);
      if (open) throw new AppError('objection_open', { id: open.id });
      const now = clock();
      const today = chinaDay(now);
      const dueOn = addWorkingDays(today, cfg.objectionDeadlines.acceptWorkingDays, cal);
      const row = await repo.insertObjection(trx, {
        uscc,
        record_id: input.recordId,
        kind_code: rec.kindCode,
        provider_id: rec.providerId,
        field_code: input.fieldCode ?? null,
        reasons: input.reasons,
        status: 'filed',
        outcome: null,
        provider_answer: null,
        provider_note: null,
        decision_note: null,
        step_started_on: today,
        due_on: dueOn,
        escalated_due_on: null,
        filed_by: actorRef(actor).id ?? uscc,
        filed_at: now,
        closed_at: null,
      });
      const digests = files.map((f) => sha256(f.bytes));
      await repo.insertAttachments(
        trx,
        files.map((f, i) => ({
          objection_id: row.id,
          uscc,
          file_name: f.fileName,
          content_type: f.contentType,
          size_bytes: f.bytes.length,
          sha256: digests[i]!,
          content: f.bytes,
        })),
      );
      // 异议标注: the record is shown as 异议处理中 wherever it appears while the case is open.
      await addRecordMark(trx, {
        recordId: input.recordId,
        uscc,
        mark: 'disputed',
        sourceTable: 'objections',
        sourceId: row.id,
      });
      await event(trx, {
        uscc,
        caseType: 'objection',
        caseId: row.id,
        event: 'filed',
        actor,
        note: input.reasons,
        data: { dueOn, fieldCode: input.fieldCode ?? null, attachments: digests },
      });
      await enqueueLedgerEntries(trx, [
        ledgerOf('objection', 'objections', row.id, uscc, {
          action: 'filed',
          record_id: input.recordId,
          version_id: rec.versionId,
          field_code: input.fieldCode ?? null,
          reasons_sha256: sha256(input.reasons),
          attachments_sha256: digests,
          due_on: dueOn,
        }),
      ]);
      return objectionView(trx, row);
    });
  }

  /** Operator: accept (platform check starts) or reject the filing (the mark is cleared). */
  async function acceptObjection(
    actor: Actor,
    id: number,
    input: { accept: boolean; note?: string | undefined },
  ): Promise<ObjectionView> {
    await prepare();
    return db.transaction().execute(async (trx) => {
      const row = await loadObjection(trx, actor, id, true);
      if (row.status !== 'filed') {
        throw new AppError('rights_step_invalid', { status: row.status, action: 'accept' });
      }
      if (!input.accept) {
        const done = await stepTo(
          trx,
          row,
          actor,
          { status: 'rejected', outcome: 'rejected_at_filing', decision_note: input.note ?? null },
          null,
          'rejected',
          input.note ?? null,
        );
        await clearRecordMarks(trx, { sourceTable: 'objections', sourceId: row.id }, clock());
        await notify(trx, row.uscc, 'objection', row.id, 'rejected_at_filing');
        return objectionView(trx, done);
      }
      const done = await stepTo(
        trx,
        row,
        actor,
        { status: 'accepted' },
        cfg.objectionDeadlines.platformCheckWorkingDays,
        'accepted',
        input.note ?? null,
      );
      return objectionView(trx, done);
    });
  }

  /** Operator: the platform's check found no error of its own; a 协查 goes to the provider. */
  async function forwardObjection(
    actor: Actor,
    id: number,
    input: { note?: string | undefined },
  ): Promise<ObjectionView> {
    await prepare();
    return db.transaction().execute(async (trx) => {
      const row = await loadObjection(trx, actor, id, true);
      if (row.status !== 'accepted') {
        throw new AppError('rights_step_invalid', { status: row.status, action: 'forward' });
      }
      const done = await stepTo(
        trx,
        row,
        actor,
        { status: 'forwarded' },
        cfg.objectionDeadlines.providerAnswerWorkingDays,
        'forwarded',
        input.note ?? null,
        { provider_id: row.provider_id },
      );
      return objectionView(trx, done);
    });
  }

  /**
   * Provider: confirm the record, correct it (a new version with the changed fields; nothing is
   * deleted) or withdraw it, through the record store.
   */
  async function answerObjection(
    actor: Actor,
    id: number,
    input: {
      answer: 'confirm' | 'correct' | 'withdraw';
      note: string;
      changes?: Record<string, unknown> | undefined;
    },
  ): Promise<ObjectionView> {
    const { cat } = await prepare();
    return db.transaction().execute(async (trx) => {
      const row = await loadObjection(trx, actor, id, true);
      if (actor.type !== 'provider' && actor.type !== 'system') throw new AppError('forbidden', {});
      if (row.status !== 'forwarded') {
        throw new AppError('rights_step_invalid', { status: row.status, action: 'answer' });
      }
      let versionResult: { result: string; version: number } | null = null;
      if (input.answer !== 'confirm') {
        const rec = await recordOf(trx, row.uscc, Number(row.record_id), 'objection_answer');
        const kind = kindOf(cat, row.kind_code);
        if (input.answer === 'correct' && (!input.changes || Object.keys(input.changes).length === 0)) {
          throw new AppError('validation_failed', {
            detail: '更正须提供修改的字段 / a correction needs the changed fields',
          });
        }
        for (const k of Object.keys(input.changes ?? {})) {
          if (!kind.fields.some((f) => f.code === k)) {
            throw new AppError('validation_failed', { detail: `unknown field ${k}` });
          }
          if (kind.natural_key.includes(k)) {
            throw new AppError('validation_failed', {
              detail: `自然键字段 ${k} 不能更正 / natural-key field ${k} cannot be corrected`,
            });
          }
        }
        const data = input.answer === 'correct' ? { ...rec.data, ...input.changes } : rec.data;
        const res = await applyRows(trx, {
          kind,
          providerId: row.provider_id,
          batchId: null,
          catalogVersion: cat.version,
          rows: [
            {
              row: 1,
              data: fieldCrypto.protectRecordData(kind, data),
              op: input.answer === 'correct' ? 'correct' : 'withdraw',
              reason: `异议 ${row.id}：${input.note}`,
            },
          ],
        });
        if (res.rejected.length) {
          const r = res.rejected[0]!;
          throw new AppError('validation_failed', { detail: `${r.message.zh} / ${r.message.en}` });
        }
        versionResult = res.results[0] ?? null;
      }
      const done = await stepTo(
        trx,
        row,
        actor,
        { status: 'answered', provider_answer: input.answer, provider_note: input.note },
        cfg.objectionDeadlines.decideWorkingDays,
        'answered',
        input.note,
        { answer: input.answer, new_version: versionResult?.version ?? null },
      );
      return objectionView(trx, done);
    });
  }

  /** Operator: closes the case from the provider's answer; the mark is cleared; the enterprise is told. */
  async function decideObjection(
    actor: Actor,
    id: number,
    input: { note?: string | undefined },
  ): Promise<ObjectionView> {
    await prepare();
    return db.transaction().execute(async (trx) => {
      const row = await loadObjection(trx, actor, id, true);
      if (row.status !== 'answered') {
        throw new AppError('rights_step_invalid', { status: row.status, action: 'decide' });
      }
      const outcome =
        row.provider_answer === 'correct'
          ? 'corrected'
          : row.provider_answer === 'withdraw'
            ? 'withdrawn'
            : 'upheld';
      const done = await stepTo(
        trx,
        row,
        actor,
        { status: 'decided', outcome, decision_note: input.note ?? null },
        null,
        'decided',
        input.note ?? null,
      );
      await clearRecordMarks(trx, { sourceTable: 'objections', sourceId: row.id }, clock());
      await notify(trx, row.uscc, 'objection', row.id, outcome);
      return objectionView(trx, done);
    });
  }

  /** An attachment, for whoever may see the case (the subject, the provider asked, operators). */
  async function getObjectionAttachment(
    actor: Actor,
    id: number,
    attachmentId: number,
  ): Promise<{ fileName: string; contentType: string; sha256: string; content: Buffer }> {
    await loadObjection(db, actor, id, false);
    const a = await repo.findAttachment(db, id, attachmentId);
    if (!a) throw new AppError('rights_case_not_found', { what: '附件 / attachment', id: attachmentId });
    return {
      fileName: a.file_name,
      contentType: a.content_type,
      sha256: a.sha256,
      content: Buffer.from(a.content),
    };
  }

  async function getObjection(actor: Actor, id: number): Promise<ObjectionView> {
    return objectionView(db, await loadObjection(db, actor, id, false));
  }

  async function listObjections(
    actor: Actor,
    f: {
      uscc?: string | undefined;
      status?: string | undefined;
      open?: boolean | undefined;
      limit?: number | undefined;
    },
  ): Promise<ObjectionView[]> {
    const filter: repo.ObjectionFilter = {
      status: f.status,
      open: f.open,
      limit: Math.min(f.limit ?? 100, 500),
      uscc: f.uscc,
    };
    if (actor.type === 'enterprise') filter.uscc = subjectOf(actor);
    else if (actor.type === 'provider') filter.providerId = actor.orgId ?? '-';
    else if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden', {});
    const rows = await repo.listObjections(db, filter);
    return Promise.all(rows.map((r) => objectionView(db, r)));
  }

  /**
   * The periodic check: every open step past its due date escalates once per missed deadline
   * (level + 1, a history row and a ledger entry). Overdue is also computed on every read.
   */
  async function checkOverdue(): Promise<{ escalated: number[] }> {
    const today = chinaDay(clock());
    const cal = await calendar();
    return db.transaction().execute(async (trx) => {
      const rows = await repo.listOverdueObjections(trx, today);
      for (const row of rows) {
        const level = row.escalation_level + 1;
        await repo.updateObjection(trx, row.id, { escalation_level: level, escalated_due_on: row.due_on });
        const late = workingDaysBetween(row.due_on!, today, cal);
        await event(trx, {
          uscc: row.uscc,
          caseType: 'objection',
          caseId: row.id,
          event: 'escalated',
          actor: platform,
          note: `逾期 ${late} 个工作日，升级至第 ${level} 级 / ${late} working days late, escalated to level ${level}`,
          data: { status: row.status, dueOn: row.due_on, level },
        });
        await enqueueLedgerEntries(trx, [
          ledgerOf('objection', 'objections', row.id, row.uscc, {
            action: 'escalated',
            status: row.status,
            due_on: row.due_on,
            level,
          }),
        ]);
      }
      return { escalated: rows.map((r) => Number(r.id)) };
    });
  }

  // ---------------------------------------------------------------- commitments and declarations

  function commitmentView(c: repo.CommitmentRow, privileged = true): CommitmentView {
    return {
      id: Number(c.id),
      uscc: c.uscc,
      textVersion: c.text_version,
      textSha256: c.text_sha256,
      purpose: c.purpose,
      matterRef: c.matter_ref,
      signerName: c.signer_name,
      signedAt: iso(c.signed_at)!,
      status: !privileged && c.status === 'flagged' ? 'in_force' : c.status,
      brokenReason: c.broken_reason,
      breachRecordId: c.breach_record_id === null ? null : Number(c.breach_record_id),
    };
  }

  function breachView(b: repo.BreachRow): BreachView {
    const rule = cfg.contradictionRules.find((r) => r.id === b.rule_id);
    return {
      id: Number(b.id),
      commitmentId: Number(b.commitment_id),
      uscc: b.uscc,
      source: b.source,
      ruleId: b.rule_id,
      rule: rule ? { zh: rule.zh, en: rule.en } : null,
      recordId: b.record_id === null ? null : Number(b.record_id),
      versionId: b.version_id === null ? null : Number(b.version_id),
      kindCode: b.kind_code,
      evidence: b.evidence,
      status: b.status,
      statusLabel: breachStatus[b.status]!,
      foundAt: iso(b.found_at)!,
      reviewedBy: b.reviewed_by,
      reviewedAt: iso(b.reviewed_at),
      reviewNote: b.review_note,
    };
  }

  function currentCommitmentText() {
    const t = commitmentTextOn(cfg, chinaDay(clock()));
    return { ...t, sha256: sha256(`${t.zh}\n${t.en}`) };
  }

  async function signCommitment(
    actor: Actor,
    input: { purpose: string; signerName: string; textVersion: string; matterRef?: string | undefined },
  ): Promise<CommitmentView> {
    const uscc = subjectOf(actor);
    const text = currentCommitmentText();
    if (input.textVersion !== text.version) {
      throw new AppError('commitment_required', { version: text.version });
    }
    const purpose = cfg.commitmentPurposes.find((p) => p.code === input.purpose);
    if (!purpose) {
      throw new AppError('validation_failed', {
        detail: `承诺事项 ${input.purpose} 未配置 / unknown purpose; 可选 / one of ${cfg.commitmentPurposes.map((p) => p.code).join(', ')}`,
      });
    }
    const matterRef = input.matterRef?.trim() || null;
    if (purpose.matterRequired && !matterRef) {
      throw new AppError('validation_failed', {
        detail: `${purpose.zh}须载明承诺对应事项（如许可决定书文号） / ${purpose.en}: name the matter (matterRef)`,
      });
    }
    return db.transaction().execute(async (trx) => {
      const row = await repo.insertCommitment(trx, {
        uscc,
        text_version: text.version,
        text_sha256: text.sha256,
        purpose: input.purpose,
        matter_ref: matterRef,
        signed_by: actorRef(actor).id ?? uscc,
        signer_name: input.signerName,
        signed_at: clock(),
        broken_reason: null,
        broken_at: null,
      });
      await event(trx, {
        uscc,
        caseType: 'commitment',
        caseId: row.id,
        event: 'signed',
        actor,
        data: { textVersion: text.version },
      });
      await enqueueLedgerEntries(trx, [
        ledgerOf('commitment', 'commitments', row.id, uscc, {
          action: 'signed',
          text_version: text.version,
          text_sha256: text.sha256,
          purpose: input.purpose,
          matter_sha256: matterRef ? sha256(matterRef) : null,
        }),
      ]);
      return commitmentView(row);
    });
  }

  async function listCommitments(actor: Actor, uscc: string): Promise<CommitmentView[]> {
    const privileged =
      actor.type === 'operator' ||
      actor.type === 'system' ||
      (actor.type === 'enterprise' && actor.uscc === uscc);
    return (await repo.listCommitments(db, uscc)).map((c) => commitmentView(c, privileged));
  }

  function declarationView(d: repo.DeclarationRow): DeclarationView {
    const t = cfg.declarationTypes.find((x) => x.code === d.declaration_type);
    return {
      id: Number(d.id),
      uscc: d.uscc,
      type: d.declaration_type,
      typeLabel: { zh: t?.zh ?? d.declaration_type, en: t?.en ?? d.declaration_type },
      data: d.data as Record<string, unknown>,
      commitmentId: Number(d.commitment_id),
      status: d.status,
      mark: { code: 'self_declared', zh: '自愿申报', en: 'Self-declared' },
      declaredAt: iso(d.declared_at)!,
    };
  }

  async function declare(
    actor: Actor,
    input: { type: string; data: Record<string, unknown>; commitmentId: number },
  ): Promise<DeclarationView> {
    const uscc = subjectOf(actor);
    if (!cfg.declarationTypes.some((t) => t.code === input.type)) {
      throw new AppError('declaration_type_unknown', { type: input.type });
    }
    return db.transaction().execute(async (trx) => {
      const c = await repo.findCommitment(trx, input.commitmentId);
      if (!c || c.uscc !== uscc || c.status !== 'in_force') {
        throw new AppError('commitment_required', { version: currentCommitmentText().version });
      }
      const json = JSON.stringify(input.data);
      const row = await repo.insertDeclaration(trx, {
        uscc,
        declaration_type: input.type,
        data: json,
        data_sha256: sha256(json),
        commitment_id: c.id,
        declared_by: actorRef(actor).id ?? uscc,
        declared_at: clock(),
      });
      await event(trx, {
        uscc,
        caseType: 'declaration',
        caseId: row.id,
        event: 'declared',
        actor,
        data: { type: input.type, commitmentId: Number(c.id) },
      });
      await enqueueLedgerEntries(trx, [
        ledgerOf('commitment', 'declarations', row.id, uscc, {
          action: 'declared',
          type: input.type,
          data_sha256: sha256(json),
          commitment_id: Number(c.id),
        }),
      ]);
      return declarationView(row);
    });
  }

  /** Declarations are public under the public commitment; each is marked 自愿申报. */
  async function listDeclarations(actor: Actor, uscc: string): Promise<DeclarationView[]> {
    const all = actor.type === 'operator' || (actor.type === 'enterprise' && actor.uscc === uscc);
    return (await repo.listDeclarations(db, uscc, !all)).map(declarationView);
  }

  /**
   * A commitment found broken (by an operator, or an operator confirming an automatic flag): it shows
   * as broken with the reason, its declarations become `contradicted` and leave the public view, and
   * a negative record (catalog kind `commitment_breach`, provider `platform`) is written through the
   * record store: versioned, ledgered, shown by the read path with its evidence. One transaction.
   */
  async function confirmBroken(
    trx: Db,
    cat: Catalog,
    actor: Actor,
    c: repo.CommitmentRow,
    input: { reason: string; evidence: string | null; breachId: string | number },
  ): Promise<repo.CommitmentRow> {
    const row = await repo.markCommitmentBroken(trx, c.id, input.reason, clock());
    if (!row) throw new AppError('rights_step_invalid', { status: c.status, action: 'break' });
    const n = await repo.setDeclarationsOfCommitment(trx, c.id, 'contradicted');
    await repo.supersedeBreaches(trx, c.id, clock());
    const spec = cfg.commitmentBreachRecord;
    const kind = cat.kinds.find((k) => k.code === spec.kind);
    let recordId: number | null = null;
    if (kind) {
      const subject = await readRecords(
        { db: trx, fieldCrypto, catalog },
        { actor: platform, uscc: c.uscc, kinds: [kind.code], internalPurpose: 'commitment_breach' },
      );
      const data: Record<string, unknown> = {
        name: subject.subject.name,
        uscc: c.uscc,
        commitment_no: `CMT-${c.id}`,
        // What the public reads: the purpose's name (信用修复, 自愿申报…), not its configuration code.
        commitment_purpose: cfg.commitmentPurposes.find((p) => p.code === c.purpose)?.zh ?? c.purpose,
        commitment_matter: c.matter_ref ?? undefined,
        commitment_text_version: c.text_version,
        signed_on: chinaDay(new Date(c.signed_at)),
        found_on: chinaDay(clock()),
        breach_reason: input.reason,
        evidence: input.evidence ?? undefined,
        severity: spec.severity,
        // The record is public: it names the institution, not the operator's internal account (kept
        // in the breach row's reviewed_by and the case history).
        decided_by: '平台运营机构 / platform operator',
      };
      for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
      const res = await applyRows(trx, {
        kind,
        providerId: spec.providerId,
        batchId: null,
        catalogVersion: cat.version,
        rows: [
          {
            row: 1,
            data: fieldCrypto.protectRecordData(kind, data),
            reason: `违背信用承诺 ${c.id} / commitment ${c.id} broken`,
          },
        ],
      });
      if (res.rejected.length) {
        const r = res.rejected[0]!;
        throw new AppError('validation_failed', { detail: `${r.message.zh} / ${r.message.en}` });
      }
      recordId = res.results[0]?.recordId ?? null;
      if (recordId !== null) await repo.setCommitmentBreachRecord(trx, c.id, recordId);
    }
    await event(trx, {
      uscc: row.uscc,
      caseType: 'commitment',
      caseId: c.id,
      event: 'broken',
      actor,
      note: input.reason,
      data: {
        declarationsContradicted: n,
        breachId: Number(input.breachId),
        negativeRecordId: recordId,
        ...(kind
          ? {}
          : { warning: `目录缺少信息项 ${spec.kind}，未写入失信记录 / catalog lacks ${spec.kind}` }),
      },
    });
    await enqueueLedgerEntries(trx, [
      ledgerOf('commitment', 'commitments', c.id, row.uscc, {
        action: 'broken',
        reason_sha256: sha256(input.reason),
        declarations: n,
        breach_id: Number(input.breachId),
        negative_record_id: recordId,
      }),
    ]);
    return (await repo.findCommitment(trx, c.id))!;
  }

  /** Operator: a commitment found broken by hand (a breach of source `operator`, confirmed at once). */
  async function breakCommitment(
    actor: Actor,
    id: number,
    input: { reason: string },
  ): Promise<CommitmentView> {
    const { cat } = await prepare();
    return db.transaction().execute(async (trx) => {
      const c = await repo.findCommitment(trx, id);
      if (!c || (c.status !== 'in_force' && c.status !== 'flagged')) {
        throw new AppError('rights_case_not_found', { what: '有效的信用承诺 / commitment in force', id });
      }
      const a = actorRef(actor);
      const breach = await repo.insertBreach(trx, {
        commitment_id: c.id,
        uscc: c.uscc,
        source: 'operator',
        rule_id: null,
        record_id: null,
        version_id: null,
        kind_code: null,
        evidence: JSON.stringify({ reason_sha256: sha256(input.reason) }),
        status: 'confirmed',
        found_at: clock(),
      });
      await repo.updateBreach(trx, breach!.id, { reviewed_by: a.id ?? a.type, reviewed_at: clock() });
      return commitmentView(
        await confirmBroken(trx, cat, actor, c, {
          reason: input.reason,
          evidence: null,
          breachId: breach!.id,
        }),
      );
    });
  }

  /**
   * The automatic check: new record versions of subjects holding a commitment (queued by a trigger on
   * record_versions) are matched against the contradiction rules; a match flags the commitment with
   * the record as evidence (history row, ledger entry) for an operator to confirm or reject. Runs in
   * the rights job (every RIGHTS_COMMITMENT_CHECK_SECONDS, default 60) and on demand.
   */
  async function checkContradictions(
    opts: { limit?: number } = {},
  ): Promise<{ checked: number; flagged: { commitmentId: number; breachId: number; recordId: number }[] }> {
    const flagged: { commitmentId: number; breachId: number; recordId: number }[] = [];
    let checked = 0;
    const ruleKinds = new Set(cfg.contradictionRules.flatMap((r) => r.kinds));
    for (;;) {
      // One subject's checks per transaction; the catalog is loaded before it opens (PGlite).
      await prepare();
      const done = await db.transaction().execute(async (trx) => {
        const claimed = await repo.claimCommitmentChecks(trx, opts.limit ?? 500);
        if (claimed.length === 0) return false;
        checked += claimed.length;
        const byUscc = new Map<string, typeof claimed>();
        for (const c of claimed) {
          if (!ruleKinds.has(c.kind_code)) continue;
          byUscc.set(c.uscc, [...(byUscc.get(c.uscc) ?? []), c]);
        }
        for (const [uscc, checks] of byUscc) {
          const commitments = await repo.listOpenCommitments(trx, uscc);
          if (commitments.length === 0) continue;
          const kinds = [...new Set(checks.map((c) => c.kind_code))];
          const read = await readRecords(
            { db: trx, fieldCrypto, catalog },
            { actor: platform, uscc, kinds, internalPurpose: 'commitment_check' },
          );
          const byId = new Map(read.records.map((r) => [r.recordId, r]));
          for (const check of checks) {
            const rec = byId.get(Number(check.record_id));
            // Only the version queued counts (a later one is checked on its own).
            if (!rec || rec.versionId !== Number(check.version_id) || rec.status !== 'active') continue;
            for (const c of commitments) {
              const m = contradiction(
                cfg.contradictionRules,
                { purpose: c.purpose, matterRef: c.matter_ref, signedOn: chinaDay(new Date(c.signed_at)) },
                { kindCode: rec.kindCode, occurredOn: rec.occurredOn, data: rec.data },
              );
              if (!m) continue;
              const evidence = {
                record: {
                  kindCode: rec.kindCode,
                  recordId: rec.recordId,
                  versionId: rec.versionId,
                  occurredOn: rec.occurredOn,
                  providerId: rec.providerId,
                },
                matched: { field: m.field, text: m.matched },
              };
              const b = await repo.insertBreach(trx, {
                commitment_id: c.id,
                uscc,
                source: 'auto',
                rule_id: m.ruleId,
                record_id: rec.recordId,
                version_id: rec.versionId,
                kind_code: rec.kindCode,
                evidence: JSON.stringify(evidence),
                status: 'suspected',
                found_at: clock(),
              });
              if (!b) continue;
              await repo.flagCommitment(trx, c.id, clock());
              const rule = cfg.contradictionRules.find((r) => r.id === m.ruleId)!;
              await event(trx, {
                uscc,
                caseType: 'commitment',
                caseId: c.id,
                event: 'flagged',
                actor: platform,
                note: `${rule.zh} / ${rule.en}`,
                data: { breachId: Number(b.id), ...evidence },
              });
              await enqueueLedgerEntries(trx, [
                ledgerOf('commitment', 'commitments', c.id, uscc, {
                  action: 'flagged',
                  breach_id: Number(b.id),
                  rule: m.ruleId,
                  record_id: rec.recordId,
                  version_id: rec.versionId,
                }),
              ]);
              flagged.push({ commitmentId: Number(c.id), breachId: Number(b.id), recordId: rec.recordId });
            }
          }
        }
        return true;
      });
      if (!done) break;
    }
    return { checked, flagged };
  }

  async function listBreaches(
    actor: Actor,
    f: { status?: string | undefined; uscc?: string | undefined; limit?: number | undefined },
  ): Promise<BreachView[]> {
    if (actor.type !== 'operator' && actor.type !== 'system' && actor.type !== 'enterprise') {
      throw new AppError('forbidden', {});
    }
    const uscc = actor.type === 'enterprise' ? subjectOf(actor) : f.uscc;
    const rows = await repo.listBreaches(db, {
      status: f.status,
      uscc,
      limit: Math.min(f.limit ?? 100, 500),
    });
    return rows.map(breachView);
  }

  /**
   * Operator: confirm a suspected breach (the commitment becomes broken and the negative record is
   * written) or reject it (the commitment is in force again once no suspicion is left).
   */
  async function reviewBreach(
    actor: Actor,
    id: number,
    input: { confirm: boolean; note?: string | undefined },
  ): Promise<{ breach: BreachView; commitment: CommitmentView }> {
    const { cat } = await prepare();
    return db.transaction().execute(async (trx) => {
      const b = await repo.findBreach(trx, id, true);
      if (!b) throw new AppError('rights_case_not_found', { what: '违背承诺线索 / breach', id });
      if (b.status !== 'suspected') {
        throw new AppError('rights_step_invalid', { status: b.status, action: 'review' });
      }
      const c = (await repo.findCommitment(trx, b.commitment_id))!;
      const a = actorRef(actor);
      const reviewed = await repo.updateBreach(trx, b.id, {
        status: input.confirm ? 'confirmed' : 'rejected',
        reviewed_by: a.id ?? a.type,
        reviewed_at: clock(),
        review_note: input.note ?? null,
      });
      let commitment: repo.CommitmentRow;
      if (input.confirm) {
        const rule = cfg.contradictionRules.find((r) => r.id === b.rule_id);
        const ev = b.evidence as { record?: { kindCode?: string; recordId?: number; occurredOn?: string } };
        // Named as a reader knows it (行政处罚信息), with the code for a machine reader.
        const evKind = cat.kinds.find((k) => k.code === ev.record?.kindCode);
        const evidence = ev.record
          ? `${evKind ? `${evKind.name_zh}（${ev.record.kindCode}）` : ev.record.kindCode} 记录 record ${ev.record.recordId}（${ev.record.occurredOn ?? '—'}）`
          : null;
        const reason = [rule ? `${rule.zh} / ${rule.en}` : null, evidence, input.note]
          .filter(Boolean)
          .join('；');
        commitment = await confirmBroken(trx, cat, actor, c, { reason, evidence, breachId: b.id });
      } else {
        await repo.unflagCommitment(trx, c.id);
        commitment = (await repo.findCommitment(trx, c.id))!;
        await event(trx, {
          uscc: c.uscc,
          caseType: 'commitment',
          caseId: c.id,
          event: 'flag_rejected',
          actor,
          note: input.note ?? null,
          data: { breachId: Number(b.id), status: commitment.status },
        });
        await enqueueLedgerEntries(trx, [
          ledgerOf('commitment', 'commitments', c.id, c.uscc, {
            action: 'flag_rejected',
            breach_id: Number(b.id),
            note_sha256: input.note ? sha256(input.note) : null,
          }),
        ]);
      }
      return { breach: breachView(reviewed), commitment: commitmentView(commitment) };
    });
  }

  // ---------------------------------------------------------------- credit repair

  async function repairView(d: Db, r: repo.RepairRow): Promise<RepairView> {
    const today = chinaDay(clock());
    const events = await repo.listEvents(d, 'repair', r.id);
    const open = r.closed_at === null && !!r.due_on;
    const missing = open ? uncoveredYears(chinaDay(new Date(r.applied_at)), r.due_on!, await calendar()) : [];
    return {
      id: Number(r.id),
      uscc: r.uscc,
      recordId: Number(r.record_id),
      kindCode: r.kind_code,
      severity: r.severity,
      decidedOn: r.decided_on,
      regime: r.rule_regime,
      minUntil: r.min_until,
      maxUntil: r.max_until,
      penaltyFulfilled: r.penalty_fulfilled,
      evidenceSha256: r.evidence_sha256,
      commitmentId: r.commitment_id === null ? null : Number(r.commitment_id),
      greenChannel: r.green_channel,
      status: r.status,
      statusLabel: repairStatus[r.status]!,
      refusals: (r.refusal as Refusal[] | null) ?? [],
      reviewNote: r.review_note,
      dueOn: r.closed_at === null ? r.due_on : null,
      dueOnProvisional: missing.length > 0,
      calendarWarning: calendarWarning(missing),
      overdue: r.closed_at === null && !!r.due_on && r.due_on < today,
      appliedAt: iso(r.applied_at)!,
      closedAt: iso(r.closed_at),
      history: events.map(eventView),
    };
  }

  /**
   * An application for one record. Eligibility is checked at once; a refusal is kept as a closed
   * case with its reasons (zh/en), so the enterprise sees why and can apply again later.
   */
  async function applyForRepair(
    actor: Actor,
    input: {
      recordId: number;
      penaltyFulfilled: boolean;
      fulfilmentNote?: string | undefined;
      evidence?: AttachmentInput[] | undefined;
      commitmentId?: number | undefined;
      greenChannel?: boolean | undefined;
    },
  ): Promise<RepairView> {
    const uscc = subjectOf(actor);
    const { cal, cat } = await prepare();
    return db.transaction().execute(async (trx) => {
      const rec = await recordOf(trx, uscc, input.recordId, 'repair');
      const kind = kindOf(cat, rec.kindCode);
      const fromField = kind.publicity?.from_field ?? kind.date_field;
      const decidedOn =
        (fromField && typeof rec.data[fromField] === 'string' ? (rec.data[fromField] as string) : null) ??
        rec.occurredOn;
      const periods = repairPeriods(cfg, { kindCode: rec.kindCode, data: rec.data, decidedOn });
      const existing = await repo.findOpenRepair(trx, uscc, input.recordId);
      if (existing) {
        throw new AppError('conflict', {
          detail: `修复申请 ${existing.id} 已存在 / repair ${existing.id} exists`,
        });
      }
      let commitment: repo.CommitmentRow | undefined;
      if (input.commitmentId !== undefined) {
        const c = await repo.findCommitment(trx, input.commitmentId);
        if (c && c.uscc === uscc && c.status === 'in_force') commitment = c;
      }
      const evidence = (input.evidence ?? []).map((e) => sha256(Buffer.from(e.content, 'base64')));
      const today = chinaDay(clock());
      const refusals = repairRefusals({
        today,
        periods,
        penaltyFulfilled: input.penaltyFulfilled,
        evidenceCount: evidence.length,
        commitmentSigned: !!commitment,
        negative: kind.negative,
      });
      const green = !!input.greenChannel;
      const days = green
        ? cfg.repairDeadlines.greenChannelReviewWorkingDays
        : cfg.repairDeadlines.reviewWorkingDays;
      const dueOn = refusals.length ? null : addWorkingDays(today, days, cal);
      const row = await repo.insertRepair(trx, {
        uscc,
        record_id: input.recordId,
        kind_code: rec.kindCode,
        severity: periods.severity,
        decided_on: decidedOn,
        rule_regime: periods.regime.id,
        min_until: periods.minUntil,
        max_until: periods.maxUntil,
        penalty_fulfilled: input.penaltyFulfilled,
        fulfilment_note: input.fulfilmentNote ?? null,
        evidence_sha256: evidence,
        commitment_id: commitment?.id ?? null,
        green_channel: green,
        status: refusals.length ? 'refused' : 'under_review',
        refusal: refusals.length ? JSON.stringify(refusals) : null,
        review_note: null,
        due_on: dueOn,
        applied_by: actorRef(actor).id ?? uscc,
        applied_at: clock(),
        closed_at: refusals.length ? clock() : null,
      });
      await event(trx, {
        uscc,
        caseType: 'repair',
        caseId: row.id,
        event: refusals.length ? 'refused' : 'applied',
        actor,
        note: refusals.map((r) => `${r.zh} / ${r.en}`).join('；') || null,
        data: { dueOn, greenChannel: green, override: periods.override },
      });
      await enqueueLedgerEntries(trx, [
        ledgerOf('repair', 'repairs', row.id, uscc, {
          action: refusals.length ? 'refused' : 'applied',
          record_id: input.recordId,
          severity: periods.severity,
          regime: periods.regime.id,
          refusals: refusals.map((r) => r.code),
          evidence_sha256: evidence,
          commitment_id: commitment ? Number(commitment.id) : null,
          green_channel: green,
          due_on: dueOn,
        }),
      ]);
      return repairView(trx, row);
    });
  }

  async function loadRepair(trx: Db, actor: Actor, id: number, forUpdate: boolean): Promise<repo.RepairRow> {
    const row = await repo.findRepair(trx, id, forUpdate);
    const visible =
      row &&
      (actor.type === 'operator' ||
        actor.type === 'system' ||
        (actor.type === 'enterprise' && actor.uscc === row.uscc));
    if (!row || !visible) throw new AppError('rights_case_not_found', { what: '信用修复申请 / repair', id });
    return row;
  }

  /** Operator review: approved → the record is marked 已修复 (hidden from institutions and the public). */
  async function reviewRepair(
    actor: Actor,
    id: number,
    input: { approve: boolean; note?: string | undefined },
  ): Promise<RepairView> {
    await prepare();
    return db.transaction().execute(async (trx) => {
      const row = await loadRepair(trx, actor, id, true);
      if (row.status !== 'under_review') {
        throw new AppError('rights_step_invalid', { status: row.status, action: 'review' });
      }
      const status = input.approve ? 'repaired' : 'rejected';
      const done = await repo.updateRepair(trx, row.id, {
        status,
        review_note: input.note ?? null,
        closed_at: clock(),
      });
      if (input.approve) {
        await addRecordMark(trx, {
          recordId: Number(row.record_id),
          uscc: row.uscc,
          mark: 'repaired',
          sourceTable: 'repairs',
          sourceId: row.id,
          note: input.note ?? null,
        });
      }
      await event(trx, {
        uscc: row.uscc,
        caseType: 'repair',
        caseId: row.id,
        event: status,
        actor,
        note: input.note ?? null,
      });
      await enqueueLedgerEntries(trx, [
        ledgerOf('repair', 'repairs', row.id, row.uscc, {
          action: status,
          record_id: Number(row.record_id),
          actor: actorRef(actor),
        }),
      ]);
      await notify(trx, row.uscc, 'repair', row.id, input.approve ? 'repaired' : 'repair_rejected');
      return repairView(trx, done);
    });
  }

  async function getRepair(actor: Actor, id: number): Promise<RepairView> {
    return repairView(db, await loadRepair(db, actor, id, false));
  }

  /** Open cases first, green channel first among them, then the earliest deadline. */
  async function listRepairs(
    actor: Actor,
    f: { uscc?: string | undefined; status?: string | undefined; limit?: number | undefined },
  ): Promise<RepairView[]> {
    const uscc = actor.type === 'enterprise' ? subjectOf(actor) : f.uscc;
    if (actor.type !== 'enterprise' && actor.type !== 'operator' && actor.type !== 'system') {
      throw new AppError('forbidden', {});
    }
    const rows = await repo.listRepairs(db, { uscc, status: f.status, limit: Math.min(f.limit ?? 100, 500) });
    return Promise.all(rows.map((r) => repairView(db, r)));
  }

  return {
    calendar,
    calendarStatus: getCalendarStatus,
    /** Makes the stored publicity ends follow rights.config.json (run when `serve` starts). */
    syncPublicityRules: () => syncPublicityRules(db, cfg),
    importCalendarYear,
    config: cfg,
    currentCommitmentText,
    fileObjection,
    acceptObjection,
    forwardObjection,
    answerObjection,
    decideObjection,
    getObjection,
    getObjectionAttachment,
    listObjections,
    checkOverdue,
    signCommitment,
    listCommitments,
    declare,
    listDeclarations,
    breakCommitment,
    checkContradictions,
    listBreaches,
    reviewBreach,
    applyForRepair,
    reviewRepair,
    getRepair,
    listRepairs,
  };
}

function eventView(e: repo.EventRow): CaseEvent {
  return {
    event: e.event,
    actorType: e.actor_type,
    actorId: e.actor_id,
    note: e.note,
    data: e.data,
    at: new Date(e.at).toISOString(),
  };
}

export type RightsService = ReturnType<typeof createRightsService>;
