import { Alert, Button } from 'antd';
import type { FormInstance } from 'antd';
import type { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * Shows an API problem in the user's language, with per-field details and the request id (for
 * support). A missing endpoint is shown as "not available yet", not as a failure.
 */
export function ProblemAlert({
  error,
  onRetry,
  style,
}: {
  error: ApiError | undefined;
  onRetry?: () => void;
  style?: React.CSSProperties;
}) {
  const { t, pick } = useI18n();
  if (!error) return null;
  if (error.isMissingEndpoint) {
    return (
      <Alert
        type="info"
        showIcon
        style={style}
        title={t('problem.pending')}
        description={t('problem.pendingDetail')}
        data-testid="api-pending"
      />
    );
  }
  const fields = error.fieldErrors;
  return (
    <Alert
      type={error.status >= 500 || error.status === 0 ? 'error' : 'warning'}
      showIcon
      style={style}
      role="alert"
      data-testid="problem"
      title={pick(error.zh, error.en)}
      description={
        fields.length > 0 || error.requestId ? (
          <>
            {fields.length > 0 && (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {fields.map((f, i) => (
                  <li key={i}>
                    <code>{f.field}</code>: {f.message}
                  </li>
                ))}
              </ul>
            )}
            {error.requestId && (
              <div style={{ fontSize: 12, opacity: 0.7 }}>
                {t('problem.requestId')}: <code>{error.requestId}</code>
              </div>
            )}
          </>
        ) : undefined
      }
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('action.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}

/**
 * Puts the API's per-field errors on the form's fields (`body.name` → field `name`), so the message
 * appears under the input the user has to fix. Returns true when at least one field matched.
 */
export function applyProblemToForm(form: FormInstance, error: ApiError | undefined): boolean {
  if (!error) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) as Record<string, unknown>));
  const byField = new Map<string, string[]>();
  for (const f of error.fieldErrors) {
    const name = f.field.replace(/^(body|query|params)\./, '').split('.')[0] ?? '';
    if (!known.has(name)) continue;
    byField.set(name, [...(byField.get(name) ?? []), f.message]);
  }
  const field = typeof error.body.field === 'string' ? error.body.field : undefined;
  if (field && known.has(field) && !byField.has(field)) byField.set(field, [error.zh]);
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return byField.size > 0;
}
