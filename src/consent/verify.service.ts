import { z } from 'zod';
import type { Actor } from '../access/actor.ts';
import { chinaDay } from '../access/china-time.ts';
import { readRecords, type ReadPathDeps } from '../access/read-path.ts';
import { loadCatalogView } from '../access/catalog-view.ts';
import { AppError } from '../shared/errors.ts';
import type { Bilingual, ConsentPurpose } from './consent.types.ts';
import { answerQuestion, findVerifyQuestion, questionKinds, verifyQuestions } from './verify-questions.ts';

export interface VerifyInput {
  questions: { code: string; param?: unknown }[];
  consentId?: string | undefined;
  purpose?: ConsentPurpose | undefined;
}

export interface VerifyAnswer {
  code: string;
  label: Bilingual;
  param: unknown;
  /** null when the consent does not cover every kind the question needs. */
  answer: boolean | null;
  reason: Bilingual | null;
}

export interface VerifyResult {
  uscc: string;
  consentId: string | null;
  answeredAt: string;
  answers: VerifyAnswer[];
  accessLogId: number;
}

/** The question set as clients see it. */
export function listVerifyQuestions() {
  return verifyQuestions.map((q) => ({
    code: q.code,
    label: q.label,
    paramHelp: q.paramHelp,
    kinds: questionKinds(q),
    paramSchema: z.toJSONSchema(q.param, { unrepresentable: 'any' }) as Record<string, unknown>,
  }));
}

/**
 * Verify-only answers (可用不可见): the records are read through the read path in `verify` mode
 * (a consent of any mode covers it; public kinds need none), evaluated here and dropped; only the
 * booleans leave. The access log records the read with mode `verify`.
 */
export async function verifySubject(
  deps: ReadPathDeps,
  actor: Actor,
  uscc: string,
  input: VerifyInput,
): Promise<VerifyResult> {
  if (input.questions.length === 0 || input.questions.length > 20) {
    throw new AppError('validation_failed', { detail: 'questions: 1 to 20' });
  }
  const asked = input.questions.map((x) => {
    const q = findVerifyQuestion(x.code);
    if (!q) throw new AppError('verify_question_unknown', { code: x.code.slice(0, 80) });
    const parsed = q.param.safeParse(x.param);
    if (!parsed.success) {
      throw new AppError('validation_failed', {
        detail: `${x.code}.param: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      });
    }
    return { q, param: parsed.data };
  });
  const view = await loadCatalogView(deps.db, deps.catalog);
  const kinds = [...new Set(asked.flatMap((a) => questionKinds(a.q)))].filter((k) => view.kinds.has(k));
  const read = await readRecords(deps, {
    actor,
    uscc,
    kinds,
    mode: 'verify',
    consentId: input.consentId,
    purpose: input.purpose,
  });
  const withheld = new Map(read.withheld.map((w) => [w.kind, w.reason]));
  const now = (deps.clock ?? (() => new Date()))();
  const today = chinaDay(now);
  return {
    uscc,
    consentId: read.consentId,
    answeredAt: now.toISOString(),
    accessLogId: read.accessLogId,
    answers: asked.map(({ q, param }) => {
      const missing = questionKinds(q).filter((k) => withheld.has(k) || !view.kinds.has(k));
      if (missing.length) {
        return {
          code: q.code,
          label: q.label,
          param: param ?? null,
          answer: null,
          reason: withheld.get(missing[0]!) ?? { zh: '目录中没有所需信息项', en: 'kind not in the catalog' },
        };
      }
      return {
        code: q.code,
        label: q.label,
        param: param ?? null,
        answer: answerQuestion(q, param, read.records, today),
        reason: null,
      };
    }),
  };
}
