import { App as AntApp, ConfigProvider, theme, type ConfigProviderProps } from 'antd';
import enUSModule from 'antd/locale/en_US.js';
import zhCNModule from 'antd/locale/zh_CN.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import { useEffect } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { AppRoutes } from './routes.tsx';
import { GlobalErrors } from './GlobalErrors.tsx';

type AntLocale = NonNullable<ConfigProviderProps['locale']>;
// antd's locale files are CommonJS: the bundler hands over the default export, TypeScript (nodenext)
// sees the module object; accept both.
const unwrap = (m: unknown): AntLocale => ((m as { default?: AntLocale }).default ?? m) as AntLocale;
const enUS = unwrap(enUSModule);
const zhCN = unwrap(zhCNModule);

/** Ant Design configured for the current language (zh_CN by default), with the platform's colours. */
export function Shell() {
  const { locale } = useI18n();
  useEffect(() => {
    dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
  }, [locale]);
  return (
    <ConfigProvider
      locale={locale === 'en' ? enUS : zhCN}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1d4ed8',
          borderRadius: 8,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
        },
        components: {
          Layout: { headerBg: '#0f2a5f', headerPadding: '0 16px', siderBg: '#ffffff', footerBg: '#f5f7fb' },
        },
      }}
    >
      <AntApp>
        <GlobalErrors />
        <AppRoutes />
      </AntApp>
    </ConfigProvider>
  );
}
