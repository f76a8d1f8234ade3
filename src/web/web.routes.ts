import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../shared/errors.ts';
import { webDist } from './web-build.ts';

/** Paths that belong to the API or its documentation: never answered with the web app. */
const serverPrefixes = ['/api/', '/docs'];

const notBuiltPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>信融 xinrong</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>信融 融资信用服务平台</h1><p>xinrong — financing credit service platform</p>
<p>网页尚未构建：请运行 <code>npm start</code> 或 <code>npm run build:web</code>。<br>
The web app is not built yet: run <code>npm start</code> or <code>npm run build:web</code>.</p>
<ul><li><a href="/docs">API 文档 / API documentation</a></li><li><a href="/api/v1/health">健康检查 / Health</a></li></ul>
</body></html>`;

const wildcardParams = z.object({ '*': z.string() });

/**
 * Serves the built web app (web/dist) from the API server: hashed assets with a one-year immutable
 * cache (precompressed .br/.gz when the browser accepts them), other files as they are, and
 * index.html for every other GET path so client-side routes (/lookup, /verify/…) survive a reload.
 * Unknown /api/* paths keep their problem+json 404.
 */
export const webRoutes: FastifyPluginAsyncZod<{ ctx: AppContext; distDir?: string }> = async (app, opts) => {
  // WEB_DIST_DIR: serve a build from elsewhere (tests, packaged deployments).
  const root = opts.distDir ?? process.env.WEB_DIST_DIR ?? webDist;
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  app.get(
    '/assets/*',
    { config: { access: 'public' }, schema: { hide: true, params: wildcardParams } },
    (req, reply) => reply.sendFile(`assets/${req.params['*']}`, { immutable: true, maxAge: '365d' }),
  );

  app.get(
    '/*',
    { config: { access: 'public' }, schema: { hide: true, params: wildcardParams } },
    async (req, reply) => {
      const path = req.url.split('?')[0] ?? '/';
      if (serverPrefixes.some((p) => path.startsWith(p)) || path === '/api') {
        throw new AppError('route_not_found', { method: req.method, url: path });
      }
      if (!existsSync(join(root, 'index.html'))) {
        return reply
          .status(503)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(notBuiltPage);
      }
      const last = path.slice(path.lastIndexOf('/') + 1);
      // A path naming a file (favicon.svg, robots.txt) is that file or a 404; anything else is a
      // client-side route.
      if (last.includes('.') && last !== 'index.html') {
        return reply.sendFile(req.params['*'], { maxAge: '1d' });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    },
  );
};
