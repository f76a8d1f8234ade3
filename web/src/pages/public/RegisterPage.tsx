import { App as AntApp, Alert, Button, Card, Checkbox, Form, Input, Typography } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useAction } from '../../api/hooks.ts';
import { roleHome, useAuth } from '../../auth/auth.tsx';
import { applyProblemToForm, ProblemAlert } from '../../components/ProblemAlert.tsx';
import { idNumberRule, normalizeCode, usccRule } from '../../format/validators.ts';
import { useI18n } from '../../i18n/i18n.tsx';

interface RegisterForm {
  uscc: string;
  legalRepName: string;
  legalRepIdNumber: string;
  username: string;
  password: string;
  confirm: string;
  agree: boolean;
}

/**
 * Enterprise real-name registration (实名注册): the legal representative's name and ID number must
 * match the subject's market-registration record; the server checks, this form shows its answer.
 */
export function RegisterPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = AntApp.useApp();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [form] = Form.useForm<RegisterForm>();

  const submit = useAction(
    async (v: RegisterForm) => {
      await api.post('/api/v1/auth/register-enterprise', {
        uscc: normalizeCode(v.uscc),
        legalRepName: v.legalRepName.trim(),
        legalRepIdNumber: normalizeCode(v.legalRepIdNumber),
        username: v.username.trim(),
        password: v.password,
      });
      message.success(t('register.done'));
      const r = await login(v.username.trim(), v.password);
      if (r.kind === 'done') navigate(roleHome[r.me.role], { replace: true });
      else navigate('/login', { replace: true });
    },
    (e) => applyProblemToForm(form, e),
  );

  return (
    <div className="xr-auth-wrap">
      <Card className="xr-auth-card xr-auth-card-wide">
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          {t('register.title')}
        </Typography.Title>
        <Alert type="info" showIcon title={t('register.notice')} style={{ marginBottom: 16 }} />
        <Form<RegisterForm>
          form={form}
          layout="vertical"
          onFinish={async (v) => {
            await submit.run(v);
          }}
          scrollToFirstError
        >
          <Form.Item
            name="uscc"
            label={t('subject.uscc')}
            rules={[{ required: true, message: t('validate.required') }, usccRule(i18n)]}
            validateTrigger="onBlur"
          >
            <Input
              className="xr-mono"
              maxLength={24}
              placeholder="91410100XXXXXXXXXX"
              data-testid="reg-uscc"
            />
          </Form.Item>
          <Form.Item
            name="legalRepName"
            label={t('register.legalRepName')}
            rules={[{ required: true, message: t('validate.required') }]}
          >
            <Input maxLength={50} data-testid="reg-name" />
          </Form.Item>
          <Form.Item
            name="legalRepIdNumber"
            label={t('register.legalRepId')}
            rules={[{ required: true, message: t('validate.required') }, idNumberRule(i18n)]}
            validateTrigger="onBlur"
          >
            <Input className="xr-mono" maxLength={20} autoComplete="off" data-testid="reg-id" />
          </Form.Item>
          <Form.Item
            name="username"
            label={t('auth.username')}
            rules={[{ required: true, pattern: /^[A-Za-z0-9_.@-]{3,64}$/, message: t('validate.username') }]}
          >
            <Input autoComplete="username" data-testid="reg-username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('auth.password')}
            rules={[
              { required: true, message: t('validate.required') },
              {
                validator: async (_r, v: unknown) => {
                  // the server's policy (src/accounts/passwords.ts): 10–128 characters, a letter and a digit
                  if (
                    typeof v === 'string' &&
                    v &&
                    (v.length < 10 || v.length > 128 || !/[A-Za-z]/.test(v) || !/\d/.test(v))
                  ) {
                    throw new Error(t('validate.password'));
                  }
                },
              },
            ]}
            hasFeedback
          >
            <Input.Password autoComplete="new-password" data-testid="reg-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('register.confirm')}
            dependencies={['password']}
            hasFeedback
            rules={[
              { required: true, message: t('validate.required') },
              ({ getFieldValue }) => ({
                validator: async (_r, value) => {
                  if (value && value !== getFieldValue('password')) throw new Error(t('validate.confirm'));
                },
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="reg-confirm" />
          </Form.Item>
          <Form.Item
            name="agree"
            valuePropName="checked"
            rules={[
              {
                validator: async (_r, v) => {
                  if (!v) throw new Error(t('register.mustAgree'));
                },
              },
            ]}
          >
            <Checkbox data-testid="reg-agree">{t('register.agree')}</Checkbox>
          </Form.Item>
          <ProblemAlert error={submit.error} style={{ marginBottom: 16 }} />
          <Button
            type="primary"
            htmlType="submit"
            block
            size="large"
            loading={submit.pending}
            data-testid="reg-submit"
          >
            {t('register.submit')}
          </Button>
          <div style={{ marginTop: 16, textAlign: 'center' }}>
            {t('register.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
          </div>
        </Form>
      </Card>
    </div>
  );
}
