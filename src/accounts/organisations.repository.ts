import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DataSharingAgreementsTable, OrganisationsTable } from './accounts.tables.ts';

export type OrganisationRow = Selectable<OrganisationsTable>;
export type AgreementRow = Selectable<DataSharingAgreementsTable>;

export async function insertOrganisation(
  db: Db,
  row: Insertable<OrganisationsTable>,
): Promise<OrganisationRow> {
  return db.insertInto('organisations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOrganisation(db: Db, id: string): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listOrganisations(db: Db, kind?: string): Promise<OrganisationRow[]> {
  let q = db.selectFrom('organisations').selectAll();
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('id').execute();
}

export async function insertAgreement(
  db: Db,
  row: Insertable<DataSharingAgreementsTable>,
): Promise<AgreementRow> {
  return db.insertInto('data_sharing_agreements').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listAgreements(db: Db, orgIds: string[]): Promise<AgreementRow[]> {
  if (orgIds.length === 0) return [];
  return db
    .selectFrom('data_sharing_agreements')
    .selectAll()
    .where('org_id', 'in', orgIds)
    .orderBy('org_id')
    .orderBy('valid_until', 'desc')
    .execute();
}

/** The agreement in force on `day` (YYYY-MM-DD) with the latest end, if any. */
export async function findAgreementInForce(
  db: Db,
  orgId: string,
  day: string,
): Promise<AgreementRow | undefined> {
  return db
    .selectFrom('data_sharing_agreements')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('valid_from', '<=', day)
    .where('valid_until', '>=', day)
    .orderBy('valid_until', 'desc')
    .limit(1)
    .executeTakeFirst();
}
