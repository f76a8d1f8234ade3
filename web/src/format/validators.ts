import type { FormRule as Rule } from 'antd';
import { checkIdNumber, checkUscc, normalizeCode } from '../../../src/shared/identifiers.ts';
import type { I18n } from '../i18n/i18n.tsx';

/**
 * Form rules that check exactly what the server checks: the same GB 32100-2015 (USCC) and GB 11643
 * (ID number) functions from src/shared/identifiers.ts, with the same bilingual messages.
 */
export function usccRule(i18n: I18n): Rule {
  return {
    validator: async (_rule, value: unknown) => {
      if (typeof value !== 'string' || value.trim() === '') return;
      const p = checkUscc(normalizeCode(value));
      if (p) throw new Error(`${i18n.t('validate.uscc')}：${i18n.pick(p.zh, p.en)}`);
    },
  };
}

export function idNumberRule(i18n: I18n): Rule {
  return {
    validator: async (_rule, value: unknown) => {
      if (typeof value !== 'string' || value.trim() === '') return;
      const p = checkIdNumber(normalizeCode(value));
      if (p) throw new Error(`${i18n.t('validate.idNumber')}：${i18n.pick(p.zh, p.en)}`);
    },
  };
}

export { normalizeCode };
