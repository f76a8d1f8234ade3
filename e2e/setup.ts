import fs from 'node:fs';
import path from 'node:path';
import { systemActor, type AuthenticatedActor } from '../src/access/actor.ts';
import { realNameKinds } from '../src/accounts/accounts.service.ts';
import { openContext } from '../src/cli/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { ensureDemoData } from '../src/demo/demo.ts';
import { demoSeed } from '../src/seed/seed.demo.ts';
import { demoSubject } from '../src/seed/subjects.ts';
import { AppError } from '../src/shared/errors.ts';

/**
 * Prepares a fresh DATA_DIR for the browser tests, with the real services, before the server opens
 * it (embedded PGlite has one writer): demo data as `npm start` seeds it, then one account per role.
 * - operator: created by the platform, with its TOTP secret (the tests compute the codes);
 * - institution: an onboarded bank with a data-sharing agreement, and a user;
 * - provider: the catalog's responsible unit for administrative penalties, onboarded with its
 *   agreement, and a user of it created as operators create one (password and TOTP secret);
 * - enterprise: a demo subject whose legal representative's name and ID number the real-name check
 *   will accept (read through the one read path, as the registration check does), for the browser to
 *   register; and a second subject already registered, with a consent granted to the bank;
 * - recommender: a district government whose area is that subject's county, and its user.
 */

export interface Account {
  username: string;
  password: string;
}

export interface Fixture {
  operator: Account & { totpSecret: string };
  institution: Account & { orgId: string; nameZh: string };
  provider: Account & { orgId: string; kind: string; kindName: string; totpSecret: string };
  registration: { uscc: string; name: string; legalRepName: string; legalRepIdNumber: string };
  enterprise: Account & { uscc: string; name: string; consentId: string };
  /** A district government whose area is the registered enterprise's county, and its user. */
  recommender: Account & { orgId: string; orgName: string };
}

const password = 'E2e-Passw0rd-2026';
const system = systemActor('e2e-setup');

async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'conflict')) throw e;
  }
}

