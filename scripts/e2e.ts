// `npm run test:e2e`: builds the web app if needed, starts the real server (fresh DATA_DIR with
// demo data, random free port), then runs every e2e/*.e2e.ts with Node's test runner against it in
// headless Chromium. Extra arguments filter the test files (e.g. `npm run test:e2e -- provider`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureWebBuilt } from '../src/web/web-build.ts';
import { chromiumPath, repoRoot, screenshotDir, startServer } from '../e2e/harness.ts';
import { fixturePath, prepareE2eData } from '../e2e/setup.ts';

if (!fs.existsSync(chromiumPath)) {
  console.error(`${chromiumPath} 不存在 / is missing: apt-get install -y chromium`);
  process.exit(1);
}
await ensureWebBuilt();

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
let files = fs
  .readdirSync(path.join(repoRoot, 'e2e'))
  .filter((f) => f.endsWith('.e2e.ts'))
  .sort()
  .map((f) => path.join('e2e', f));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));

// Demo data and one account per role, written with the real services before the server starts.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-e2e-'));
const started = Date.now();
const fixture = await prepareE2eData(dataDir);
fs.writeFileSync(fixturePath(dataDir), JSON.stringify(fixture, null, 2));
console.log(`测试数据已就绪 / test data ready in ${Math.round((Date.now() - started) / 1000)} s`);

const server = await startServer({}, dataDir);
console.log(`服务已启动 / server running at ${server.url} (DATA_DIR ${server.dataDir})`);
let status = 1;
try {
  // One file at a time: the files share one server and the machine has 2 cores.
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', ...flags, ...files],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, E2E_BASE_URL: server.url, E2E_FIXTURE: fixturePath(dataDir) },
    },
  );
  status = r.status ?? 1;
} finally {
  await server.stop();
  if (status === 0) fs.rmSync(server.dataDir, { recursive: true, force: true });
  else console.error(`服务日志 / server log: ${server.logFile}`);
}
console.log(`截图 / screenshots: ${screenshotDir}`);
process.exit(status);
