import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { catalogDocumentSchema } from './catalog.schema.ts';
import { readSeedCatalog, seedCatalogPath } from './catalog.service.ts';

// The CLI runs in its own process on embedded PGlite in a temporary DATA_DIR (on both test runs).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-catalog-cli-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', 'catalog', ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xinrong catalog', () => {
  it('imports the seed, then a YAML revision, and shows kinds as JSON', () => {
    const first = cli('import', seedCatalogPath, '--json');
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).version, 1);

    const doc = catalogDocumentSchema.parse(JSON.parse(readSeedCatalog()));
    doc.kinds
      .find((k) => k.code === 'gas_fee')!
      .fields.push({
        code: 'meter_no',
        label_zh: '燃气表号',
        label_en: 'Meter number',
        type: 'string',
        required: false,
        sensitivity: 'public',
        aliases: [],
      });
    const file = path.join(dataDir, 'revision.yaml');
    fs.writeFileSync(file, toYaml(doc));
    const second = cli('import', file, '--label', '增加燃气表号', '--json');
    assert.equal(second.status, 0, second.stderr);
    const r = JSON.parse(second.stdout);
    assert.equal(r.version, 2);
    assert.equal(r.label, '增加燃气表号');
    assert.deepEqual(r.diff.kinds_changed[0].fields_added, ['meter_no']);

    const show = JSON.parse(cli('show', 'gas_fee', '--json').stdout);
    assert.equal(show.catalog_version, 2);
    assert.ok(show.kind.fields.some((f: { code: string }) => f.code === 'meter_no'));
    const old = JSON.parse(cli('show', 'gas_fee', '--version', '1', '--json').stdout);
    assert.ok(!old.kind.fields.some((f: { code: string }) => f.code === 'meter_no'));

    const list = JSON.parse(cli('list', '--json').stdout);
    assert.equal(list.version, 2);
    assert.equal(list.categories.length, 16);
  });

  it('bad input exits 2 with a bilingual message and every problem listed', () => {
    const unknown = cli('show', 'no_such_kind');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /kind_unknown/);
    assert.match(unknown.stderr, /目录中没有信息项/);

    const file = path.join(dataDir, 'bad.json');
    const doc = JSON.parse(readSeedCatalog());
    doc.kinds[0].category = 'nowhere';
    doc.kinds[1].natural_key = ['missing_field'];
    fs.writeFileSync(file, JSON.stringify(doc));
    const bad = cli('import', file);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /kinds\[0\]\.category/);
    assert.match(bad.stderr, /kinds\[1\]\.natural_key\[0\]/);
    assert.match(bad.stderr, /catalog_invalid/);

    const missing = cli('import', path.join(dataDir, 'does-not-exist.yaml'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /file_unreadable/);
  });
});
