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
  const byLevel = (level: number) => industryItems().filter((i) => i.level === level);

  it('has the 20 sections and 97 divisions', () => {
    assert.deepEqual(
      byLevel(1)
        .map((i) => i.code)
        .join(''),
      'ABCDEFGHIJKLMNOPQRST',
    );
    assert.equal(byLevel(2).length, 97);
    assert.equal(findIndustry('65')?.parent_code, 'I');
    assert.equal(findIndustry('96')?.name, '基层群众自治组织及其他组织');
  });

  it('has every group and class of the standard with its 2019 amendment: 20/97/473/1,382', () => {
    // Counts as published for GB/T 4754-2017 with 第1号修改单 (e.g. 江苏省统计局, 2025-01-20).
    assert.deepEqual(
      [1, 2, 3, 4].map((l) => byLevel(l).length),
      [20, 97, 473, 1382],
    );
    assert.equal(industryItems().length, 1972);
    assert.equal(new Set(industryItems().map((i) => i.code)).size, 1972, 'no duplicate codes');
  });

  it('nests every code under its parent: letter, then 2, 3 and 4 digits extending the parent code', () => {
    const shape = ['', '^[A-T]$', '^\\d{2}$', '^\\d{3}$', '^\\d{4}$'];
    for (const i of industryItems()) {
      assert.match(i.code, new RegExp(shape[i.level]!), `${i.code} level ${i.level}`);
      if (i.level === 1) {
        assert.equal(i.parent_code, null, i.code);
        continue;
      }
      const parent = findIndustry(i.parent_code ?? '');
      assert.ok(parent, `${i.code}: parent ${i.parent_code}`);
      assert.equal(parent.level, i.level - 1, i.code);
      if (i.level > 2) assert.ok(i.code.startsWith(parent.code), `${i.code} under ${parent.code}`);
      assert.ok(i.name.trim() === i.name && i.name.length > 0, `${i.code}: name`);
    }
    // every 大类 and 中类 has children (a 中类 without 小类 would mean a lost row)
    for (const i of [...byLevel(2), ...byLevel(3)]) {
      assert.ok(
        industryItems().some((c) => c.parent_code === i.code),
        `${i.code} ${i.name} has no children`,
      );
    }
  });

  it('has the spot entries, the 2019 amendment and the wording chosen where the sources differed', () => {
    const names: Record<string, string> = {
      '6513': '应用软件开发',
      '5212': '超级市场零售',
      '0111': '稻谷种植',
      '3011': '水泥制造',
      '651': '软件开发',
      // 第1号修改单 (2019): 923 gained 监察委员会 and its 小类 were renumbered
      '923': '监察委员会、人民法院和人民检察院',
      '9231': '监察委员会',
      '9232': '人民法院',
      '9233': '人民检察院',
      // resolved differences between the two transcriptions (docs/decisions/0121)
      '2780': '药用辅料及包装材料制造',
      '3445': '液力动力机械元件制造',
      '3741': '飞机制造',
      '7271': '安全服务',
      '7289': '其他会议、会展及相关服务',
      '8052': '足浴服务',
      '905': '文化体育娱乐活动与经纪代理服务',
      '9051': '文化活动服务',
    };
    for (const [code, name] of Object.entries(names)) assert.equal(findIndustry(code)?.name, name, code);
    assert.equal(findIndustry('6513')?.parent_code, '651');
    assert.equal(findIndustry('0610')?.parent_code, '061', 'a 中类 with a single 小类 ending in 0');
  });

  it('turns an industry filter into a range of codes', () => {
    assert.deepEqual(industryRange('I'), { from: '63', to: '6599', letter: 'I' });
    assert.deepEqual(industryRange('C'), { from: '13', to: '4399', letter: 'C' });
    assert.deepEqual(industryRange('65'), { from: '65', to: '6599' });
    assert.deepEqual(industryRange('I6513'), { from: '6513', to: '6513' });
    assert.equal(industryRange('Z'), undefined);
  });

  it('accepts exactly the codes of the standard for record validation', () => {
    assert.ok(isPlausibleIndustryCode('I'));
    assert.ok(isPlausibleIndustryCode('6513'));
    assert.ok(isPlausibleIndustryCode('I6513'));
    assert.ok(isPlausibleIndustryCode('651'));
    assert.ok(isPlausibleIndustryCode('C1391'));
    assert.ok(!isPlausibleIndustryCode('C6513'), 'wrong section letter');
    assert.ok(!isPlausibleIndustryCode('98'), 'no 大类 98');
    assert.ok(!isPlausibleIndustryCode('U'));
    assert.ok(!isPlausibleIndustryCode('6510'), 'GB/T 4754-2011 软件开发, not a 2017 code');
    assert.ok(!isPlausibleIndustryCode('1398'), 'shape of a 小类 under a real 中类, but not in the standard');
  });
});
