import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRightsConfig } from '../rights-config.ts';
import { publicityUntilByRules, repairPeriods, repairRefusals } from './repair-rules.ts';

const cfg = loadRightsConfig();
const penalty = {
  code: 'admin_penalty',
  publicity: { from_field: 'decided_on', until_field: 'publicity_until' },
};

describe('repair rules', () => {
  it('takes the regime of the decision date and the class periods', () => {
    const general = repairPeriods(cfg, { kindCode: 'admin_penalty', data: {}, decidedOn: '2026-05-10' });
    assert.equal(general.regime.id, 'measures2026');
    assert.deepEqual([general.minUntil, general.maxUntil], ['2026-08-10', '2027-05-10']);
    const serious = repairPeriods(cfg, {
      kindCode: 'admin_penalty',
      data: { severity: '严重' },
      decidedOn: '2026-05-10',
    });
    assert.deepEqual(
      [serious.severity, serious.minUntil, serious.maxUntil],
      ['serious', '2027-05-10', '2029-05-10'],
    );
    const old = repairPeriods(cfg, {
      kindCode: 'admin_penalty',
      data: { penalty_basis: '安全生产法' },
      decidedOn: '2024-03-31',
    });
    assert.equal(old.regime.id, 'order58');
    assert.deepEqual([old.minUntil, old.maxUntil], ['2025-03-31', '2027-03-31']);
    assert.match(old.override!, /安全生产/);
  });

  it('ends publicity at the rules’ maximum, at once for unpublished minor records, or at the provider’s date', () => {
    assert.equal(publicityUntilByRules(cfg, penalty, { decided_on: '2026-05-10' }), '2027-05-10');
    assert.equal(
      publicityUntilByRules(cfg, penalty, { decided_on: '2026-05-10', severity: '轻微' }),
      '2026-05-10',
    );
    assert.equal(
      publicityUntilByRules(cfg, penalty, { decided_on: '2026-05-10', publicity_until: '2026-12-31' }),
      '2026-12-31',
    );
    assert.equal(publicityUntilByRules(cfg, { code: 'x' }, { decided_on: '2026-05-10' }), null);
  });

  it('lists no refusal when every condition is met', () => {
    const periods = repairPeriods(cfg, { kindCode: 'admin_penalty', data: {}, decidedOn: '2025-01-01' });
    const ok = {
      today: '2026-11-22',
      periods,
      penaltyFulfilled: true,
      evidenceCount: 1,
      commitmentSigned: true,
      negative: true,
    };
    assert.deepEqual(repairRefusals(ok), []);
    assert.deepEqual(
      repairRefusals({ ...ok, negative: false, evidenceCount: 0 }).map((r) => r.code),
      ['not_negative', 'no_evidence'],
    );
  });
});
