import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { seedCatalogPath } from '../catalog/catalog.service.ts';

// The CLI runs in its own process on embedded PGlite in a temporary DATA_DIR (on both test runs).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-report-cli-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', ...args], {
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xinrong report', () => {
  it('issues a PDF report to a file and verifies it offline; a tampered copy fails with exit code 1', () => {
    assert.equal(cli('catalog', 'import', seedCatalogPath, '--json').status, 0);
    const seeded = cli('seed', '--subjects', '3', '--kinds', 'business_licence', '--json');
    assert.equal(seeded.status, 0, seeded.stderr);
    const subjects = JSON.parse(cli('subjects', 'list', '--json').stdout) as { items: { uscc: string }[] };
    const uscc = subjects.items[0]!.uscc;
    const out = path.join(dataDir, 'report.pdf');
    const issued = cli('report', uscc, '--type', 'special', '--format', 'pdf', '--out', out, '--json');
    assert.equal(issued.status, 0, issued.stderr);
    const meta = JSON.parse(issued.stdout) as { number: string; file: string };
    assert.match(meta.number, /^XR-\d{8}-\d{6,}-[0-9X]$/);
    assert.ok(fs.readFileSync(out).subarray(0, 5).toString() === '%PDF-');

    const ok = cli('report', 'verify', out, '--json');
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    const v = JSON.parse(ok.stdout) as { valid: boolean; number: string };
    assert.equal(v.valid, true);
    assert.equal(v.number, meta.number);

    const bad = Buffer.from(fs.readFileSync(out));
    const i = Math.floor(bad.length / 3);
    bad[i] = bad[i]! ^ 0x55;
    const badFile = path.join(dataDir, 'tampered.pdf');
    fs.writeFileSync(badFile, bad);
    const failed = cli('report', 'verify', badFile);
    assert.equal(failed.status, 1, failed.stdout);
    assert.match(failed.stdout, /未通过验证/);

    const wrong = cli('report', uscc, '--type', 'nonsense');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--type/);
  });
});
