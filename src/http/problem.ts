import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../shared/errors.ts';

export const problemContentType = 'application/problem+json; charset=utf-8';

/** RFC 9457 body. `title` is Chinese first; `message` carries both languages. */
export function problemBody(err: AppError, req: FastifyRequest): Record<string, unknown> {
  return {
    type: `urn:xinrong:problem:${err.code}`,
    title: err.messageZh,
    detail: err.messageEn,
    status: err.status,
    code: err.code,
    message: { zh: err.messageZh, en: err.messageEn },
    instance: req.url,
    requestId: req.id,
    ...(err.details ?? {}),
  };
}

function humanBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** Maps anything thrown to an AppError; unknown errors become `internal` (logged with the request id). */
export function toAppError(error: unknown, req: FastifyRequest, uploadLimitBytes: number): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const issues = fe.validation.map((v) => ({
      field: `${fe.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'invalid',
    }));
    return new AppError(
      'validation_failed',
      { detail: issues.map((i) => `${i.field}: ${i.message}`).join('; ') },
      { errors: issues },
    );
  }
  if (isResponseSerializationError(fe)) {
    req.log.error({ err: fe }, 'response failed its schema');
    return new AppError('internal');
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
      return new AppError(
        'payload_too_large',
        { limit: humanBytes(uploadLimitBytes) },
        { limitBytes: uploadLimitBytes },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type', { type: String(req.headers['content-type'] ?? '') });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation_failed', { detail: 'empty JSON body' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', { detail: fe.message });
    case 'FST_ERR_RATE_LIMIT':
      return new AppError('rate_limited');
  }
  if (fe.statusCode === 429) return new AppError('rate_limited');
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return new AppError('validation_failed', { detail: fe.message });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError('validation_failed', { detail: fe.message });
  }
  req.log.error({ err: error }, 'unhandled error');
  return new AppError('internal');
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  return reply.status(err.status).type(problemContentType).send(problemBody(err, reply.request));
}
