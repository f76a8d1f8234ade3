import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { seedCatalogPath } from '../catalog/catalog.service.ts';

// The CLI runs in its own process on embedded PGlite in a temporary DATA_DIR (on both test runs);
// the sandbox provider runs as `xinrong sandbox-provider` in another process, on a free loopback port.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-connectors-cli-'));

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete e.DATABASE_URL;
  return e;
}

function cli(...args: string[]) {
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', ...args], {
    env: env(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xinrong connectors and sandbox-provider', () => {
  let sandbox: ChildProcess;
  let url = '';

  before(async () => {
    sandbox = spawn(
      'node_modules/.bin/node',
      ['src/cli/main.ts', 'sandbox-provider', '--port', '0', '--latency-ms', '5'],
      { env: env(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = readline.createInterface({ input: sandbox.stdout! });
    url = await new Promise<string>((resolve, reject) => {
      lines.on('line', (l) => {
        const m = /listening on (http:\/\/\S+)/.exec(l);
        if (m) resolve(m[1]!);
      });
      sandbox.once('exit', (code) => reject(new Error(`sandbox-provider exited with ${code}`)));
    });
  });
  after(() => {
    sandbox.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a pull kind from the command line', async () => {
    const res = await fetch(`${url}/kinds/tax_arrears?uscc=91410102MA0000001X`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { kind: string; records: unknown[] };
    assert.equal(body.kind, 'tax_arrears');
    assert.ok(body.records.length >= 1);
  });

  it('registers, lists and reports health as JSON; bad input exits 2 with a bilingual message', () => {
    assert.equal(cli('catalog', 'import', seedCatalogPath, '--json').status, 0);
    const added = cli(
      'connectors',
      'add',
      '--provider',
      'tax',
      '--kind',
      'tax_arrears',
      '--url',
      `${url}/kinds/tax_arrears`,
      '--auth',
      'bearer',
      '--token',
      'cli-token-123456',
      '--timeout-ms',
      '1500',
      '--store',
      '--json',
    );
    assert.equal(added.status, 0, added.stderr);
    const iface = JSON.parse(added.stdout);
    assert.equal(iface.kind, 'tax_arrears');
    assert.equal(iface.timeoutMs, 1500);
    assert.equal(iface.storeAsRecords, true);
    assert.equal(iface.storeAsRecordsSource, 'interface');
    assert.ok(!added.stdout.includes('cli-token-123456'), 'the token is never printed');

    const list = JSON.parse(cli('connectors', 'list', '--json').stdout);
    assert.deepEqual(
      list.map((i: { providerId: string; kind: string }) => [i.providerId, i.kind]),
      [['tax', 'tax_arrears']],
    );
    const health = JSON.parse(cli('connectors', 'health', '--json').stdout);
    assert.equal(health.providers[0].providerId, 'tax');
    assert.equal(health.providers[0].breaker.state, 'closed');

    const bad = cli('connectors', 'add', '--provider', 'tax', '--kind', 'tax_details', '--url', 'ftp://x');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /接口地址.*不正确/);
    assert.match(bad.stderr, /only http and https/);
  });
});
