import { App as AntApp } from 'antd';
import { useEffect } from 'react';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * Last line of defence against silent failures: an unhandled promise rejection (a click handler that
 * forgot to catch) is shown to the user as a notification, in their language.
 */
export function GlobalErrors() {
  const { notification } = AntApp.useApp();
  const { t, pick } = useI18n();
  useEffect(() => {
    const onRejection = (ev: PromiseRejectionEvent) => {
      const e: unknown = ev.reason;
      if (e instanceof Error && e.name === 'AbortError') return;
      const description =
        e instanceof ApiError ? pick(e.zh, e.en) : e instanceof Error ? e.message : String(e);
      notification.error({ title: t('problem.unexpected'), description });
    };
    window.addEventListener('unhandledrejection', onRejection);
    return () => window.removeEventListener('unhandledrejection', onRejection);
  }, [notification, t, pick]);
  return null;
}
