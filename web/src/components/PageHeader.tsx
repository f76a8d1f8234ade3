import { Flex, Typography } from 'antd';
import { useEffect, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

export function PageHeader({
  title,
  subtitle,
  extra,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
}) {
  const { t } = useI18n();
  // The browser tab names the page (and the history list is readable).
  useEffect(() => {
    if (typeof title === 'string') document.title = `${title} · ${t('app.name')}`;
    return () => {
      document.title = t('app.title');
    };
  }, [title, t]);
  return (
    <Flex justify="space-between" align="flex-start" wrap gap={12} style={{ marginBottom: 16 }}>
      <div style={{ minWidth: 0 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {subtitle && (
          <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
            {subtitle}
          </Typography.Paragraph>
        )}
      </div>
      {extra && <div>{extra}</div>}
    </Flex>
  );
}
