import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// Listings filtered by region, industry or type, a page at a time. USCC order correlates with region
// (positions 3–8 are the region code), so walking the primary key to the first 20 subjects of 平顶山
// skips every subject of 郑州 first. Composite indexes give each filter its own order: a page is an
// index range scan whatever the table size. They replace the single-column foundation indexes.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX subjects_region;
    DROP INDEX subjects_industry;
    CREATE INDEX subjects_region ON subjects (region_code, uscc);
    CREATE INDEX subjects_industry ON subjects (industry_code, uscc);
    CREATE INDEX subjects_type ON subjects (subject_type, uscc);
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX subjects_type;
    DROP INDEX subjects_industry;
    DROP INDEX subjects_region;
    CREATE INDEX subjects_region ON subjects (region_code);
    CREATE INDEX subjects_industry ON subjects (industry_code);
  `,
  );
}
