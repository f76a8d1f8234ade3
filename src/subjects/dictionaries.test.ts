import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findIndustry,
  findRegion,
  industryItems,
  industryRange,
  isPlausibleIndustryCode,
  isPlausibleRegionCode,
  regionItems,
  regionPrefix,
} from './dictionaries.ts';

describe('region dictionary (GB/T 2260)', () => {
  it('has the 34 province-level units and 333 prefecture-level units', () => {
    assert.equal(regionItems().filter((r) => r.level === 1).length, 34);
    const prefectures = regionItems().filter((r) => r.level === 2 && !r.name.includes('直辖'));
    assert.equal(prefectures.length, 333);
  });

  it('has exactly the districts and counties of 郑州 and 平顶山', () => {
    const under = (p: string) =>
      regionItems()
        .filter((r) => r.parent_code === p)
        .map((r) => `${r.code} ${r.name}`);
    assert.deepEqual(under('410100'), [
      '410102 中原区',
      '410103 二七区',
      '410104 管城回族区',
      '410105 金水区',
      '410106 上街区',
      '410108 惠济区',
      '410122 中牟县',
      '410181 巩义市',
      '410182 荥阳市',
      '410183 新密市',
      '410184 新郑市',
      '410185 登封市',
    ]);
    assert.deepEqual(under('410400'), [
      '410402 新华区',
      '410403 卫东区',
      '410404 石龙区',
      '410411 湛河区',
      '410421 宝丰县',
      '410422 叶县',
      '410423 鲁山县',
      '410425 郏县',
      '410481 舞钢市',
      '410482 汝州市',
    ]);
    assert.equal(regionItems().filter((r) => r.code.startsWith('41') && r.level === 3).length, 157);
    assert.equal(findRegion('419001')?.parent_code, '419000');
  });

  it('has the county-level units of every province, and no statistical-only zone codes', () => {
    const provinces = regionItems().filter((r) => r.level === 1);
    assert.equal(provinces.length, 34);
    // 台湾、香港、澳门 have no county-level codes in GB/T 2260
    for (const p of provinces.filter((x) => !['710000', '810000', '820000'].includes(x.code))) {
      const counties = regionItems().filter((r) => r.level === 3 && r.code.startsWith(p.code.slice(0, 2)));
      assert.ok(counties.length >= 10, `${p.code} ${p.name}: ${counties.length}`);
    }
    assert.equal(findRegion('440305')?.name, '南山区');
    assert.equal(findRegion('440305')?.parent_code, '440300');
    assert.equal(findRegion('330106')?.name, '西湖区');
    assert.equal(findRegion('410171'), undefined); // 郑州经济技术开发区: a statistical code only
    assert.ok(regionItems().filter((r) => r.level === 3).length > 2800);
  });

  it('links every item to an existing parent', () => {
    for (const r of regionItems()) if (r.parent_code) assert.ok(findRegion(r.parent_code), r.code);
    for (const i of industryItems()) if (i.parent_code) assert.ok(findIndustry(i.parent_code), i.code);
  });

  it('turns a region filter into a prefix of its subtree', () => {
    assert.equal(regionPrefix('410000'), '41');
    assert.equal(regionPrefix('410100'), '4101');
    assert.equal(regionPrefix('4101'), '4101');
    assert.equal(regionPrefix('410105'), '410105');
    assert.equal(regionPrefix('419000'), '4190');
    assert.equal(regionPrefix('41x'), undefined);
  });

  it('accepts plausible region codes for record validation', () => {
    assert.ok(isPlausibleRegionCode('410105'));
    assert.ok(!isPlausibleRegionCode('410199'), 'Henan is complete');
    assert.ok(isPlausibleRegionCode('330106'), 'a Hangzhou district, not shipped yet');
    assert.ok(!isPlausibleRegionCode('339906'), 'no such prefecture');
    assert.ok(!isPlausibleRegionCode('990101'));
  });
});

describe('industry dictionary (GB/T 4754-2017)', () => {
  it('has the 20 sections and 97 divisions', () => {
    assert.deepEqual(
      industryItems()
        .filter((i) => i.level === 1)
        .map((i) => i.code)
        .join(''),
      'ABCDEFGHIJKLMNOPQRST',
    );
    const divisions = industryItems().filter((i) => i.level === 2);
    assert.equal(divisions.length, 97);
    assert.equal(findIndustry('65')?.parent_code, 'I');
    assert.equal(findIndustry('6513')?.name, '应用软件开发');
  });

  it('turns an industry filter into a range of codes', () => {
    assert.deepEqual(industryRange('I'), { from: '63', to: '6599', letter: 'I' });
    assert.deepEqual(industryRange('C'), { from: '13', to: '4399', letter: 'C' });
    assert.deepEqual(industryRange('65'), { from: '65', to: '6599' });
    assert.deepEqual(industryRange('I6513'), { from: '6513', to: '6513' });
    assert.equal(industryRange('Z'), undefined);
  });

  it('accepts plausible industry codes for record validation', () => {
    assert.ok(isPlausibleIndustryCode('I'));
    assert.ok(isPlausibleIndustryCode('6513'));
    assert.ok(isPlausibleIndustryCode('I6513'));
    assert.ok(isPlausibleIndustryCode('C1391'), 'a 小类 not shipped, under a known 大类');
    assert.ok(!isPlausibleIndustryCode('C6513'), 'wrong section letter');
    assert.ok(!isPlausibleIndustryCode('98'), 'no 大类 98');
    assert.ok(!isPlausibleIndustryCode('U'));
  });
});
