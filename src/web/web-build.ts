import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The web app's sources and its build output (served by web.routes.ts). */
export const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));
export const webDist = join(webRoot, 'dist');

const sourcePaths = ['src', 'public', 'index.html', 'vite.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * The front end needs (re)building when web/dist is missing or older than any source file. Shared
 * code the web app imports from src/shared counts too (the form validators use it).
 */
export function isWebBuildStale(): boolean {
  const index = join(webDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const newest = Math.max(
    ...sourcePaths.map((p) => newestMtime(join(webRoot, p))),
    newestMtime(fileURLToPath(new URL('../shared/identifiers.ts', import.meta.url))),
  );
  return newest > built;
}

/**
 * Writes .gz and .br beside every text asset so @fastify/static can send them precompressed
 * (antd's chunk is ~1.1 MB raw, ~0.3 MB gzip). Brotli quality 9: most of quality 11's gain at a
 * fraction of the build time.
 */
function precompress(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      n += precompress(p);
      continue;
    }
    if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
    const raw = readFileSync(p);
    if (raw.length < 1024) continue;
    writeFileSync(`${p}.gz`, gzipSync(raw, { level: 9 }));
    writeFileSync(`${p}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }));
    n++;
  }
  return n;
}

/** Builds web/ into web/dist with Vite (a few seconds), then precompresses the assets. */
export async function buildWeb(log: (line: string) => void = console.log): Promise<void> {
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  const files = precompress(webDist);
  log(`网页已构建 / web app built: ${webDist} (${files} files precompressed, ${Date.now() - started} ms)`);
}

/** Builds only when needed; `npm start` runs this first (prestart). */
export async function ensureWebBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (!isWebBuildStale()) return false;
  log('正在构建网页 / building the web app…');
  await buildWeb(log);
  return true;
}

// `node src/web/web-build.ts [--force]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  await (force
    ? buildWeb()
    : ensureWebBuilt().then((built) => built || console.log('网页已是最新 / web app up to date')));
}
