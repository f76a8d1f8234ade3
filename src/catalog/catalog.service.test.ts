import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { systemActor } from '../access/actor.ts';
import { AppError } from '../shared/errors.ts';
import { seedCatalog } from '../test/catalog.ts';
import { countRows, createTestDb, type TestDb } from '../test/db.ts';
import { buildHeaderIndex, matchEnumValue, normalizeHeader } from './catalog.lookup.ts';
import { catalogDocumentSchema, type CatalogDocument, type CatalogKind } from './catalog.schema.ts';
import { createCatalogService, readSeedCatalog, type CatalogService } from './catalog.service.ts';
import { parseCatalogDocument } from './catalog.validate.ts';

const operator = systemActor('test');

/** A deep copy of the seed document, to change and re-import. */
function seedDoc(): CatalogDocument {
  return catalogDocumentSchema.parse(JSON.parse(readSeedCatalog()));
}

function kindOf(doc: CatalogDocument, code: string): CatalogKind {
  const k = doc.kinds.find((x) => x.code === code);
  assert.ok(k, `kind ${code} in the seed`);
  return k;
}

/** Runs fn, expects catalog_invalid, returns the problems it lists. */
async function invalidProblems(fn: () => Promise<unknown>): Promise<{ path: string; message_zh: string }[]> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, 'catalog_invalid');
    assert.equal(e.status, 400);
    return (e.details?.errors ?? []) as { path: string; message_zh: string }[];
  }
  assert.fail('expected catalog_invalid');
}

