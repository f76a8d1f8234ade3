import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { systemActor } from '../access/actor.ts';
import { ensureInstitution, loginAs, type TestSession } from '../accounts/accounts.testing.ts';
import { addMonths, chinaDay } from '../access/china-time.ts';
import { buildSubjects, makeUscc } from '../subjects/subjects.factory.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';

/**
 * The financing whitelist over HTTP, as each party uses it: a district recommends enterprises of
 * its area, an industry department any; operators review; institutions see only what is in force;
 * the enterprise sees its own standing; every step is in the entry's history and the ledger.
 */
describe('financing whitelist (白名单)', () => {
  let t: TestApp;
  let jinshui: TestSession;
  let dept: TestSession;
  let operator: TestSession;
  let bank: TestSession;
  let owner: TestSession;
  let other: TestSession;
  const huarui = makeUscc('410105');
  const pds = makeUscc('410402');
  const closed = makeUscc('410105');

  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    await buildSubjects(t.db, [
      { uscc: huarui, name: '郑州市金水区华瑞科技有限公司', region_code: '410105' },
      { uscc: pds, name: '平顶山市新华区王记餐饮店', region_code: '410402' },
      { uscc: closed, name: '郑州已注销商贸有限公司', region_code: '410105', registration_status: '注销' },
    ]);
    const sys = systemActor('test');
    await t.ctx.accounts.createOrganisation(sys, {
      id: 'jinshui',
      kind: 'district',
      nameZh: '郑州市金水区人民政府',
      regionCode: '410105',
    });
    await t.ctx.accounts.createOrganisation(sys, {
      id: 'gxj',
      kind: 'department',
      nameZh: '市工业和信息化局',
    });
    jinshui = await loginAs(t, 'recommender', { orgId: 'jinshui' });
    dept = await loginAs(t, 'recommender', { orgId: 'gxj' });
    operator = await loginAs(t, 'operator');
    await ensureInstitution(t.ctx);
    bank = await loginAs(t, 'institution');
    owner = await loginAs(t, 'enterprise', { uscc: huarui });
    other = await loginAs(t, 'enterprise', { uscc: pds });
  });
  after(() => t.close());

  const call = (
    who: TestSession | undefined,
    method: 'GET' | 'POST',
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    t.inject({
      method,
      url,
      ...(who ? { headers: who.headers } : {}),
      ...(payload ? { payload } : {}),
    });

  const recommend = (
    who: TestSession,
    uscc: string,
    reason = '国家级专精特新“小巨人”企业，订单充足，拟扩产',
  ) => call(who, 'POST', '/api/v1/whitelist', { uscc, category: 'srdi', reason });

  it('runs a recommendation from district to institutions: recommend, review, list, withdraw', async () => {
    const rec = await recommend(jinshui, huarui);
    assert.equal(rec.statusCode, 201, rec.body);
    const entry = rec.json();
    assert.equal(entry.status, 'pending');
    assert.equal(entry.statusLabel.zh, '待审核');
    assert.equal(entry.orgName, '郑州市金水区人民政府');
    assert.equal(entry.categoryLabel.zh, '专精特新企业');
    assert.deepEqual(
      entry.history.map((h: { event: string }) => h.event),
      ['recommended'],
    );

    // once per organisation while open; only subjects of the district's area; not a closed business
    const again = await recommend(jinshui, huarui);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'whitelist_duplicate');
    const outside = await recommend(jinshui, pds);
    assert.equal(outside.statusCode, 403);
    assert.equal(outside.json().code, 'whitelist_out_of_area');
    assert.match(outside.json().message.zh, /不在本单位/);
    const dead = await recommend(jinshui, closed);
    assert.equal(dead.statusCode, 422);
    assert.equal(dead.json().code, 'whitelist_subject_inactive');
    const noReason = await call(jinshui, 'POST', '/api/v1/whitelist', {
      uscc: huarui,
      category: 'srdi',
      reason: ' ',
    });
    assert.equal(noReason.statusCode, 400);
    // an industry department recommends across the city
    const byDept = await recommend(dept, pds, '餐饮稳岗重点企业');
    assert.equal(byDept.statusCode, 201, byDept.body);

    // nothing is visible to institutions before review
    assert.equal((await call(bank, 'GET', '/api/v1/whitelist')).json().total, 0);
    assert.equal((await call(bank, 'GET', `/api/v1/whitelist/${entry.id}`)).statusCode, 404);
    // recommenders see their own organisation's entries only
    const mine = (await call(jinshui, 'GET', '/api/v1/whitelist')).json();
    assert.deepEqual(
      mine.items.map((e: { uscc: string }) => e.uscc),
      [huarui],
    );

    // the operator reviews: approve (12 months by default), reject with a note
    const pending = (await call(operator, 'GET', '/api/v1/whitelist?status=pending')).json();
    assert.equal(pending.total, 2);
    const approved = await call(operator, 'POST', `/api/v1/whitelist/${entry.id}/review`, {
      decision: 'approve',
      note: '经核查符合条件',
    });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'listed');
    assert.equal(approved.json().validUntil, addMonths(chinaDay(new Date()), 12));
    const rejectNoNote = await call(operator, 'POST', `/api/v1/whitelist/${byDept.json().id}/review`, {
      decision: 'reject',
    });
    assert.equal(rejectNoNote.statusCode, 400);
    const rejected = await call(operator, 'POST', `/api/v1/whitelist/${byDept.json().id}/review`, {
      decision: 'reject',
      note: '近一年有行政处罚记录',
    });
    assert.equal(rejected.json().status, 'rejected');
    const twice = await call(operator, 'POST', `/api/v1/whitelist/${entry.id}/review`, {
      decision: 'approve',
    });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'whitelist_step_invalid');

    // institutions see the entry in force with its reason and recommender, the status and the tag
    const list = (await call(bank, 'GET', '/api/v1/whitelist')).json();
    assert.deepEqual(
      list.items.map((e: { uscc: string; orgName: string }) => [e.uscc, e.orgName]),
      [[huarui, '郑州市金水区人民政府']],
    );
    assert.equal((await call(bank, 'GET', '/api/v1/whitelist?status=pending')).statusCode, 403);
    const standing = (await call(bank, 'GET', `/api/v1/subjects/${huarui}/whitelist`)).json();
    assert.equal(standing.listed, true);
    const profile = (await call(bank, 'GET', `/api/v1/subjects/${huarui}/profile`)).json();
    const tag = profile.tags.find((x: { code: string }) => x.code === 'whitelist');
    assert.equal(tag?.zh, '融资白名单');
    assert.equal(tag.category, 'whitelist');
    // not public: no tag for anonymous viewers, no standing for another enterprise
    const anonProfile = (await call(undefined, 'GET', `/api/v1/subjects/${huarui}/profile`)).json();
    assert.ok(!anonProfile.tags.some((x: { code: string }) => x.code === 'whitelist'));
    assert.equal((await call(undefined, 'GET', '/api/v1/whitelist')).statusCode, 401);
    assert.equal((await call(other, 'GET', `/api/v1/subjects/${huarui}/whitelist`)).statusCode, 403);
    // the enterprise sees its own standing, with the history
    const own = (await call(owner, 'GET', `/api/v1/subjects/${huarui}/whitelist`)).json();
    assert.equal(own.entries[0].status, 'listed');
    const ownEntry = (await call(owner, 'GET', `/api/v1/whitelist/${entry.id}`)).json();
    assert.deepEqual(
      ownEntry.history.map((h: { event: string }) => h.event),
      ['recommended', 'approved'],
    );

    // only the recommending organisation withdraws, with a reason; institutions no longer see it
    const foreign = await call(dept, 'POST', `/api/v1/whitelist/${entry.id}/withdraw`, { reason: '测试' });
    assert.equal(foreign.statusCode, 404);
    const withdrawn = await call(jinshui, 'POST', `/api/v1/whitelist/${entry.id}/withdraw`, {
      reason: '企业已获得贷款，无融资需求',
    });
    assert.equal(withdrawn.statusCode, 200, withdrawn.body);
    assert.equal(withdrawn.json().status, 'withdrawn');
    assert.equal(withdrawn.json().closeReason, '企业已获得贷款，无融资需求');
    assert.equal((await call(bank, 'GET', '/api/v1/whitelist')).json().total, 0);
    assert.equal((await call(bank, 'GET', `/api/v1/subjects/${huarui}/whitelist`)).json().listed, false);
  });

  it('lets an operator remove a listed subject, and a closed entry can be recommended again', async () => {
    const rec = await recommend(jinshui, huarui, '再次推荐：新增订单');
    assert.equal(rec.statusCode, 201, rec.body);
    const id = rec.json().id;
    await call(operator, 'POST', `/api/v1/whitelist/${id}/review`, {
      decision: 'approve',
      validUntil: '2099-01-01',
    }).then((r) => assert.equal(r.statusCode, 400, 'a term beyond 24 months is refused'));
    const ok = await call(operator, 'POST', `/api/v1/whitelist/${id}/review`, { decision: 'approve' });
    assert.equal(ok.json().status, 'listed');
    const noReason = await call(operator, 'POST', `/api/v1/whitelist/${id}/remove`, { reason: '' });
    assert.equal(noReason.statusCode, 400);
    const removed = await call(operator, 'POST', `/api/v1/whitelist/${id}/remove`, {
      reason: '被列入失信被执行人名单',
    });
    assert.equal(removed.json().status, 'removed');
    assert.deepEqual(
      removed.json().history.map((h: { event: string }) => h.event),
      ['recommended', 'approved', 'removed'],
    );
    const all = (await call(operator, 'GET', `/api/v1/whitelist?uscc=${huarui}`)).json();
    assert.deepEqual(
      all.items.map((e: { status: string }) => e.status),
      ['removed', 'withdrawn'],
    );
    // every step is a ledger leaf (texts as digests only: entries are public)
    const leaves = await sql<{ payload: unknown }>`
      SELECT payload FROM ledger_entries WHERE entry_type = 'whitelist'`.execute(t.db);
    assert.equal(leaves.rows.length, 8);
    assert.ok(!JSON.stringify(leaves.rows).includes('失信被执行人'), 'reasons are not in the public ledger');
  });

  it('keeps one open entry when the same recommendation is sent twice at once', async () => {
    const both = await Promise.all([
      recommend(dept, huarui, '同时提交的推荐 A'),
      recommend(dept, huarui, '同时提交的推荐 B'),
    ]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [201, 409], both.map((r) => r.body).join('\n'));
    assert.equal(both.find((r) => r.statusCode === 409)!.json().code, 'whitelist_duplicate');
    const open = (await call(dept, 'GET', `/api/v1/whitelist?uscc=${huarui}&status=pending`)).json();
    assert.equal(open.total, 1);
  });
});
