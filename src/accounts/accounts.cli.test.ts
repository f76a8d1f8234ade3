import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

/** The CLI creates the first operator of an installation and refuses bad input with exit code 2. */
describe('xinrong accounts / keys (CLI)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-cli-accounts-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['src/cli/main.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });

  it('creates an operator with a one-time password and a TOTP secret, the master key in DATA_DIR/keys', () => {
    const r = run('accounts', 'create-user', '--username', 'root', '--role', 'operator', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      user: { role: string };
      initialPassword: string;
      totp: { secret: string };
    };
    assert.equal(out.user.role, 'operator');
    assert.ok(out.initialPassword.length >= 10);
    assert.match(out.totp.secret, /^[A-Z2-7]{32}$/);
    assert.ok(
      fs.existsSync(path.join(dataDir, 'keys', 'master-sm4.key')),
      'the master key lives in DATA_DIR/keys',
    );
    const list = run('accounts', 'list', '--json');
    assert.deepEqual(
      (JSON.parse(list.stdout) as { username: string }[]).map((u) => u.username),
      ['root'],
    );
  });

  it('answers bad input with a bilingual message and exit code 2', () => {
    const bad = run('accounts', 'create-user', '--username', 'x1', '--role', 'god');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /validation_failed/);
    const key = run('keys', 'create', 'no_such_org');
    assert.equal(key.status, 2);
    assert.match(key.stderr, /不存在|Not found/);
  });
});
