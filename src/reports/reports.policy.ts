import type { Actor } from '../access/actor.ts';
import type { ReportType } from './report.types.ts';

/**
 * Who may issue and read which report (docs/decisions/0091-report-types-and-access.md). Pure functions,
 * tested as a table.
 *
 * Issue:
 * - public: anyone, anonymous included (公开信息, 双公示).
 * - full: an institution (user or machine client) under a consent of the subject; the consent is checked
 *   and counted by `authorizeUse`.
 * - self: the enterprise for itself, free; operators at the service counter on its behalf.
 * - special: the enterprise for itself (信用代证: it applies and hands the report to whoever asked for a
 *   无违法违规证明); operators on its behalf. Anyone can verify it by number or file.
 * Read (fetch the content again):
 * - public: anyone who has the number;
 * - full: the institution that issued it; self and special: the enterprise itself;
 * - operators: every report (audit); the platform itself (CLI): every report.
 */

export type PolicyResult = { ok: true } | { ok: false; zh: string; en: string };

const ok: PolicyResult = { ok: true };

export function canIssue(actor: Actor, type: ReportType, uscc: string): PolicyResult {
  if (type === 'public') return ok;
  if (actor.type === 'system') return ok;
  if (type === 'full') {
    return actor.type === 'institution' || actor.type === 'institution_system'
      ? ok
      : {
          ok: false,
          zh: '授权查询版仅供持有信用主体授权的接入机构',
          en: 'full reports are for institutions holding a consent',
        };
  }
  if (actor.type === 'operator') return ok;
  if (actor.type === 'enterprise' && actor.uscc === uscc) return ok;
  return {
    ok: false,
    zh: type === 'self' ? '本人查询版仅供信用主体本人' : '专项信用报告仅供信用主体本人申请',
    en:
      type === 'self'
        ? 'self reports are for the subject itself'
        : 'special reports are issued to the subject itself',
  };
}

export interface ReportOwnership {
  type: string;
  uscc: string;
  requesterId: string | null;
  requesterOrg: string | null;
}

export function canRead(actor: Actor, r: ReportOwnership): PolicyResult {
  if (r.type === 'public') return ok;
  if (actor.type === 'operator' || actor.type === 'system') return ok;
  if (r.type === 'full') {
    if (
      (actor.type === 'institution' || actor.type === 'institution_system') &&
      actor.orgId === r.requesterOrg
    ) {
      return ok;
    }
    return {
      ok: false,
      zh: '授权查询版仅限出具给的机构查看',
      en: 'a full report is for the institution it was issued to',
    };
  }
  if (actor.type === 'enterprise' && actor.uscc === r.uscc) return ok;
  return { ok: false, zh: '该报告仅限信用主体本人查看', en: 'this report is for the subject itself' };
}
