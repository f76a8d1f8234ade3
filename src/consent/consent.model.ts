import type { ConsentRow } from './consent.repository.ts';
import type { Consent, ConsentMode, ConsentPurpose, ConsentState } from './consent.types.ts';

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

/** The state at `now`, computed from the row (never stored, so it cannot go stale). */
export function consentState(row: ConsentRow, now: Date): ConsentState {
  if (row.revoked_at) return 'REVOKED';
  if (new Date(row.valid_until).getTime() <= now.getTime()) return 'EXPIRED';
  if (row.max_uses !== null && row.use_count >= row.max_uses) return 'EXHAUSTED';
  return 'ACTIVE';
}

export function toConsent(row: ConsentRow, now: Date): Consent {
  return {
    id: row.id,
    uscc: row.uscc,
    institutionId: row.institution_id,
    purpose: row.purpose as ConsentPurpose,
    scope: { kinds: row.scope_kinds, categories: row.scope_categories },
    mode: row.mode as ConsentMode,
    validFrom: iso(row.valid_from)!,
    validUntil: iso(row.valid_until)!,
    maxUses: row.max_uses,
    useCount: row.use_count,
    lastUsedAt: iso(row.last_used_at),
    dataFrom: row.data_from,
    dataTo: row.data_to,
    source: row.source as 'online' | 'written',
    writtenAuthorizationId:
      row.written_authorization_id === null ? null : Number(row.written_authorization_id),
    grantedBy: row.granted_by,
    createdAt: iso(row.created_at)!,
    revokedAt: iso(row.revoked_at),
    revokeReason: row.revoke_reason,
    state: consentState(row, now),
  };
}
