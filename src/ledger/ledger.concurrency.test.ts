import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDb, type Db } from '../db/database.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { enqueueLedgerEntries } from './ledger-queue.ts';
import { createLedgerService } from './ledger.service.ts';

// Many writers at once on PostgreSQL: transactions that commit out of order, one held open while
// others commit, rollbacks, and two sequencers (two "processes") racing. The log must stay gap-free,
// hold every committed entry exactly once, nothing rolled back, and verify.

const onPostgres = !!process.env.TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

describe(
  'ledger under concurrent writers',
  { skip: onPostgres ? false : 'PGlite has a single connection' },
  () => {
    let t: TestApp;
    let writers: Db;
    before(async () => {
      t = await createTestApp();
      writers = createDb({ databaseUrl: t.url, schema: t.schema, poolSize: 10 });
      await t.ctx.ledger.sequenceNow();
    });
    after(async () => {
      await writers.destroy();
      await t.close();
    });

    const entry = (ref: string) => ({
      entryType: 'report' as const,
      refTable: 'test_refs',
      refId: ref,
      uscc: null,
      payload: { ref },
    });

    async function leafOf(ref: string): Promise<number | undefined> {
      return t.ctx.ledger.leafIndexFor('test_refs', ref);
    }

    it('places what commits while a transaction is held open, and never skips that transaction when it commits last', async () => {
      const base = (await t.ctx.ledger.status()).treeSize;
      await writers.transaction().execute((trx) => enqueueLedgerEntries(trx, [entry('before')]));

      // A writes first (older transaction, smaller queue ids) and stays open.
      const aWrote = gate();
      const aCommit = gate();
      const a = writers.transaction().execute(async (trx) => {
        await enqueueLedgerEntries(trx, [entry('A1'), entry('A2')]);
        aWrote.open();
        await aCommit.p;
      });
      try {
        await aWrote.p;
        // B and C commit while A is open; D rolls back.
        await writers.transaction().execute((trx) => enqueueLedgerEntries(trx, [entry('B1')]));
        await writers.transaction().execute((trx) => enqueueLedgerEntries(trx, [entry('C1'), entry('C2')]));
        await assert.rejects(
          writers.transaction().execute(async (trx) => {
            await enqueueLedgerEntries(trx, [entry('D1')]);
            throw new Error('rollback');
          }),
        );

        const r1 = await t.ctx.ledger.sequenceNow();
        assert.equal(r1.treeSize, base + 4, 'what committed is placed; A is not, being uncommitted');
        assert.deepEqual(await Promise.all(['before', 'B1', 'C1', 'C2', 'A1'].map(leafOf)), [
          base,
          base + 1,
          base + 2,
          base + 3,
          undefined,
        ]);
        assert.ok((await t.ctx.ledger.status()).pending >= 0);
      } finally {
        aCommit.open();
        await a;
      }
      // A committed last, behind the cursor: a sequence taken before commit would have skipped it.
      const r2 = await t.ctx.ledger.sequenceNow();
      assert.equal(r2.treeSize, base + 6);
      assert.deepEqual(await Promise.all(['A1', 'A2'].map(leafOf)), [base + 4, base + 5]);
      assert.equal(await leafOf('D1'), undefined, 'a rolled-back entry never becomes a leaf');
      assert.equal((await t.ctx.ledger.status()).pending, 0);
      const v = await t.ctx.ledger.verify();
      assert.equal(v.ok, true, JSON.stringify(v.problems));
    });

    it('many writers and two sequencers at once: gap-free, every committed entry exactly once', async () => {
      const second = createDb({ databaseUrl: t.url, schema: t.schema, poolSize: 3 });
      // The second sequencer takes 3 entries per round: paging through fresh and late rows.
      const other = createLedgerService({ db: second, config: t.ctx.config, ledger: { batchSize: 3 } });
      const committed: string[] = [];
      const rolledBack: string[] = [];
      let done = false;

      const writer = async (w: number) => {
        for (let k = 0; k < 25; k++) {
          const refs = Array.from({ length: 1 + ((w + k) % 4) }, (_, i) => `w${w}-${k}-${i}`);
          const rollback = (w * 31 + k) % 10 === 0;
          try {
            await writers.transaction().execute(async (trx) => {
              // Take the transaction id early, then dawdle: commit order differs from id order.
              await sql`SELECT pg_current_xact_id()`.execute(trx);
              await sleep((w * 7 + k * 13) % 15);
              await enqueueLedgerEntries(trx, refs.map(entry));
              await sleep((w * 3 + k * 5) % 10);
              if (rollback) throw new Error('rollback');
            });
            committed.push(...refs);
          } catch (e) {
            if ((e as Error).message !== 'rollback') throw e;
            rolledBack.push(...refs);
          }
        }
      };
      const sequencerLoop = async (svc: typeof other) => {
        while (!done) {
          await svc.sequenceNow();
          await sleep(3);
        }
      };

      const loops = [sequencerLoop(t.ctx.ledger), sequencerLoop(other)];
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      done = true;
      await Promise.all(loops);
      await t.ctx.ledger.sequenceNow();
      await second.destroy();

      const status = await t.ctx.ledger.status();
      assert.equal(status.pending, 0);
      const rows = await t.db
        .selectFrom('ledger_entries')
        .select(['ref_id', 'leaf_index'])
        .where('ref_table', '=', 'test_refs')
        .where('ref_id', 'like', 'w%')
        .execute();
      const seen = new Map(rows.map((r) => [r.ref_id, r.leaf_index]));
      assert.equal(rows.length, committed.length, 'every committed entry once, nothing else');
      for (const ref of committed) assert.notEqual(seen.get(ref), null, `${ref} was placed`);
      for (const ref of rolledBack) assert.equal(seen.has(ref), false, `${ref} was rolled back`);

      const all = await t.db
        .selectFrom('ledger_entries')
        .select('leaf_index')
        .orderBy('leaf_index')
        .execute();
      assert.equal(all.length, status.treeSize);
      assert.deepEqual(
        all.map((r) => Number(r.leaf_index)),
        all.map((_, i) => i),
        'leaf indexes are 0..n-1',
      );
      const v = await t.ctx.ledger.verify();
      assert.equal(v.ok, true, JSON.stringify(v.problems));
      assert.ok(v.checkpointsChecked > 2);
    });
  },
);