export async function prepareE2eData(
  dataDir: string,
  log: (line: string) => void = () => undefined,
): Promise<Fixture> {
  const ctx = await openContext({ ...loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }) });
  try {
    await ensureDemoData(ctx, { log });
    const catalog = await ctx.catalog.getCurrent();

    // operator
    const op = await ctx.accounts.createUser(system, {
      username: 'e2e_operator',
      role: 'operator',
      password,
    });
    if (!op.totp) throw new Error('operators get a TOTP secret');

    // institution
    const bank = { orgId: 'e2e_bank', nameZh: '信融测试银行' };
    await ignoreConflict(
      ctx.accounts.onboardOrganisation(system, 'institution', {
        id: bank.orgId,
        nameZh: bank.nameZh,
        nameEn: 'xinrong test bank',
        institutionType: 'bank',
        agreement: {
          purposeText: '浏览器测试 / browser tests',
          validFrom: '2020-01-01',
          validUntil: '2099-12-31',
        },
      }),
    );
    await ctx.accounts.createUser(system, {
      username: 'e2e_bank',
      role: 'institution',
      orgId: bank.orgId,
      password,
    });

    // provider: the responsible unit of administrative penalties
    const kind = catalog.kinds.find((k) => k.code === 'admin_penalty')!;
    const providerId = kind.providers[0]!.id;
    await ignoreConflict(
      ctx.accounts.onboardOrganisation(system, 'provider', {
        id: providerId,
        nameZh: kind.providers[0]!.name_zh,
        agreement: {
          purposeText: '浏览器测试 / browser tests',
          validFrom: '2020-01-01',
          validUntil: '2099-12-31',
        },
      }),
    );
    // its user, created as an operator creates one (password and a TOTP secret, shown once)
    const providerUser = await ctx.accounts.createUser(system, {
      username: 'e2e_provider',
      role: 'provider',
      orgId: providerId,
      displayName: `${kind.providers[0]!.name_zh}报送员`,
      password,
    });
    if (!providerUser.totp) throw new Error('provider users get a TOTP secret');

    // two demo subjects whose legal representative the real-name check knows
    const idKinds = realNameKinds(catalog.kinds);
    // Demo subjects from the end of the generated range (the demo's own enterprise account takes one
    // of the first): the generator knows each legal representative; keep those the records confirm.
    const found: Fixture['registration'][] = [];
    for (let i = demoSeed.subjects - 1; i >= 0 && found.length < 2; i--) {
      const s = demoSubject(demoSeed.seed, i);
      const read = await ctx.access.readRecords({
        actor: system,
        uscc: s.uscc,
        kinds: idKinds.map((k) => k.kind),
        internalPurpose: 'e2e_setup',
      });
      const confirmed = read.records.some((r) => {
        const spec = idKinds.find((k) => k.kind === r.kindCode)!;
        return (
          r.status === 'active' &&
          String(r.data[spec.idField] ?? '').trim() === s.legalRep.idNumber &&
          (!spec.nameField || String(r.data[spec.nameField] ?? '').trim() === s.legalRep.name)
        );
      });
      const subject = await ctx.subjects.getSubject(s.uscc, system).catch(() => undefined);
      if (confirmed && subject && !subject.provisional) {
        found.push({
          uscc: s.uscc,
          name: subject.name,
          legalRepName: s.legalRep.name,
          legalRepIdNumber: s.legalRep.idNumber,
        });
      }
    }
    if (found.length < 2) throw new Error('e2e setup: no demo subject with a legal representative ID number');
    const [toRegister, registered] = found as [Fixture['registration'], Fixture['registration']];

    // the second subject registers now and grants the bank a consent
    const me = await ctx.accounts.registerEnterprise({
      uscc: registered.uscc,
      legalRepName: registered.legalRepName,
      legalRepIdNumber: registered.legalRepIdNumber,
      username: 'e2e_enterprise',
      password,
    });
    const entActor: AuthenticatedActor = { type: 'enterprise', id: me.id, uscc: registered.uscc };
    const categories = [...new Set(catalog.kinds.map((k) => k.category))];
    const consent = await ctx.consent.grantConsent(entActor, {
      institutionId: bank.orgId,
      purpose: 'loan_application',
      mode: 'full_report',
      scope: { categories },
      validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
      maxUses: null,
    });

    // a district whose area holds the registered enterprise, and its recommender (password login)
    const district = { orgId: 'e2e_district', orgName: '信融测试区人民政府' };
    const registeredSubject = await ctx.subjects.getSubject(registered.uscc, system);
    await ctx.accounts.createOrganisation(system, {
      id: district.orgId,
      kind: 'district',
      nameZh: district.orgName,
      regionCode: registeredSubject.region?.code ?? null,
    });
    await ctx.accounts.createUser(system, {
      username: 'e2e_recommender',
      role: 'recommender',
      orgId: district.orgId,
      displayName: '信融测试区推荐专员',
      password,
    });

    return {
      operator: { username: 'e2e_operator', password, totpSecret: op.totp.secret },
      recommender: { username: 'e2e_recommender', password, ...district },
      institution: { username: 'e2e_bank', password, ...bank },
      provider: {
        username: 'e2e_provider',
        password,
        totpSecret: providerUser.totp.secret,
        orgId: providerId,
        kind: kind.code,
        kindName: kind.name_zh,
      },
      registration: toRegister,
      enterprise: {
        username: 'e2e_enterprise',
        password,
        uscc: registered.uscc,
        name: registered.name,
        consentId: consent.id,
      },
    };
  } finally {
    await ctx.db.destroy();
  }
}

export function fixturePath(dataDir: string): string {
  return path.join(dataDir, 'e2e-fixture.json');
}

/** The fixture written by scripts/e2e.ts, for the test files (path in E2E_FIXTURE). */
export function loadFixture(): Fixture {
  const p = process.env.E2E_FIXTURE;
  if (!p) throw new Error('E2E_FIXTURE is not set: run the browser tests with `npm run test:e2e`');
  return JSON.parse(fs.readFileSync(p, 'utf8')) as Fixture;
}
