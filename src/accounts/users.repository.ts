import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ClientKeysTable, SessionsTable, UsersTable } from './accounts.tables.ts';

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ClientKeyRow = Selectable<ClientKeysTable>;

// ---- users ----

export async function insertUser(db: Db, row: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByUsername(
  db: Db,
  username: string,
  forUpdate = false,
): Promise<UserRow | undefined> {
  let q = db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase());
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findUser(db: Db, id: string, forUpdate = false): Promise<UserRow | undefined> {
  let q = db.selectFrom('users').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findActiveEnterpriseUser(db: Db, uscc: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('role', '=', 'enterprise')
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function listUsers(
  db: Db,
  f: { orgId?: string | undefined; role?: string | undefined },
): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll();
  if (f.orgId) q = q.where('org_id', '=', f.orgId);
  if (f.role) q = q.where('role', '=', f.role);
  return q.orderBy('username').limit(1000).execute();
}

export async function recordLoginFailure(
  db: Db,
  id: string,
  failed: number,
  lockedUntil: Date | null,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_logins: failed, locked_until: lockedUntil })
    .where('id', '=', id)
    .execute();
}

export async function recordLoginSuccess(db: Db, id: string, at: Date, newHash?: string): Promise<void> {
  await db
    .updateTable('users')
    .set({
      failed_logins: 0,
      locked_until: null,
      last_login_at: at,
      ...(newHash ? { password_hash: newHash } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function setTotpStep(db: Db, id: string, step: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_last_step: step, failed_logins: 0 })
    .where('id', '=', id)
    .execute();
}

// ---- sessions ----

export async function insertSession(db: Db, row: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export interface SessionWithUser {
  session: SessionRow;
  user: UserRow;
}

export async function findSessionWithUser(db: Db, tokenHash: string): Promise<SessionWithUser | undefined> {
  const session = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!session) return undefined;
  const user = await findUser(db, session.user_id);
  return user ? { session, user } : undefined;
}

export async function touchSession(db: Db, tokenHash: string, at: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
}

export async function revokeSession(db: Db, tokenHash: string, at: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Deletes sessions that ended before `endedBefore`: expired, revoked, or idle since
 * `idleSince` (the caller's idle timeout before `endedBefore`). Returns how many.
 */
export async function deleteEndedSessions(db: Db, endedBefore: Date, idleSince: Date): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', endedBefore),
        eb('revoked_at', '<', endedBefore),
        eb('last_seen_at', '<', idleSince),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- machine-client keys and nonces ----

export async function insertClientKey(db: Db, row: Insertable<ClientKeysTable>): Promise<ClientKeyRow> {
  return db.insertInto('client_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findClientKey(db: Db, keyId: string): Promise<ClientKeyRow | undefined> {
  return db.selectFrom('client_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
}

export async function listClientKeys(db: Db, orgId: string): Promise<ClientKeyRow[]> {
  return db.selectFrom('client_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
}

export async function revokeClientKey(db: Db, keyId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('client_keys')
    .set({ revoked_at: at })
    .where('key_id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function touchClientKey(db: Db, keyId: string, at: Date): Promise<void> {
  await db.updateTable('client_keys').set({ last_used_at: at }).where('key_id', '=', keyId).execute();
}

/** Records a nonce; false when this key already used it (a replay). */
export async function claimNonce(db: Db, keyId: string, nonce: string, at: Date): Promise<boolean> {
  const r = await db
    .insertInto('request_nonces')
    .values({ key_id: keyId, nonce, seen_at: at })
    .onConflict((oc) => oc.columns(['key_id', 'nonce']).doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return !!r;
}

/** Nonces older than the freshness window can go: their timestamps would be refused anyway. */
export async function pruneNonces(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('request_nonces').where('seen_at', '<', before).execute();
}
