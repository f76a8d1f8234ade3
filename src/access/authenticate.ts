import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { anonymous, roles, type Actor, type Role } from './actor.ts';

/** Tokens are stored as SHA-256 hashes; the plain token is shown once, when it is created. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Resolves the actor from a bearer token (machine clients, until request signing replaces it).
 * Unknown or revoked tokens resolve to undefined so the caller can answer 401.
 */
export async function actorFromBearer(db: Db, token: string): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['principal_type', 'principal_id'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !(roles as readonly string[]).includes(row.principal_type)) return undefined;
  const type = row.principal_type as Role;
  return { type, id: row.principal_id, orgId: row.principal_id };
}

export async function createApiToken(
  db: Db,
  principal: { type: Role; id: string },
  label: string,
  token: string,
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      token_hash: hashToken(token),
      principal_type: principal.type,
      principal_id: principal.id,
      label,
      revoked_at: null,
    })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
}

export { anonymous };
