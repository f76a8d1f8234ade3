import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useAction } from '../../api/hooks.ts';
import { roleHome, useAuth, type Me } from '../../auth/auth.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** One login page for every role; operators continue with their TOTP code. */
export function LoginPage() {
  const { t } = useI18n();
  const { login, verifyTotp } = useAuth();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [challenge, setChallenge] = useState<Record<string, unknown> | undefined>(undefined);
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [totpForm] = Form.useForm<{ code: string }>();

  const done = (me: Me) => {
    message.success(t('auth.welcome', { name: me.displayName }));
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : roleHome[me.role], {
      replace: true,
    });
  };

  const submit = useAction(
    async (v: { username: string; password: string }) => {
      const r = await login(v.username.trim(), v.password);
      if (r.kind === 'totp') setChallenge(r.challenge);
      else done(r.me);
    },
    (e) => applyProblemToForm(form, e),
  );
  const submitTotp = useAction(
    async (v: { code: string }) => {
      if (!challenge) return;
      done(await verifyTotp(challenge, v.code.trim()));
    },
    (e) => applyProblemToForm(totpForm, e),
  );

  return (
    <div className="xr-auth-wrap">
      <Card className="xr-auth-card">
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          {challenge ? t('auth.totpTitle') : t('auth.loginTitle')}
        </Typography.Title>
        {!challenge ? (
          <Form
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={async (v) => {
              await submit.run(v);
            }}
            onValuesChange={() => submit.setError(undefined)}
          >
            <Form.Item
              name="username"
              label={t('auth.username')}
              rules={[{ required: true, message: t('auth.usernameRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('auth.password')}
              rules={[{ required: true, message: t('auth.passwordRequired') }]}
            >
              <Input.Password
                prefix={<LockOutlined />}
                autoComplete="current-password"
                data-testid="login-password"
              />
            </Form.Item>
            <ProblemAlert error={submit.error} style={{ marginBottom: 16 }} />
            <Button
              type="primary"
              htmlType="submit"
              block
              size="large"
              loading={submit.pending}
              data-testid="login-submit"
            >
              {t('auth.login')}
            </Button>
            <div style={{ marginTop: 16, textAlign: 'center' }}>
              {t('auth.noAccount')} <Link to="/register">{t('auth.registerEnterprise')}</Link>
            </div>
          </Form>
        ) : (
          <Form
            form={totpForm}
            layout="vertical"
            requiredMark={false}
            onFinish={async (v) => {
              await submitTotp.run(v);
            }}
          >
            <Typography.Paragraph type="secondary">{t('auth.totpHint')}</Typography.Paragraph>
            <Form.Item
              name="code"
              label={t('auth.totpCode')}
              rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth.totpInvalid') }]}
            >
              <Input
                prefix={<SafetyOutlined />}
                inputMode="numeric"
                maxLength={6}
                autoComplete="one-time-code"
                data-testid="totp-code"
              />
            </Form.Item>
            <ProblemAlert error={submitTotp.error} style={{ marginBottom: 16 }} />
            <Button
              type="primary"
              htmlType="submit"
              block
              size="large"
              loading={submitTotp.pending}
              data-testid="totp-submit"
            >
              {t('auth.verify')}
            </Button>
            <Button type="link" block onClick={() => setChallenge(undefined)}>
              {t('action.back')}
            </Button>
          </Form>
        )}
      </Card>
    </div>
  );
}
