import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkIdNumber, checkUscc, normalizeCode, usccCheckChar } from './identifiers.ts';

describe('USCC (GB 32100-2015)', () => {
  it('computes the published check character', () => {
    assert.equal(usccCheckChar('91350100M000100Y4'), '3');
    assert.equal(checkUscc('91350100M000100Y43'), undefined);
  });
  it('names what is wrong', () => {
    assert.equal(checkUscc('91350100M000100Y4Z')?.rule, 'charset');
    assert.equal(checkUscc('91350100M000100Y40')?.rule, 'check_char');
    assert.equal(checkUscc('91350100M000100Y4')?.rule, 'length');
    assert.equal(checkUscc('B1350100M000100Y43')?.rule, 'authority');
  });
  it('accepts every registration authority and type pair of GB 32100-2015 Table 1, and nothing else', () => {
    const valid = (head: string) => {
      const first17 = `${head}410105MA44XK3Q1`;
      return checkUscc(first17 + usccCheckChar(first17));
    };
    for (const head of ['11', '12', '13', '19', '21', '29', '31', '32', '33', '34', '35', '39', '41', '49']) {
      assert.equal(valid(head), undefined, head);
    }
    for (const head of [
      '51',
      '52',
      '53',
      '59',
      '61',
      '62',
      '69',
      '71',
      '72',
      '79',
      '81',
      '89',
      '91',
      '92',
      '93',
    ]) {
      assert.equal(valid(head), undefined, head);
    }
    for (const head of ['A1', 'A9', 'N1', 'N2', 'N3', 'N9', 'Y1']) assert.equal(valid(head), undefined, head);
    // 9 has no 9 (其他) type; 2 (外交) has only 1 and 9; Y has only 1.
    for (const head of ['99', '94', '22', '63', 'Y2', 'N4', 'A2', 'B1', '01']) {
      assert.equal(valid(head)?.rule, 'authority', head);
    }
  });
  it('requires the region code to start with a province code', () => {
    const first17 = '91990100MA44XK3Q1';
    assert.equal(checkUscc(first17 + usccCheckChar(first17))?.rule, 'region');
    const central = '11100000MA44XK3Q1';
    assert.equal(checkUscc(central + usccCheckChar(central)), undefined);
  });
  it('normalises full-width characters and stray spaces', () => {
    assert.equal(normalizeCode(' ９１３５０１００Ｍ０００１００Ｙ４３ '), '91350100M000100Y43');
  });
});

describe('resident ID (GB 11643-1999)', () => {
  it('accepts the published vectors', () => {
    assert.equal(checkIdNumber('53010219200508011X'), undefined);
    assert.equal(checkIdNumber('370101190102039973'), undefined);
  });
  it('rejects a wrong check digit and a bad birth date', () => {
    assert.equal(checkIdNumber('530102192005080110')?.rule, 'check_digit');
    assert.equal(checkIdNumber('530102192013080119')?.rule, 'birth_date');
  });
});
