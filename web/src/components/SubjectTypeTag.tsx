import { Tag } from 'antd';
import type { Bilingual } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** 企业 / 个体工商户 / 农民专业合作社 / 农村集体经济组织, as the registry labels it. */
export function SubjectTypeTag({ label }: { label: Bilingual | null | undefined }) {
  const { pick } = useI18n();
  if (!label) return null;
  return <Tag>{pick(label.zh, label.en)}</Tag>;
}