describe('seed catalog (both sharing lists)', () => {
  const doc = parseCatalogDocument(readSeedCatalog(), 'json');

  it('passes its own schema and integrity checks', () => {
    assert.equal(doc.categories.length, 16);
    assert.deepEqual(
      [...doc.categories].sort((a, b) => a.order - b.order).map((c) => c.name_zh),
      [
        '市场主体登记信息',
        '司法信息',
        '纳税信息',
        '住房公积金信息',
        '社会保险信息',
        '生态环境领域信息',
        '进出口信息',
        '商标和专利信息',
        '软件著作权信息',
        '不动产信息',
        '行政管理信息',
        '水电气费缴纳信息',
        '科技研发信息',
        '新型农业经营主体信息',
        '公共资源交易信息',
        '信用承诺信息',
      ],
    );
  });

  it('keeps both lists’ category names as aliases', () => {
    const byName = (n: string) => doc.categories.find((c) => c.name_zh === n || c.aliases.includes(n));
    assert.equal(byName('环境领域信息')?.code, 'ecology');
    assert.equal(byName('商标信息')?.code, 'trademark_patent');
    assert.equal(byName('水电费缴纳信息')?.code, 'utilities');
  });

  it('has every kind of both lists', () => {
    const names = new Set(doc.kinds.map((k) => k.name_zh));
    for (const n of [
      '营业执照信息',
      '变更信息',
      '所属行业类型',
      '股东及出资信息',
      '分支机构信息',
      '股权出质登记信息',
      '企业年报',
      '列入经营异常名录情况',
      '列入严重违法失信企业名单情况',
      '抽查信息',
      '法院判决信息',
      '强制执行信息',
      '终结本次执行案件信息',
      '失信被执行人信息',
      '破产信息',
      '纳税信用等级信息',
      '非正常纳税户信息',
      '欠税信息',
      '纳税信息',
      '纳税统计信息',
      '缴存信息',
      '缴纳统计信息',
      '养老、失业、工伤和生育保险缴费信息',
      '养老、失业、工伤和生育保险欠缴信息',
      '医疗保险费缴费信息',
      '医疗保险欠缴信息',
      '环保信用评价情况',
      '海关注册信息',
      '海关信用等级',
      '企业商标信息',
      '企业专利信息',
      '软件著作权信息',
      '不动产登记信息',
      '查封登记信息',
      '抵押登记信息',
      '行政许可信息',
      '行政处罚信息',
      '行政强制信息',
      '行政奖励信息',
      '行政检查信息',
      '行政确认信息',
      '行政裁决信息',
      '水费信息',
      '电费信息',
      '燃气费信息',
      '科技研发信息',
      '新型农业经营主体信息',
      '公共资源交易信息',
    ]) {
      assert.ok(names.has(n), `kind ${n}`);
    }
    assert.equal(
      doc.kinds.length,
      49,
      '48 kinds of both lists + commitment_breach (platform, docs/decisions/0103)',
    );
  });

  it('covers every item of 共享内容 in both lists, per kind', () => {
    // The cells of both lists, verbatim. An item is covered when a field has it as label or alias,
    // or, for groups and compound items that were expanded or split, when the kind's note or a
    // field's description names it (so the expansion is documented where it happened).
    const lists = JSON.parse(
      fs.readFileSync(new URL('./fixtures/sharing-lists.json', import.meta.url), 'utf8'),
    ) as Record<'zhengzhou' | 'pingdingshan', [string, string][]>;
    const splitItems = (cell: string): string[] => {
      const out: string[] = [];
      let depth = 0;
      let cur = '';
      for (const ch of cell) {
        if (ch === '(' || ch === '（') depth++;
        if (ch === ')' || ch === '）') depth--;
        if (ch === '、' && depth === 0) {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out.map((x) => x.trim().replace(/等$/, '')).filter(Boolean);
    };
    const uncovered: string[] = [];
    let items = 0;
    for (const city of ['zhengzhou', 'pingdingshan'] as const) {
      assert.equal(lists[city].length, 49, `${city}: 48 kinds, 营业执照信息 in two rows`);
      for (const [code, cell] of lists[city]) {
        const kind = kindOf(doc, code);
        assert.ok(kind.sources.includes(city), `${code} from ${city}`);
        const documented = normalizeHeader(
          [kind.note ?? '', ...kind.fields.map((f) => f.description ?? '')].join(' '),
        );
        for (const item of splitItems(cell)) {
          items++;
          const n = normalizeHeader(item);
          const head = normalizeHeader(item.replace(/[(（].*$/, ''));
          const asField = kind.fields.some((f) =>
            [f.label_zh, ...f.aliases].some((x) => normalizeHeader(x) === n),
          );
          if (!asField && !documented.includes(n) && !documented.includes(head)) {
            uncovered.push(`${city} ${code}: ${item}`);
          }
        }
      }
    }
    assert.deepEqual(uncovered, []);
    assert.ok(items > 700, `items checked: ${items}`);
  });

  it('keeps list differences: 电费 with 价值等级 and 地区地方名(省级) from Pingdingshan, optional', () => {
    const power = kindOf(doc, 'electricity_fee');
    for (const label of ['价值等级', '地区地方名(省级)']) {
      const f = power.fields.find((x) => x.label_zh === label);
      assert.ok(f, label);
      assert.equal(f.required, false);
      assert.deepEqual(f.sources, ['pingdingshan']);
    }
    assert.ok(power.fields.some((f) => f.label_zh === '地区地方名(市级)'));
    assert.equal(power.share_mode, 'pull');
  });

  it('行政裁决信息: 法定代表人证件号码 is optional and from Zhengzhou only', () => {
    const k = kindOf(doc, 'admin_adjudication');
    const f = k.fields.find((x) => x.code === 'legal_rep_id_number');
    assert.ok(f);
    assert.equal(f.required, false);
    assert.deepEqual(f.sources, ['zhengzhou']);
    assert.equal(f.sensitivity, 'personal');
    assert.match(k.note ?? '', /平顶山/);
  });

  it('housing fund deposits are shared both ways; court enforcement is filed by uscc_or_id', () => {
    assert.equal(kindOf(doc, 'housing_fund_deposit').share_mode, 'both');
    assert.equal(kindOf(doc, 'housing_fund_statistics').share_mode, 'both');
    for (const code of ['enforcement', 'case_terminated', 'dishonest_debtor']) {
      const k = kindOf(doc, code);
      const subject = k.fields.find((f) => f.code === k.subject_field);
      assert.equal(subject?.type, 'uscc_or_id', code);
      assert.equal(k.negative, true, code);
      assert.deepEqual(k.natural_key, ['case_no'], code);
    }
  });

  it('penalties carry the publicity rule and are negative', () => {
    const k = kindOf(doc, 'admin_penalty');
    assert.equal(k.negative, true);
    assert.equal(k.openness, 'public');
    assert.deepEqual(k.natural_key, ['penalty_decision_no']);
    assert.equal(k.publicity?.from_field, 'decided_on');
    assert.equal(k.publicity?.until_field, 'publicity_until');
    assert.equal(k.publicity?.max_months, 36);
    assert.match(k.publicity?.basis ?? '', /信用修复管理办法/);
    const id = k.fields.find((f) => f.code === 'legal_rep_id_number');
    assert.equal(id?.sensitivity, 'personal');
  });

  it('every push kind has a USCC or ID subject field and a name; tax details are restricted', () => {
    for (const k of doc.kinds) {
      const subject = k.fields.find((f) => f.code === k.subject_field);
      assert.ok(subject && ['uscc', 'uscc_or_id'].includes(subject.type), k.code);
      assert.ok(k.subject_name_field, k.code);
      assert.ok(k.providers.length > 0, k.code);
    }
    const taxAmount = kindOf(doc, 'tax_details').fields.find((f) => f.code === 'tax_payable');
    assert.equal(taxAmount?.sensitivity, 'restricted');
    assert.equal(kindOf(doc, 'tax_details').openness, 'conditional');
    const uscc = kindOf(doc, 'business_licence').fields.find((f) => f.code === 'uscc');
    assert.equal(uscc?.sensitivity, 'public');
  });

  it('closed sets are enums that accept the usual spellings', () => {
    const level = kindOf(doc, 'tax_credit_rating').fields.find((f) => f.code === 'tax_credit_level')!;
    assert.deepEqual(
      level.enum?.map((v) => v.value),
      ['A', 'B', 'M', 'C', 'D'],
    );
    assert.equal(matchEnumValue(level, 'a级')?.value, 'A');
    const env = kindOf(doc, 'environmental_credit').fields.find((f) => f.code === 'env_credit_level')!;
    assert.equal(matchEnumValue(env, '绿牌')?.value, 'green');
    assert.equal(matchEnumValue(env, '黑牌')?.value, 'black');
    assert.equal(matchEnumValue(env, '紫牌'), undefined);
    const customs = kindOf(doc, 'customs_credit').fields.find((f) => f.code === 'customs_credit_level')!;
    for (const label of ['高级认证企业', '认证企业', '常规企业', '失信企业', '严重失信企业', '其他企业']) {
      assert.ok(matchEnumValue(customs, label), label);
    }
  });

  it('headers match by label, code or alias, full-width or not', () => {
    const idx = buildHeaderIndex(kindOf(doc, 'business_licence'));
    assert.equal(idx.get(normalizeHeader('统一社会信用代码')), 'uscc');
    assert.equal(idx.get(normalizeHeader(' 社会信用代码 ')), 'uscc');
    assert.equal(idx.get(normalizeHeader('单位名称')), 'name');
    assert.equal(idx.get(normalizeHeader('注册资本（万元）')), 'registered_capital');
    assert.equal(idx.get(normalizeHeader('USCC')), 'uscc');
  });
});

describe('catalog service', () => {
  let t: TestDb;
  let svc: CatalogService;
  before(async () => {
    t = await createTestDb();
    svc = createCatalogService(t.db);
  });
  after(() => t.close());

  it('has no current catalog before the seed, then version 1 with providers and a ledger entry', async () => {
    await assert.rejects(
      svc.getCurrent(),
      (e: unknown) => e instanceof AppError && e.code === 'catalog_missing',
    );
    const c = await seedCatalog(t.db);
    assert.equal(c.version, 1);
    assert.equal((await svc.getCurrent()).version, 1);
    assert.equal((await svc.getKind('dishonest_debtor')).name_zh, '失信被执行人信息');

    const samr = await t.db
      .selectFrom('providers')
      .select(['name_zh', 'kinds'])
      .where('id', '=', 'samr')
      .executeTakeFirstOrThrow();
    assert.ok(samr.kinds.includes('business_licence'));
    const court = await t.db
      .selectFrom('providers')
      .select('kinds')
      .where('id', '=', 'court')
      .executeTakeFirstOrThrow();
    assert.deepEqual([...court.kinds].sort(), [
      'bankruptcy',
      'case_terminated',
      'court_judgment',
      'dishonest_debtor',
      'enforcement',
    ]);

    const ledger = await t.db
      .selectFrom('ledger_entries')
      .select(['entry_type', 'ref_table', 'ref_id', 'payload'])
      .where('entry_type', '=', 'catalog_version')
      .execute();
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0]?.ref_id, '1');
    assert.equal((ledger[0]?.payload as { version: number }).version, 1);

    // a second ensure is a no-op
    assert.equal((await seedCatalog(t.db)).version, 1);
    assert.equal(await countRows(t.db, 'catalog_versions'), 1);
  });

  it('throws kind_unknown for a kind the catalog lacks', async () => {
    await assert.rejects(svc.getKind('no_such_kind'), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'kind_unknown');
      assert.match(e.messageZh, /no_such_kind/);
      return true;
    });
  });

  it('re-importing an identical document creates nothing and says so', async () => {
    const before = await countRows(t.db, 'catalog_versions');
    const ledgerBefore = await countRows(t.db, 'ledger_entries');
    // Same content, different key order and format: YAML
    const r = await svc.importDocument(toYaml(seedDoc()), 'yaml', operator);
    assert.equal(r.created, false);
    assert.equal(r.version, 1);
    assert.match(r.message.zh, /相同/);
    assert.equal(await countRows(t.db, 'catalog_versions'), before);
    assert.equal(await countRows(t.db, 'ledger_entries'), ledgerBefore);
  });

  it('adding a kind and a field needs no migration: version 2, old version still resolvable', async () => {
    const doc = seedDoc();
    doc.kinds.push({
      code: 'credit_commitment_pilot',
      name_zh: '信用承诺履约信息',
      name_en: 'Credit commitment performance',
      category: 'administration',
      share_mode: 'push',
      openness: 'public',
      providers: [{ id: 'ndrc', name_zh: '市发展改革委(牵头)', name_en: '' }],
      subject_field: 'uscc',
      subject_name_field: 'name',
      natural_key: ['commitment_no'],
      negative: false,
      sources: [],
      fields: [
        {
          code: 'name',
          label_zh: '企业名称',
          label_en: '',
          type: 'string',
          required: true,
          sensitivity: 'public',
          aliases: [],
        },
        {
          code: 'uscc',
          label_zh: '统一社会信用代码',
          label_en: '',
          type: 'uscc',
          required: true,
          sensitivity: 'public',
          aliases: [],
        },
        {
          code: 'commitment_no',
          label_zh: '承诺书编号',
          label_en: '',
          type: 'string',
          required: true,
          sensitivity: 'public',
          aliases: [],
        },
      ],
    });
    kindOf(doc, 'water_fee').fields.push({
      code: 'meter_no',
      label_zh: '水表号',
      label_en: 'Meter number',
      type: 'string',
      required: false,
      sensitivity: 'public',
      aliases: [],
    });
    kindOf(doc, 'gas_fee').share_mode = 'both';

    const r = await svc.importDocument(doc, 'json', operator, '2026年第一次修订');
    assert.equal(r.created, true);
    assert.equal(r.version, 2);
    assert.equal(r.previous_version, 1);
    assert.equal(r.label, '2026年第一次修订');
    assert.deepEqual(r.diff?.kinds_added, ['credit_commitment_pilot']);
    assert.deepEqual(r.diff?.kinds_removed, []);
    const water = r.diff?.kinds_changed.find((k) => k.code === 'water_fee');
    assert.deepEqual(water?.fields_added, ['meter_no']);
    const gas = r.diff?.kinds_changed.find((k) => k.code === 'gas_fee');
    assert.deepEqual(gas?.properties, ['share_mode']);

    // the new kind and field are there at once (cache invalidated by the import)
    assert.equal((await svc.getCurrent()).version, 2);
    assert.equal((await svc.getKind('credit_commitment_pilot')).name_zh, '信用承诺履约信息');
    assert.ok((await svc.getKind('water_fee')).fields.some((f) => f.code === 'meter_no'));
    // a record validated against version 1 still resolves its definition
    await assert.rejects(svc.getKind('credit_commitment_pilot', 1), /credit_commitment_pilot/);
    assert.ok(!(await svc.getKind('water_fee', 1)).fields.some((f) => f.code === 'meter_no'));
    assert.equal((await svc.getKindEntry('water_fee', 1)).catalogVersion, 1);

    // another service instance (another process) sees version 2 from the database
    assert.equal((await createCatalogService(t.db).getCurrent()).version, 2);

    const ndrc = await t.db
      .selectFrom('providers')
      .select('kinds')
      .where('id', '=', 'ndrc')
      .executeTakeFirstOrThrow();
    assert.ok(ndrc.kinds.includes('credit_commitment_pilot'));

    const versions = await svc.listVersions();
    assert.deepEqual(
      versions.map((v) => v.version),
      [2, 1],
    );
    assert.equal(versions[0]?.kinds, 50);
    assert.equal((await svc.diff(1, 2)).kinds_added[0], 'credit_commitment_pilot');
    await assert.rejects(
      svc.getVersion(99),
      (e: unknown) => e instanceof AppError && e.code === 'catalog_version_unknown',
    );
  });

  it('rejects invalid documents with paths, in Chinese and English, and writes nothing', async () => {
    const versions = await countRows(t.db, 'catalog_versions');
    const ledger = await countRows(t.db, 'ledger_entries');

    // schema: wrong type, missing required property, bad code
    const doc1 = seedDoc() as unknown as { kinds: Record<string, unknown>[] };
    (doc1.kinds[3]!.fields as Record<string, unknown>[])[2]!.type = 'money';
    delete doc1.kinds[5]!.share_mode;
    doc1.kinds[6]!.code = 'Bad-Code';
    const p1 = await invalidProblems(() => svc.importDocument(doc1, 'json', operator));
    const paths = p1.map((p) => p.path);
    assert.ok(paths.includes('kinds[3].fields[2].type'), paths.join());
    assert.ok(paths.includes('kinds[5].share_mode'), paths.join());
    assert.ok(paths.includes('kinds[6].code'), paths.join());
    assert.ok(p1.every((p) => p.message_zh && /[\u4e00-\u9fff]/.test(p.message_zh)));

    // referential integrity
    const doc2 = seedDoc();
    kindOf(doc2, 'bankruptcy').category = 'no_such_category';
    kindOf(doc2, 'trademark').natural_key = ['registration_number'];
    kindOf(doc2, 'patent').date_field = 'patent_name';
    kindOf(doc2, 'water_fee').subject_field = 'account_no';
    const penalty = kindOf(doc2, 'admin_penalty');
    penalty.fields.find((f) => f.code === 'fine_amount')!.aliases.push('罚没金额', '处罚决定日期');
    const ratingField = kindOf(doc2, 'tax_credit_rating').fields.find((f) => f.code === 'tax_credit_level')!;
    ratingField.enum = [];
    doc2.kinds.push({ ...kindOf(doc2, 'gas_fee') });
    const idx = (code: string) => doc2.kinds.findIndex((k) => k.code === code);
    const p2 = await invalidProblems(() => svc.importDocument(doc2, 'json', operator));
    const p2paths = p2.map((p) => p.path);
    for (const expected of [
      `kinds[${idx('bankruptcy')}].category`,
      `kinds[${idx('trademark')}].natural_key[0]`,
      `kinds[${idx('patent')}].date_field`,
      `kinds[${idx('water_fee')}].subject_field`,
      `kinds[${doc2.kinds.length - 1}].code`,
    ]) {
      assert.ok(p2paths.includes(expected), `${expected} in ${p2paths.join(', ')}`);
    }
    assert.ok(
      p2.some((p) => /处罚决定日期/.test(p.message_zh)),
      'header collision named',
    );
    assert.ok(
      p2.some((p) => p.path.endsWith('.enum') && /枚举/.test(p.message_zh)),
      'enum without values',
    );

    // unparseable text
    const p3 = await invalidProblems(() =>
      svc.importDocument('label: x\nkinds: [\n  - : :', 'yaml', operator),
    );
    assert.match(p3[0]?.path ?? '', /line \d+/);
    await invalidProblems(() => svc.importDocument('{"label": ', 'json', operator));
    await invalidProblems(() => svc.importDocument('', 'yaml', operator));
    await invalidProblems(() => svc.importDocument('[1,2,3]', 'json', operator));

    assert.equal(await countRows(t.db, 'catalog_versions'), versions);
    assert.equal(await countRows(t.db, 'ledger_entries'), ledger);
    assert.equal((await svc.getCurrent()).version, versions);
  });

  it('the error message names the first path and the count', async () => {
    const doc = seedDoc() as unknown as { kinds: Record<string, unknown>[] };
    doc.kinds[0]!.openness = 'secret';
    try {
      await svc.importDocument(doc, 'json', operator);
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.match(e.messageZh, /^目录文件不正确：kinds\[0\]\.openness/);
      assert.match(e.messageEn, /kinds\[0\]\.openness/);
    }
  });
});
