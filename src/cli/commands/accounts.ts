import type { Command } from 'commander';
import { roles, systemActor, type Role } from '../../access/actor.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';

/**
 * `xinrong accounts create-user|list|unlock`, `xinrong keys create|list|revoke` and
 * `xinrong access-log`: the first operator of an installation is created here (there is no sign-up
 * for operators), and keys can be issued without the web portal. Secrets are printed once.
 */

const userRoles = ['operator', 'institution', 'recommender'] as const;

export function registerAccounts(program: Command): void {
  const accounts = program.command('accounts').description('用户与账户 / users and accounts');

  accounts
    .command('create-user')
    .description(
      '新增运营、机构或推荐单位用户（初始密码与动态口令密钥只显示一次） / add a user (secrets shown once)',
    )
    .requiredOption('--username <name>', '用户名 / user name')
    .requiredOption('--role <role>', `角色 / role: ${userRoles.join(' | ')}`)
    .option('--org <id>', '所属机构 / organisation id (institution, recommender)')
    .option('--display-name <name>', '显示名称 / display name')
    .option('--json', 'JSON 输出 / JSON output')
    .action(
      async (opts: {
        username: string;
        role: string;
        org?: string;
        displayName?: string;
        json?: boolean;
      }) => {
        if (!(userRoles as readonly string[]).includes(opts.role)) {
          throw new AppError('validation_failed', { detail: `--role: ${userRoles.join(' | ')}` });
        }
        await withContext(async (ctx) => {
          const r = await ctx.accounts.createUser(systemActor('cli'), {
            username: opts.username,
            role: opts.role as Role,
            orgId: opts.org ?? null,
            ...(opts.displayName ? { displayName: opts.displayName } : {}),
          });
          if (opts.json) return printJson(r);
          console.log(
            `用户 / user: ${r.user.username} (${r.user.role}${r.user.orgId ? `, ${r.user.orgId}` : ''})`,
          );
          console.log(`初始密码 / initial password: ${r.initialPassword}`);
          if (r.totp) {
            console.log(`动态口令密钥 / TOTP secret: ${r.totp.secret}`);
            console.log(`  ${r.totp.uri}`);
          }
        });
      },
    );

  accounts
    .command('list')
    .description('列出用户 / list users')
    .option('--role <role>', `角色 / role: ${roles.join(' | ')}`)
    .option('--org <id>', '所属机构 / organisation id')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { role?: string; org?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const users = await ctx.accounts.listUsers(systemActor('cli'), {
          ...(opts.role ? { role: opts.role } : {}),
          ...(opts.org ? { orgId: opts.org } : {}),
        });
        if (opts.json) return printJson(users);
        for (const u of users) {
          console.log(
            `${u.username.padEnd(24)} ${u.role.padEnd(12)} ${u.orgId ?? u.uscc ?? ''}  ${u.displayName}`,
          );
        }
      });
    });

  accounts
    .command('unlock <username>')
    .description('解除登录锁定 / clear a login lockout')
    .action(async (username: string) => {
      await withContext(async (ctx) => {
        await ctx.accounts.unlockUser(systemActor('cli'), username);
        console.log(`已解锁 / unlocked: ${username}`);
      });
    });

  const keys = program
    .command('keys')
    .description('机构与数据提供单位系统的签名密钥 / signing keys of machine clients');

  keys
    .command('create <orgId>')
    .description('签发签名密钥（密钥只显示一次） / issue a signing key (the secret is shown once)')
    .option('--label <label>', '说明 / label', '')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (orgId: string, opts: { label: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const r = await ctx.accounts.createClientKey(systemActor('cli'), orgId, opts.label);
        if (opts.json) return printJson(r);
        console.log(`密钥标识 / key id: ${r.key.keyId}  (${r.key.role}, ${r.key.orgId})`);
        console.log(`密钥 / secret: ${r.secret}`);
        console.log('签名方法 / signing: docs/decisions/0050-accounts-and-authentication.md');
      });
    });

  keys
    .command('list <orgId>')
    .description('列出签名密钥 / list signing keys')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (orgId: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const list = await ctx.accounts.listClientKeys(systemActor('cli'), orgId);
        if (opts.json) return printJson(list);
        for (const k of list) {
          console.log(
            `${k.keyId.padEnd(20)} ${k.role.padEnd(18)} ${k.revokedAt ? `吊销/revoked ${k.revokedAt}` : '有效/active'}  ${k.label}`,
          );
        }
      });
    });

  keys
    .command('revoke <keyId>')
    .description('吊销签名密钥 / revoke a signing key')
    .action(async (keyId: string) => {
      await withContext(async (ctx) => {
        await ctx.accounts.revokeClientKey(systemActor('cli'), keyId);
        console.log(`已吊销 / revoked: ${keyId}`);
      });
    });

  program
    .command('access-log')
    .description('访问日志：谁在何时因何查看了哪个主体 / the access log: who read which subject, when, why')
    .option('--uscc <code>', '信用主体 / subject')
    .option('--org <id>', '机构 / organisation')
    .option('--consent <id>', '授权 / consent id')
    .option('--non-public', '仅非公开信息 / non-public reads only')
    .option('--limit <n>', '条数 / rows', '50')
    .option('--json', 'JSON 输出 / JSON output')
    .action(
      async (opts: {
        uscc?: string;
        org?: string;
        consent?: string;
        nonPublic?: boolean;
        limit: string;
        json?: boolean;
      }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) {
          throw new AppError('validation_failed', { detail: '--limit: a positive integer / 正整数' });
        }
        await withContext(async (ctx) => {
          const rows = await ctx.access.searchAccessLog(systemActor('cli'), {
            uscc: opts.uscc,
            orgId: opts.org,
            consentId: opts.consent,
            nonPublicOnly: !!opts.nonPublic,
            limit,
          });
          if (opts.json) return printJson(rows);
          for (const r of rows) {
            console.log(
              `${r.occurredAt}  ${r.uscc}  ${`${r.actorType}:${r.actorId ?? ''}`.padEnd(30)} ${(r.orgId ?? '').padEnd(14)} ${r.basis.padEnd(9)} ${r.purpose ?? ''} ${r.consentId ?? ''} ${r.recordCount} 条/records [${r.kinds.length} kinds]`,
            );
          }
        });
      },
    );
}
