import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../access/actor.ts';
import { canManageInterface, interfaceListScope, isInternalHost } from './connectors.policy.ts';

describe('connectors policy', () => {
  it('lets operators manage every interface and a provider only its own', () => {
    const cases: Array<[Actor, string, boolean]> = [
      [{ type: 'operator', id: 'o' }, 'tax', true],
      [{ type: 'provider', id: 'p', orgId: 'tax' }, 'tax', true],
      [{ type: 'provider', id: 'p', orgId: 'tax' }, 'power', false],
      [{ type: 'provider', id: 'p' }, 'tax', false],
      [{ type: 'institution', id: 'i', orgId: 'tax' }, 'tax', false],
      [{ type: 'enterprise', id: 'e', uscc: 'x' }, 'tax', false],
      [{ type: 'anonymous' }, 'tax', false],
    ];
    for (const [actor, provider, expected] of cases) {
      assert.equal(canManageInterface(actor, provider), expected, `${actor.type} → ${provider}`);
    }
    assert.deepEqual(interfaceListScope({ type: 'provider', id: 'p', orgId: 'tax' }), { providerId: 'tax' });
    assert.equal(interfaceListScope({ type: 'institution', id: 'i', orgId: 'b' }), 'none');
  });

  it('recognises loopback, private and link-local hosts', () => {
    for (const h of [
      'localhost',
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '[::1]',
      'fd00::1',
      'fe80::1',
      '100.64.0.1',
      'x.localhost',
    ]) {
      assert.equal(isInternalHost(h), true, h);
    }
    for (const h of ['172.32.0.1', '8.8.8.8', 'tax.example.gov.cn', '2001:db8::1', '11.0.0.1']) {
      assert.equal(isInternalHost(h), false, h);
    }
  });
});
