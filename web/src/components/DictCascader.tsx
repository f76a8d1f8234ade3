import { Cascader } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

interface DictItem {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
}

interface Option {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: Option[];
}

/**
 * A region (GB/T 2260) or industry (GB/T 4754) picker: top level first, children loaded when a
 * level is opened. Any level can be chosen (search filters by code prefix on the server).
 */
export function DictCascader({
  endpoint,
  leafLevel,
  value,
  onChange,
  placeholder,
  testId,
}: {
  endpoint: '/api/v1/regions' | '/api/v1/industries';
  leafLevel: number;
  value?: string | undefined;
  onChange?: (code: string | undefined) => void;
  placeholder?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [options, setOptions] = useState<Option[]>([]);
  const [path, setPath] = useState<string[]>([]);
  const [failed, setFailed] = useState(false);
  const toOption = (d: DictItem): Option => ({
    value: d.code,
    label: endpoint === '/api/v1/industries' ? `${d.code} ${d.name}` : d.name,
    isLeaf: d.level >= leafLevel,
  });
  useEffect(() => {
    api
      .get<{ items: DictItem[] }>(endpoint, { maxLevel: 1 })
      .then((r) => setOptions(r.items.map(toOption)))
      .catch(() => setFailed(true));
  }, [endpoint]); // toOption depends on endpoint only
  useEffect(() => {
    if (!value) setPath([]);
  }, [value]);

  const loadData = async (selected: Option[]) => {
    const target = selected[selected.length - 1];
    if (!target) return;
    try {
      const r = await api.get<{ items: DictItem[] }>(endpoint, { parent: target.value });
      target.children = r.items.map(toOption);
      if (target.children.length === 0) target.isLeaf = true;
    } catch {
      target.isLeaf = true;
      setFailed(true);
    }
    setOptions((o) => [...o]);
  };

  return (
    <Cascader
      options={options}
      loadData={loadData as never}
      changeOnSelect
      value={path}
      onChange={(v) => {
        const codes = (v ?? []) as string[];
        setPath(codes);
        onChange?.(codes[codes.length - 1]);
      }}
      placeholder={failed ? t('dict.failed') : placeholder}
      status={failed ? 'warning' : undefined}
      style={{ minWidth: 200 }}
      data-testid={testId}
    />
  );
}
