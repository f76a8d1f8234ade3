import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDb } from '../db/database.ts';
import { penaltyCsv, testUscc } from '../ingest/fixtures/files.ts';

// The CLI in its own processes on embedded PGlite in a temporary DATA_DIR (on both test runs): the
// key file is created there, `ledger verify` catches a change made to the database between runs, and
// `ledger verify-proof` checks a bundle with no database at all.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-ledger-cli-'));
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

const file = (name: string) => path.join(dataDir, name);
const rows = [1, 2, 3, 4].map((n) => [
  `郑州市第${n}商贸有限公司`,
  testUscc(n),
  `郑监罚〔2024〕${n}号`,
  '2024-03-05',
  '郑州市市场监督管理局',
  '1',
]);

describe('xinrong ledger', () => {
  it('sequences, signs, verifies, and hands out a bundle that verifies offline', () => {
    fs.writeFileSync(file('p.csv'), penaltyCsv(rows));
    assert.equal(cli('ingest', '--kind', 'admin_penalty', '--json', file('p.csv')).status, 0);

    const cp = cli('ledger', 'checkpoint', '--json');
    assert.equal(cp.status, 0, cp.stderr);
    const out = JSON.parse(cp.stdout);
    assert.ok(out.sequenced >= 4);
    assert.equal(out.checkpoint.treeSize, out.sequenced);
    assert.ok(fs.existsSync(path.join(dataDir, 'keys', 'ledger-sm2.key')), 'the key lives in DATA_DIR/keys');
    assert.equal(fs.statSync(path.join(dataDir, 'keys', 'ledger-sm2.key')).mode & 0o777, 0o600);
    assert.equal(
      cp.stdout.includes(fs.readFileSync(path.join(dataDir, 'keys', 'ledger-sm2.key'), 'utf8')),
      false,
    );

    const status = JSON.parse(cli('ledger', 'status', '--json').stdout);
    assert.equal(status.treeSize, out.sequenced);
    assert.equal(status.pending, 0);

    const v = cli('ledger', 'verify', '--json');
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.equal(JSON.parse(v.stdout).ok, true);

    assert.equal(cli('ledger', 'bundle', '2', '--out', file('b.json')).status, 0);
    fs.writeFileSync(file('key.json'), cli('ledger', 'public-key', '--json').stdout);
    const ok = cli('ledger', 'verify-proof', file('b.json'), '--public-key', file('key.json'), '--json');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(JSON.parse(ok.stdout).valid, true);
    assert.equal(JSON.parse(ok.stdout).keyTrusted, true);
  });

  it('verify-proof says why a bundle is invalid (exit 1), and refuses a file that is not one (exit 2)', () => {
    const b = JSON.parse(fs.readFileSync(file('b.json'), 'utf8'));
    fs.writeFileSync(file('bad.json'), JSON.stringify({ ...b, entry: b.entry.replace('"v":1', '"v":1 ') }));
    const bad = cli('ledger', 'verify-proof', file('bad.json'));
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /不是规范编码.*\n.*not in canonical form/);
    fs.writeFileSync(file('other.json'), JSON.stringify({ ...b, leafIndex: b.leafIndex + 1 }));
    assert.equal(cli('ledger', 'verify-proof', file('other.json')).status, 1);
    fs.writeFileSync(file('junk.json'), '{"hello":1}');
    const junk = cli('ledger', 'verify-proof', file('junk.json'));
    assert.equal(junk.status, 2);
    assert.match(junk.stderr, /证明包.*\/ Cannot read the ledger proof bundle/);
  });

  it('verify exits 1 and names the record behind the first bad leaf after a change behind its back', async () => {
    const db = createDb({ dataDir });
    const rv = await sql<{ id: number }>`SELECT id FROM record_versions ORDER BY id LIMIT 1`.execute(db);
    const id = rv.rows[0]!.id;
    await sql`UPDATE record_versions SET data = jsonb_set(data, '{penalty_amount}', '0') WHERE id = ${id}`.execute(
      db,
    );
    await db.destroy();
    const v = cli('ledger', 'verify');
    assert.equal(v.status, 1, v.stdout + v.stderr);
    assert.match(v.stdout, /发现篡改 \/ tampering found/);
    assert.match(v.stdout, new RegExp(`first bad leaf: \\d+  \\(record_versions ${id}\\)`));
  });
});
