import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureConnectorDemo } from './connectors.demo.ts';
import type { SandboxProvider } from './sandbox/sandbox.server.ts';
import { createPullWorld, operator, type PullWorld } from './test-world.ts';

describe('connectors demo step', () => {
  let w: PullWorld;
  const started: SandboxProvider[] = [];
  before(async () => {
    w = await createPullWorld();
  });
  after(async () => {
    await Promise.all(started.map((s) => s.close()));
    await w.close();
  });

  it('registers every pull kind against an in-process sandbox, and re-points them on the next start', async () => {
    const ctx = w.t.ctx;
    const lines: string[] = [];
    started.push(await ensureConnectorDemo(ctx, (l) => lines.push(l)));
    const pullKinds = w.catalog.kinds.filter((k) => k.share_mode !== 'push').map((k) => k.code);
    const first = await ctx.connectors.listInterfaces(operator);
    assert.deepEqual(first.map((i) => i.kind).sort(), [...pullKinds].sort());
    assert.match(lines.at(-1)!, /sandbox provider: http:\/\/127\.0\.0\.1:\d+/);

    // Next start: a new port; the same interfaces, re-pointed, no duplicates.
    const second = await ensureConnectorDemo(ctx, () => undefined);
    started.push(second);
    const again = await ctx.connectors.listInterfaces(operator);
    assert.equal(again.length, first.length);
    assert.ok(again.every((i) => i.baseUrl.startsWith(second.url)));

    // And the platform can pull through them (the subject itself, no consent needed).
    const r = await ctx.connectors.pull({ actor: w.enterprise, uscc: w.uscc, kinds: pullKinds });
    assert.deepEqual(
      r.sections.filter((s) => s.status !== 'ok').map((s) => [s.kind, s.code, s.reason?.en]),
      [],
    );
  });
});
