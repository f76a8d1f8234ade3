import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalEntry, canonicalJson, parseCanonicalEntry } from './canonical.ts';

describe('canonical JSON (RFC 8785 style)', () => {
  it('serialises the RFC 8785 §3.2.4 example exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    assert.equal(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 example), array-index-like names too', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const expected = `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(input[k as keyof typeof input])}`).join(',')}}`;
    assert.equal(canonicalJson(input), expected);
  });

  it('sorts nested objects, keeps array order, no whitespace', () => {
    assert.equal(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[3,{"c":2,"d":1}]}');
  });

  it('gives the same text for a payload and for the same payload read back from JSON (jsonb)', () => {
    const payload = {
      when: new Date('2026-11-22T01:30:00.123Z'),
      gone: undefined,
      list: [1, undefined, 'x'],
      big: 1e21,
      small: 1.5e-7,
      neg: -0,
      nan: Number.NaN,
      nested: { z: null, a: true },
      '10': 'ten',
      '2': 'two',
    };
    const roundTripped = JSON.parse(JSON.stringify(payload)) as unknown;
    assert.equal(canonicalJson(payload), canonicalJson(roundTripped));
    assert.equal(canonicalJson({ when: new Date(0) }), '{"when":"1970-01-01T00:00:00.000Z"}');
  });

  it('refuses what JSON cannot carry losslessly', () => {
    assert.throws(() => canonicalJson({ n: 10n }), TypeError);
  });
});

describe('canonical ledger entries', () => {
  const facts = {
    entryType: 'record_version',
    refTable: 'record_versions',
    refId: '42',
    uscc: '91410100MA00000000',
    payload: { version: 1, data_digest: 'ab', record_id: 7 },
  };

  it('encodes the envelope with sorted members and the version', () => {
    assert.equal(
      canonicalEntry(facts),
      '{"payload":{"data_digest":"ab","record_id":7,"version":1},"ref":{"id":"42","table":"record_versions"},' +
        '"type":"record_version","uscc":"91410100MA00000000","v":1}',
    );
  });

  it('reads an entry back, and refuses text that is not its canonical form', () => {
    const text = canonicalEntry(facts);
    assert.deepEqual(parseCanonicalEntry(text), facts);
    assert.equal(parseCanonicalEntry(text.replace('"v":1', '"v": 1')), undefined);
    assert.equal(parseCanonicalEntry(JSON.stringify({ ...JSON.parse(text), extra: 1 })), undefined);
    assert.equal(parseCanonicalEntry('not json'), undefined);
  });
});
