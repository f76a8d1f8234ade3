import { systemActor } from '../access/actor.ts';
import { openSecret } from '../access/keyring.ts';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../shared/errors.ts';
import { demoSubject } from '../seed/subjects.ts';
import { demoSeed } from '../seed/seed.demo.ts';
import { findSubjectRow } from '../subjects/subjects.repository.ts';
import { findOrganisation } from './organisations.repository.ts';
import { totpUri } from './totp.ts';
import { findUserByUsername, listClientKeys } from './users.repository.ts';

/**
 * Demo accounts for `npm start` (demo only: fixed password, secrets printed to the console).
 * Created once, after the seed step; printed on every start (secrets are decrypted server-side).
 */
export const demoPassword = 'Xinrong-demo-2026';
const demoKeyLabel = 'demo';
const agreement = {
  purposeText: '演示用数据共享协议 / demo data-sharing agreement',
  validFrom: '2026-01-01',
  validUntil: '2030-12-31',
};

async function ignoreConflict(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'conflict')) throw e;
  }
}

export async function ensureAccountsDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const actor = systemActor('demo');
  if (!(await findUserByUsername(ctx.db, 'operator'))) {
    await ctx.accounts.createUser(actor, {
      username: 'operator',
      role: 'operator',
      displayName: '平台运营（演示）',
      password: demoPassword,
    });

    await ignoreConflict(
      ctx.accounts.onboardOrganisation(actor, 'institution', {
        id: 'demo_bank',
        nameZh: '信融演示银行郑州分行',
        nameEn: 'Xinrong Demo Bank, Zhengzhou Branch',
        institutionType: 'bank',
        agreement: {
          ...agreement,
          purposes: ['loan_application', 'post_loan_monitoring', 'product_matching'],
        },
      }),
    );
    await ctx.accounts.createUser(actor, {
      username: 'bank',
      role: 'institution',
      orgId: 'demo_bank',
      displayName: '演示银行信贷员',
      password: demoPassword,
    });
    await ctx.accounts.createClientKey(actor, 'demo_bank', demoKeyLabel);

    await ignoreConflict(
      ctx.accounts.createOrganisation(actor, {
        id: 'zz_jinshui',
        kind: 'district',
        nameZh: '郑州市金水区人民政府',
        regionCode: '410105',
      }),
    );
    await ctx.accounts.createUser(actor, {
      username: 'recommender',
      role: 'recommender',
      orgId: 'zz_jinshui',
      displayName: '金水区推荐专员',
      password: demoPassword,
    });

    // One onboarded provider system per responsible unit of the catalog, each with a signing key.
    const catalog = await ctx.catalog.getCurrent();
    const providers = new Map<string, string>();
    for (const k of catalog.kinds) for (const p of k.providers) providers.set(p.id, p.name_zh);
    for (const [id, nameZh] of providers) {
      await ignoreConflict(ctx.accounts.onboardOrganisation(actor, 'provider', { id, nameZh, agreement }));
      await ctx.accounts.createClientKey(actor, id, demoKeyLabel);
    }

    // The enterprise user: the first demo subject whose real-name check passes (its legal
    // representative has a licence record carrying the ID number), registered the real way.
    for (let i = 0; i < 200; i++) {
      const s = demoSubject(demoSeed.seed, i);
      try {
        const me = await ctx.accounts.registerEnterprise({
          uscc: s.uscc,
          legalRepName: s.legalRep.name,
          legalRepIdNumber: s.legalRep.idNumber,
          username: 'enterprise',
          password: demoPassword,
        });
        // A consent to the demo bank, so its portal has something to read.
        await ctx.consent.grantConsent(
          { type: 'enterprise', id: me.id, uscc: s.uscc },
          {
            institutionId: 'demo_bank',
            purpose: 'loan_application',
            scope: { categories: ['tax', 'social_insurance', 'housing_fund', 'utilities'] },
            mode: 'full_report',
            validUntil: new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10),
            maxUses: 100,
          },
        );
        break;
      } catch (e) {
        if (!(e instanceof AppError && e.code === 'real_name_mismatch')) throw e;
      }
    }
  }
  // A provider user (报送人员) of the responsible unit for administrative penalties: password + TOTP.
  // Separate from the block above so that an existing demo DATA_DIR gets one too.
  if (!(await findUserByUsername(ctx.db, 'provider'))) {
    const catalog = await ctx.catalog.getCurrent();
    const unit = catalog.kinds.find((k) => k.code === 'admin_penalty')?.providers[0];
    if (unit && (await findOrganisation(ctx.db, unit.id))) {
      await ctx.accounts.createUser(actor, {
        username: 'provider',
        role: 'provider',
        orgId: unit.id,
        displayName: `${unit.name_zh}报送员（演示）`,
        password: demoPassword,
      });
    }
  }
  await printDemoAccounts(ctx, log);
}

async function printDemoAccounts(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const op = await findUserByUsername(ctx.db, 'operator');
  const ent = await findUserByUsername(ctx.db, 'enterprise');
  log('演示账户（仅供演示）/ demo accounts (demo only):');
  log(`  密码 / password for every demo user: ${demoPassword}`);
  if (op?.totp_secret_enc) {
    const secret = openSecret(ctx.keyring, op.totp_secret_enc, `totp:${op.id}`);
    log(`  运营 operator: operator  + TOTP 密钥 / secret ${secret}`);
    log(`      ${totpUri(secret, 'operator')}`);
  }
  if (ent?.uscc) {
    const s = await findSubjectRow(ctx.db, ent.uscc);
    log(
      `  企业 enterprise: enterprise  (${ent.uscc} ${s?.name ?? ''}，已实名、已授权 demo_bank / real-name verified, consent to demo_bank)`,
    );
  }
  log('  金融机构 institution: bank  (demo_bank)');
  log('  推荐单位 recommender: recommender  (zz_jinshui)');
  const prov = await findUserByUsername(ctx.db, 'provider');
  if (prov?.totp_secret_enc) {
    const secret = openSecret(ctx.keyring, prov.totp_secret_enc, `totp:${prov.id}`);
    log(`  数据提供单位用户 provider user: provider  (${prov.org_id})  + TOTP 密钥 / secret ${secret}`);
    log(`      ${totpUri(secret, 'provider')}`);
  }
  const org = await findOrganisation(ctx.db, 'demo_bank');
  if (org) {
    for (const k of (await listClientKeys(ctx.db, 'demo_bank')).filter(
      (x) => x.label === demoKeyLabel && !x.revoked_at,
    )) {
      log(
        `  机构系统 institution system (签名 HMAC-SHA256/SM3): key ${k.key_id}  secret ${openSecret(ctx.keyring, k.secret_enc, `client-key:${k.key_id}`)}`,
      );
    }
  }
  const catalog = await ctx.catalog.getCurrent();
  const ids = [...new Set(catalog.kinds.flatMap((k) => k.providers.map((p) => p.id)))];
  log('  数据提供单位系统 provider systems (签名请求 / signed requests, see docs/decisions/0050):');
  for (const id of ids) {
    for (const k of (await listClientKeys(ctx.db, id)).filter(
      (x) => x.label === demoKeyLabel && !x.revoked_at,
    )) {
      log(
        `    ${id.padEnd(20)} key ${k.key_id}  secret ${openSecret(ctx.keyring, k.secret_enc, `client-key:${k.key_id}`)}`,
      );
    }
  }
}
