import type { Db } from '../db/database.ts';
import type { Clock } from '../consent/consent.service.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor, AuthenticatedActor } from './actor.ts';
import { listAccessLog, type AccessLogRow } from './access-log.repository.ts';
import type { CatalogSource } from './catalog-view.ts';
import type { FieldCrypto } from './field-crypto.ts';
import { readRecords, type RecordMarksProvider } from './read-path.ts';
import type { ReadRecordsQuery, ReadRecordsResult } from './read-path.types.ts';

/** One access-log entry as the subject and operators see it. */
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

function toEntry(r: AccessLogRow): AccessLogEntry {
  return {
    id: Number(r.id),
    uscc: r.uscc,
    occurredAt: new Date(r.occurred_at).toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    orgId: r.org_id,
    basis: r.basis,
    purpose: r.purpose,
    consentId: r.consent_id,
    mode: r.mode,
    kinds: r.kinds,
    recordCount: r.record_count,
    nonPublic: r.non_public,
  };
}

export interface AccessLogQuery {
  uscc?: string | undefined;
  orgId?: string | undefined;
  actorId?: string | undefined;
  consentId?: string | undefined;
  nonPublicOnly?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  beforeId?: number | undefined;
  limit?: number | undefined;
}

export interface AccessServiceDeps {
  db: Db;
  fieldCrypto: FieldCrypto;
  catalog?: CatalogSource | undefined;
  marks?: RecordMarksProvider | undefined;
  clock?: Clock | undefined;
}

export function createAccessService(deps: AccessServiceDeps) {
  const search = async (q: AccessLogQuery): Promise<AccessLogEntry[]> => {
    const rows = await listAccessLog(deps.db, {
      uscc: q.uscc,
      orgId: q.orgId,
      actorId: q.actorId,
      consentId: q.consentId,
      nonPublicOnly: q.nonPublicOnly,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      beforeId: q.beforeId,
      limit: Math.min(Math.max(q.limit ?? 100, 1), 1000),
    });
    return rows.map(toEntry);
  };
  return {
    /** The one read path, bound to this context (see read-path.ts). */
    readRecords(q: ReadRecordsQuery): Promise<ReadRecordsResult> {
      return readRecords(deps, q);
    },

    /** The enterprise's own access log: who looked at its information, when, why, under which consent. */
    async listMyAccessLog(actor: AuthenticatedActor, q: AccessLogQuery): Promise<AccessLogEntry[]> {
      if (actor.type !== 'enterprise' || !actor.uscc) throw new AppError('forbidden');
      return search({ ...q, uscc: actor.uscc });
    },

    /** Operators search the whole log. */
    async searchAccessLog(actor: Actor, q: AccessLogQuery): Promise<AccessLogEntry[]> {
      if (actor.type !== 'operator' && actor.type !== 'system') throw new AppError('forbidden');
      return search(q);
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
