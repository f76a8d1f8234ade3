import type { Db } from '../db/database.ts';
import { createCatalogService } from '../catalog/catalog.service.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';

/**
 * Loads the seed catalog (both sharing lists) into a test database as version 1, unless a version
 * exists already, and returns it. The seed file is read and parsed once per process; the import is
 * one transaction (a few milliseconds).
 */
export async function seedCatalog(db: Db): Promise<Catalog> {
  return createCatalogService(db).ensureSeedCatalog();
}
