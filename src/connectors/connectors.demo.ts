import { systemActor } from '../access/actor.ts';
import type { AppContext } from '../app/context.ts';
import { startSandboxProvider, type SandboxProvider } from './sandbox/sandbox.server.ts';

/** Marks the interfaces the demo owns, so each start can point them at its new sandbox port. */
export const demoInterfaceNote =
  'demo-sandbox（演示沙箱，每次启动自动更新地址 / demo sandbox, re-pointed on every start）';

/**
 * `npm start` (serve --demo): starts the reference provider in this process on a free loopback port
 * and registers one interface per pull kind of the catalog, for the kind's first responsible provider,
 * pointing at it. Runs on every start (the port changes): interfaces the demo registered earlier are
 * re-pointed; kinds someone registered by hand are left alone.
 */
export async function ensureConnectorDemo(
  ctx: Pick<AppContext, 'catalog' | 'connectors'>,
  log: (line: string) => void,
): Promise<SandboxProvider> {
  const catalog = await ctx.catalog.getCurrent();
  // 80 ms: a plausible government API, so the demo shows concurrency rather than instant answers.
  const sandbox = await startSandboxProvider({ catalog, control: { latencyMs: 80 }, unref: true });
  const actor = systemActor('demo');
  const existing = await ctx.connectors.listInterfaces(actor);
  let created = 0;
  let repointed = 0;
  for (const kind of catalog.kinds) {
    if (kind.share_mode === 'push') continue;
    const baseUrl = `${sandbox.url}/kinds/${kind.code}`;
    const mine = existing.filter((i) => i.kind === kind.code && i.note === demoInterfaceNote);
    if (mine.length) {
      for (const i of mine) {
        if (i.baseUrl === baseUrl) continue;
        await ctx.connectors.updateInterface(actor, i.id, { baseUrl });
        repointed += 1;
      }
      continue;
    }
    if (existing.some((i) => i.kind === kind.code && i.enabled)) continue;
    await ctx.connectors.createInterface(actor, {
      providerId: kind.providers[0]!.id,
      kind: kind.code,
      baseUrl,
      auth: { type: 'none' },
      timeoutMs: 2_000,
      retries: 2,
      rateLimitPerSecond: 50,
      maxConcurrency: 16,
      cacheTtlSeconds: 0,
      storeAsRecords: null,
      enabled: true,
      note: demoInterfaceNote,
    });
    created += 1;
  }
  log(
    `接口调用沙箱 / sandbox provider: ${sandbox.url}（新登记 ${created}、更新地址 ${repointed} 个接口 / ${created} interfaces registered, ${repointed} re-pointed）`,
  );
  return sandbox;
}
