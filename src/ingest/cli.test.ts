import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { penaltyCsv, testUscc } from './fixtures/files.ts';

// The CLI runs in its own process on embedded PGlite in a temporary DATA_DIR (on both test runs).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-cli-'));
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

const row = (n: number, date = '2024-03-05') => [
  `郑州市第${n}商贸有限公司`,
  testUscc(n),
  `郑监罚〔2024〕${n}号`,
  date,
  '郑州市市场监督管理局',
  '1',
];

describe('xinrong ingest / batches', () => {
  it('ingests a file and prints exactly the outcome as JSON', () => {
    const file = path.join(dataDir, '处罚.csv');
    fs.writeFileSync(file, penaltyCsv([row(1), row(2, '2024-02-30'), row(3)], { title: '行政处罚信息' }));
    const r = cli('ingest', '--kind', 'admin_penalty', '--json', file);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['batch', 'received', 'accepted', 'unchanged', 'rejected', 'errors']);
    assert.deepEqual([out.received, out.accepted, out.unchanged, out.rejected], [3, 2, 0, 1]);
    assert.deepEqual(Object.keys(out.errors[0]), ['row', 'field', 'rule', 'value', 'message']);
    assert.equal(out.errors[0].row, 4);

    const again = JSON.parse(cli('ingest', '--kind', 'admin_penalty', '--json', file).stdout);
    assert.deepEqual([again.accepted, again.unchanged], [0, 2]);

    const show = cli('batches', 'show', String(out.batch), '--json');
    assert.equal(show.status, 0, show.stderr);
    const b = JSON.parse(show.stdout);
    assert.equal(b.status, 'completed');
    assert.match(b.sm3, /^[0-9a-f]{64}$/);
    const errors = JSON.parse(cli('batches', 'errors', String(out.batch), '--json').stdout);
    assert.equal(errors.errors[0].field, 'decided_on');
    const list = JSON.parse(cli('batches', 'list', '--json').stdout);
    assert.equal(list.length, 2);
  });

  it('all-or-nothing: prints the outcome, exits 2, applies nothing; bad input exits 2 with a bilingual message', () => {
    const file = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(file, penaltyCsv([row(10), row(11, 'x')]));
    const r = cli('ingest', '--kind', 'admin_penalty', '--all-or-nothing', '--json', file);
    assert.equal(r.status, 2);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.received, out.accepted, out.rejected], [2, 0, 1]);
    assert.match(r.stderr, /batch_rejected/);
    const empty = path.join(dataDir, 'empty.csv');
    fs.writeFileSync(empty, '');
    const e = cli('ingest', '--kind', 'admin_penalty', empty);
    assert.equal(e.status, 2);
    assert.match(e.stderr, /文件为空 \/ The file is empty/);
  });
});
