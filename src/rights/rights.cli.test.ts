import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

// The CLI runs in its own process on embedded PGlite in a temporary DATA_DIR (on both test runs).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-rights-cli-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xinrong objections / repairs / calendar', () => {
  it('imports a calendar year, refuses a malformed one with exit code 2, lists empty queues as JSON', () => {
    const file = path.join(dataDir, 'cn-2027.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ year: 2027, holidays: [{ day: '2027-01-01', name: '元旦' }], workdays: [] }),
    );
    const before = cli('calendar', 'status', '--json');
    assert.equal(before.status, 0, before.stderr);
    const status = JSON.parse(before.stdout) as { coveredYears: number[] };
    assert.ok(status.coveredYears.includes(2026) && !status.coveredYears.includes(2027));
    const ok = cli('calendar', 'import', file, '--json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { year: 2027, holidays: 1, workdays: 0, deadlinesChanged: 0 });
    const now = cli('calendar', 'status');
    assert.equal(now.status, 0, now.stderr);
    assert.match(now.stdout, /years loaded: 2025, 2026, 2027/);

    fs.writeFileSync(file, JSON.stringify({ year: 2027, holidays: [{ day: '2028-01-01' }], workdays: [] }));
    const bad = cli('calendar', 'import', file);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /工作日历文件不正确.*Invalid working-day calendar/);

    const list = cli('objections', 'list', '--json');
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
    const repairs = cli('repairs', 'list');
    assert.equal(repairs.status, 0, repairs.stderr);
    assert.match(repairs.stdout, /无申请 \/ no applications/);
    const missing = cli('objections', 'show', '99');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /objection 99 not found/);
  });
});
