import { createHash } from 'node:crypto';
import type { Actor } from '../access/actor.ts';
import { addMonths, chinaDay } from '../access/china-time.ts';
import { findOrganisation } from '../accounts/organisations.repository.ts';
import type { Db } from '../db/database.ts';
import { enqueueLedgerEntries } from '../ledger/ledger-queue.ts';
import type { ProfileTag, TagSource } from '../profiles/profile.service.ts';
import { AppError } from '../shared/errors.ts';
import { regionPrefix } from '../subjects/dictionaries.ts';
import { findSubjectRow } from '../subjects/subjects.repository.ts';
import { parseUscc } from '../subjects/subjects.service.ts';
import * as repo from './whitelist.repository.ts';

/**
 * The financing whitelist (融资白名单, decision 0110). Recommenders — district governments and
 * industry departments — screen enterprises and recommend them with a category and a reason;
 * operators review (approve: listed for a term; reject); the recommending organisation may withdraw
 * and an operator may remove a listed entry. Institutions see the entries in force, the enterprise
 * its own entries, operators everything, recommenders their organisation's. Every step is a row of
 * the entry's history and a `whitelist` ledger leaf in the same transaction.
 */

/** Why a subject is recommended (推荐类别), as recommending units usually file them. */
export const whitelistCategories = {
  srdi: { zh: '专精特新企业', en: 'Specialised and innovative SME' },
  tech_sme: { zh: '科技型中小企业', en: 'Technology-based SME' },
  manufacturing: { zh: '先进制造业企业', en: 'Advanced manufacturing' },
  agriculture: { zh: '涉农经营主体', en: 'Agricultural business' },
  foreign_trade: { zh: '外贸企业', en: 'Foreign trade' },
  employment: { zh: '稳岗就业重点企业', en: 'Key employer' },
  key_project: { zh: '重点项目企业', en: 'Key project' },
  individual_business: { zh: '个体工商户', en: 'Individual business' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type WhitelistCategory = keyof typeof whitelistCategories;
export const whitelistCategoryCodes = Object.keys(whitelistCategories) as [
  WhitelistCategory,
  ...WhitelistCategory[],
];

export const whitelistStatuses = [
  'pending',
  'listed',
  'expired',
  'rejected',
  'withdrawn',
  'removed',
] as const;
export type WhitelistStatus = (typeof whitelistStatuses)[number];

const statusLabels: Record<WhitelistStatus, { zh: string; en: string }> = {
  pending: { zh: '待审核', en: 'Pending review' },
  listed: { zh: '已入库', en: 'Listed' },
  expired: { zh: '已到期', en: 'Expired' },
  rejected: { zh: '未通过', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  removed: { zh: '已移出', en: 'Removed' },
};

const eventLabels: Record<string, { zh: string; en: string }> = {
  recommended: { zh: '推荐', en: 'Recommended' },
  approved: { zh: '审核通过，列入白名单', en: 'Approved and listed' },
  rejected: { zh: '审核未通过', en: 'Rejected' },
  withdrawn: { zh: '推荐单位撤回', en: 'Withdrawn by the recommender' },
  removed: { zh: '移出白名单', en: 'Removed from the whitelist' },
};

/** Registration statuses that end a business: such a subject cannot be recommended. */
const inactiveRegistration = /注销|吊销|撤销|歇业/;

/** A listing lasts 12 months unless the operator sets another end date (at most 24 months). */
const defaultTermMonths = 12;
const maxTermMonths = 24;

export interface WhitelistEntryView {
  id: number;
  uscc: string;
  subjectName: string | null;
  regionCode: string | null;
  orgId: string;
  orgName: string | null;
  recommendedByName: string | null;
  category: WhitelistCategory | string;
  categoryLabel: { zh: string; en: string };
  reason: string;
  status: WhitelistStatus;
  statusLabel: { zh: string; en: string };
  validUntil: string | null;
  decisionNote: string | null;
  decidedAt: string | null;
  closeReason: string | null;
  closedAt: string | null;
  createdAt: string;
  history?: {
    event: string;
    label: { zh: string; en: string };
    actorType: string;
    orgId: string | null;
    note: string | null;
    at: string;
  }[];
}

export interface WhitelistListQuery {
  status?: WhitelistStatus | undefined;
  uscc?: string | undefined;
  category?: string | undefined;
  region?: string | undefined;
  orgId?: string | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
}

export interface WhitelistDeps {
  db: Db;
  clock?: (() => Date) | undefined;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function actorName(actor: Actor): string | null {
  if (actor.type === 'anonymous') return null;
  if (actor.type === 'system') return `system:${actor.name}`;
  return actor.id;
}

export function createWhitelistService(deps: WhitelistDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const today = () => chinaDay(clock());

  function effectiveStatus(row: repo.WhitelistEntryRow, day: string): WhitelistStatus {
    if (row.status === 'listed' && row.valid_until && row.valid_until < day) return 'expired';
    return row.status as WhitelistStatus;
  }

  function view(row: repo.WhitelistEntryListRow, day: string): WhitelistEntryView {
    const status = effectiveStatus(row, day);
    const cat = whitelistCategories[row.category as WhitelistCategory] ?? {
      zh: row.category,
      en: row.category,
    };
    return {
      id: Number(row.id),
      uscc: row.uscc,
      subjectName: row.subject_name,
      regionCode: row.region_code,
      orgId: row.org_id,
      orgName: row.org_name,
      recommendedByName: row.recommended_by_name,
      category: row.category,
      categoryLabel: cat,
      reason: row.reason,
      status,
      statusLabel: statusLabels[status],
      validUntil: row.valid_until,
      decisionNote: row.decision_note,
      decidedAt: iso(row.decided_at),
      closeReason: row.close_reason,
      closedAt: iso(row.closed_at),
      createdAt: iso(row.created_at)!,
    };
  }

  async function withHistory(d: Db, row: repo.WhitelistEntryListRow): Promise<WhitelistEntryView> {
    const events = await repo.listEvents(d, Number(row.id));
    return {
      ...view(row, today()),
      history: events.map((e) => ({
        event: e.event,
        label: eventLabels[e.event] ?? { zh: e.event, en: e.event },
        actorType: e.actor_type,
        orgId: e.org_id,
        note: e.note,
        at: iso(e.at)!,
      })),
    };
  }

  /** Who may see an entry (list filters apply the same rule in SQL). */
  function canSee(actor: Actor, row: repo.WhitelistEntryRow): boolean {
    switch (actor.type) {
      case 'operator':
      case 'system':
        return true;
      case 'recommender':
        return actor.orgId === row.org_id;
      case 'enterprise':
        return actor.uscc === row.uscc;
      case 'institution':
      case 'institution_system':
        return effectiveStatus(row, today()) === 'listed';
      default:
        return false;
    }
  }

  /** One step: the history row and the ledger leaf, in the caller's transaction. */
  async function record(
    trx: Db,
    actor: Actor,
    row: repo.WhitelistEntryRow,
    event: string,
    note: string | null,
  ): Promise<void> {
    const actorOrg = actor.type !== 'anonymous' && actor.type !== 'system' ? (actor.orgId ?? null) : null;
    await repo.insertEvent(trx, {
      entry_id: Number(row.id),
      uscc: row.uscc,
      event,
      actor_type: actor.type,
      actor_id: actorName(actor),
      org_id: actorOrg,
      note,
    });
    // Ledger entries are public: texts go in as digests (a reason may name people or figures).
    await enqueueLedgerEntries(trx, [
      {
        entryType: 'whitelist',
        refTable: 'whitelist_entries',
        refId: String(row.id),
        uscc: row.uscc,
        payload: {
          id: Number(row.id),
          event,
          status: row.status,
          org_id: row.org_id,
          category: row.category,
          valid_until: row.valid_until,
          reason_sha256: sha256(row.reason),
          note_sha256: note === null ? null : sha256(note),
          actor_type: actor.type,
        },
      },
    ]);
  }

  async function getRow(id: number): Promise<repo.WhitelistEntryListRow> {
    const row = await repo.findEntry(db, id);
    if (!row) throw new AppError('not_found', { what: `白名单条目 / whitelist entry ${id}` });
    return row;
  }

  function stepError(row: repo.WhitelistEntryRow, zh: string, en: string): AppError {
    const status = effectiveStatus(row, today());
    return new AppError('whitelist_step_invalid', {
      id: Number(row.id),
      status: `${statusLabels[status].zh} / ${status}`,
      action_zh: zh,
      action_en: en,
    });
  }

  const requireText = (v: string | undefined | null, field: string): string => {
    const t = v?.trim() ?? '';
    if (!t) throw new AppError('validation_failed', { detail: `${field}: 必填 / required` });
    return t;
  };

  return {
    categories: whitelistCategories,

    /** A recommender proposes a subject of its area with a category and a reason. */
    async recommend(
      actor: Actor,
      input: { uscc: string; category: string; reason: string },
    ): Promise<WhitelistEntryView> {
      if (actor.type !== 'recommender' || !actor.orgId) throw new AppError('forbidden');
      const uscc = parseUscc(input.uscc);
      if (!(input.category in whitelistCategories)) {
        throw new AppError('validation_failed', { detail: `category: ${input.category}` });
      }
      const reason = requireText(input.reason, 'reason');
      const org = await findOrganisation(db, actor.orgId);
      if (!org || (org.kind !== 'district' && org.kind !== 'department') || org.status !== 'active') {
        throw new AppError('forbidden');
      }
      const subject = await findSubjectRow(db, uscc);
      if (!subject) throw new AppError('not_found', { what: `信用主体 / subject ${uscc}` });
      if (subject.registration_status && inactiveRegistration.test(subject.registration_status)) {
        throw new AppError('whitelist_subject_inactive', { status: subject.registration_status });
      }
      // A district recommends enterprises registered in its area; a department (行业主管部门) any.
      const area = org.kind === 'district' && org.region_code ? regionPrefix(org.region_code) : undefined;
      if (area && !(subject.region_code ?? '').startsWith(area)) {
        throw new AppError('whitelist_out_of_area', {
          region: subject.region_code ?? '—',
          org: org.name_zh,
          area: org.region_code!,
        });
      }
      const duplicate = async () => {
        const open = await repo.findOpenEntry(db, uscc, org.id);
        return open
          ? new AppError('whitelist_duplicate', { id: Number(open.id), status: open.status })
          : undefined;
      };
      const known = await duplicate();
      if (known) throw known;
      const entry = await db
        .transaction()
        .execute(async (trx) => {
          const row = await repo.insertEntry(trx, {
            uscc,
            org_id: org.id,
            recommended_by: actor.id,
            category: input.category,
            reason,
            status: 'pending',
          });
          await record(trx, actor, row, 'recommended', null);
          return row;
        })
        .catch(async (e: unknown) => {
          // Two recommendations racing: the unique index on open entries lets one through.
          if ((e as { code?: string }).code === '23505') throw (await duplicate()) ?? e;
          throw e;
        });
      return withHistory(db, (await repo.findEntry(db, Number(entry.id)))!);
    },

    /** The recommending organisation takes back a pending or listed entry, saying why. */
    async withdraw(actor: Actor, id: number, reason: string): Promise<WhitelistEntryView> {
      const row = await getRow(id);
      if (actor.type !== 'recommender' || actor.orgId !== row.org_id) {
        throw new AppError('not_found', { what: `白名单条目 / whitelist entry ${id}` });
      }
      const why = requireText(reason, 'reason');
      await db.transaction().execute(async (trx) => {
        const next = await repo.transitionEntry(trx, id, ['pending', 'listed'], {
          status: 'withdrawn',
          closed_by: actorName(actor),
          closed_at: clock(),
          close_reason: why,
        });
        if (!next) throw stepError(row, '撤回', 'withdraw');
        await record(trx, actor, next, 'withdrawn', why);
      });
      return withHistory(db, await getRow(id));
    },

    /** An operator approves (listed until `validUntil`, 12 months by default) or rejects with a note. */
    async review(
      actor: Actor,
      id: number,
      input: { decision: 'approve' | 'reject'; note?: string | undefined; validUntil?: string | undefined },
    ): Promise<WhitelistEntryView> {
      if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden');
      const row = await getRow(id);
      const day = today();
      let validUntil: string | null = null;
      if (input.decision === 'approve') {
        validUntil = input.validUntil ?? addMonths(day, defaultTermMonths);
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(validUntil) ||
          validUntil < day ||
          validUntil > addMonths(day, maxTermMonths)
        ) {
          throw new AppError('validation_failed', {
            detail: `validUntil: ${day} ~ ${addMonths(day, maxTermMonths)}`,
          });
        }
      }
      const note = input.decision === 'reject' ? requireText(input.note, 'note') : input.note?.trim() || null;
      await db.transaction().execute(async (trx) => {
        const next = await repo.transitionEntry(trx, id, ['pending'], {
          status: input.decision === 'approve' ? 'listed' : 'rejected',
          valid_until: validUntil,
          decided_by: actorName(actor),
          decided_at: clock(),
          decision_note: note,
        });
        if (!next) throw stepError(row, '审核', 'review');
        await record(trx, actor, next, input.decision === 'approve' ? 'approved' : 'rejected', note);
      });
      return withHistory(db, await getRow(id));
    },

    /** An operator takes a listed entry off the whitelist (e.g. the enterprise became a dishonest debtor). */
    async remove(actor: Actor, id: number, reason: string): Promise<WhitelistEntryView> {
      if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden');
      const row = await getRow(id);
      const why = requireText(reason, 'reason');
      await db.transaction().execute(async (trx) => {
        const next = await repo.transitionEntry(trx, id, ['listed'], {
          status: 'removed',
          closed_by: actorName(actor),
          closed_at: clock(),
          close_reason: why,
        });
        if (!next) throw stepError(row, '移出', 'remove');
        await record(trx, actor, next, 'removed', why);
      });
      return withHistory(db, await getRow(id));
    },

    async get(actor: Actor, id: number): Promise<WhitelistEntryView> {
      const row = await getRow(id);
      if (!canSee(actor, row)) {
        throw new AppError('not_found', { what: `白名单条目 / whitelist entry ${id}` });
      }
      return withHistory(db, row);
    },

    /**
     * A page of entries, newest first. Institutions see only entries in force; recommenders their
     * organisation's; operators any (filters: status, subject, category, region, organisation).
     */
    async list(
      actor: Actor,
      q: WhitelistListQuery,
    ): Promise<{ items: WhitelistEntryView[]; page: number; pageSize: number; total: number }> {
      const page = Math.max(1, Math.floor(q.page ?? 1));
      const pageSize = Math.min(100, Math.max(1, Math.floor(q.pageSize ?? 20)));
      const day = today();
      const f: repo.WhitelistFilter = { limit: pageSize, offset: (page - 1) * pageSize };
      if (q.uscc) f.uscc = parseUscc(q.uscc);
      if (q.category) f.category = q.category;
      if (q.region) {
        const p = regionPrefix(q.region);
        if (!p) throw new AppError('validation_failed', { detail: `region: ${q.region}` });
        f.region = { from: p.padEnd(6, '0'), to: p.padEnd(6, '9') };
      }
      const status = q.status;
      if (actor.type === 'institution' || actor.type === 'institution_system') {
        if (status && status !== 'listed') {
          throw new AppError('forbidden');
        }
        f.inForceOn = day;
      } else if (actor.type === 'recommender') {
        if (!actor.orgId) throw new AppError('forbidden');
        f.orgId = actor.orgId;
      } else if (actor.type === 'operator' || actor.type === 'system') {
        if (q.orgId) f.orgId = q.orgId;
      } else {
        throw new AppError('forbidden');
      }
      if (status === 'listed') f.inForceOn = day;
      else if (status === 'expired') f.expiredOn = day;
      else if (status) f.statuses = [status];
      const found = await repo.listEntries(db, f);
      return { items: found.rows.map((r) => view(r, day)), page, pageSize, total: found.total };
    },

    /**
     * A subject's whitelist standing as the caller may see it: the enterprise itself, operators and
     * recommenders (their organisation's entries) see every entry; institutions the entries in force.
     */
    async subjectStatus(
      actor: Actor,
      rawUscc: string,
    ): Promise<{ uscc: string; listed: boolean; entries: WhitelistEntryView[] }> {
      const uscc = parseUscc(rawUscc);
      if (actor.type === 'enterprise' && actor.uscc !== uscc) throw new AppError('forbidden');
      const day = today();
      const rows = (await repo.listSubjectEntries(db, uscc)).filter((r) => canSee(actor, r));
      const entries = rows.map((r) => view(r, day));
      return { uscc, listed: entries.some((e) => e.status === 'listed'), entries };
    },

    /**
     * The profile's whitelist tag (decision 0084): shown to those who may see the whitelist when the
     * subject has an entry in force; anonymous viewers and other enterprises get no tag.
     */
    tagSource: (async (uscc: string, actor: Actor): Promise<ProfileTag[]> => {
      const mayKnow =
        actor.type === 'operator' ||
        actor.type === 'system' ||
        actor.type === 'institution' ||
        actor.type === 'institution_system' ||
        actor.type === 'recommender' ||
        (actor.type === 'enterprise' && actor.uscc === uscc);
      if (!mayKnow) return [];
      const day = today();
      const listed = (await repo.listSubjectEntries(db, uscc)).filter(
        (r) => effectiveStatus(r, day) === 'listed',
      );
      if (!listed.length) return [];
      return [
        {
          code: 'whitelist',
          category: 'whitelist',
          zh: '融资白名单',
          en: 'Financing whitelist',
          evidence: [],
          detail: {
            entries: listed.map((r) => ({
              id: Number(r.id),
              org: r.org_name ?? r.org_id,
              category: r.category,
              validUntil: r.valid_until,
            })),
          },
        },
      ];
    }) satisfies TagSource,
  };
}

export type WhitelistService = ReturnType<typeof createWhitelistService>;
