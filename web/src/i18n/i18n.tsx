import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { messages, type MessageKey } from './messages.ts';

/**
 * A small dictionary of our own (no i18n library): every key holds [中文, English]. Chinese is the
 * default; the choice is kept in localStorage and mirrored on <html lang>.
 */
export type Locale = 'zh' | 'en';

export type Params = Record<string, string | number>;

export interface I18n {
  locale: Locale;
  setLocale: (l: Locale) => void;
  /** Looks a key up in the current language and fills {placeholders}. */
  t: (key: MessageKey, params?: Params) => string;
  /** Chooses between two strings that came from the API (zh / en pairs). */
  pick: (zh: string | null | undefined, en: string | null | undefined) => string;
}

const storageKey = 'xinrong.locale';

function fill(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const pair = messages[key] as readonly [string, string] | undefined;
  if (!pair) return key; // a key built at run time from an API value we have no label for
  return fill(locale === 'en' ? pair[1] : pair[0], params);
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    // storage may be disabled (private mode): fall back to Chinese
  }
  return 'zh';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    try {
      localStorage.setItem(storageKey, l);
    } catch {
      // ignore: the choice then lasts for this page only
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale === 'en' ? 'en' : 'zh-CN';
    document.title = translate(locale, 'app.title');
  }, [locale]);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      pick: (zh, en) => (locale === 'en' ? en || zh || '' : zh || en || ''),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
