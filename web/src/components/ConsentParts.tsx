import { Tag } from 'antd';
import type { Catalog, Consent, ConsentMode, ConsentPurpose, ConsentState } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';

export const purposeKey: Record<ConsentPurpose, MessageKey> = {
  loan_application: 'consent.purpose.loan_application',
  post_loan_monitoring: 'consent.purpose.post_loan_monitoring',
  product_matching: 'consent.purpose.product_matching',
};

export const modeKey: Record<ConsentMode, MessageKey> = {
  full_report: 'consent.mode.full_report',
  query: 'consent.mode.query',
  verify: 'consent.mode.verify',
};

const stateTag: Record<ConsentState, { key: MessageKey; color: string }> = {
  ACTIVE: { key: 'consent.state.ACTIVE', color: 'green' },
  REVOKED: { key: 'consent.state.REVOKED', color: 'red' },
  EXPIRED: { key: 'consent.state.EXPIRED', color: 'default' },
  EXHAUSTED: { key: 'consent.state.EXHAUSTED', color: 'orange' },
};

export function ConsentStateTag({ state }: { state: ConsentState }) {
  const { t } = useI18n();
  const s = stateTag[state];
  return (
    <Tag color={s?.color} data-testid="consent-state">
      {s ? t(s.key) : state}
    </Tag>
  );
}

/** "司法信息、纳税信用等级信息" for a consent's scope, in the user's language. */
export function useScopeText(): (scope: Consent['scope'], catalog: Catalog | undefined) => string {
  const { pick } = useI18n();
  return (scope, catalog) => {
    const cats = scope.categories.map((c) => {
      const x = catalog?.categories.find((y) => y.code === c);
      return x ? pick(x.name_zh, x.name_en) : c;
    });
    const kinds = scope.kinds.map((k) => {
      const x = catalog?.kinds.find((y) => y.code === k);
      return x ? pick(x.name_zh, x.name_en) : k;
    });
    return [...cats, ...kinds].join('、');
  };
}
