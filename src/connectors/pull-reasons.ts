/**
 * Why a section of a pull is not `ok`: a stable code (clients may switch on it) and a message in
 * Chinese and English. These are per-section outcomes, not errors of the request.
 */

export interface Bilingual {
  zh: string;
  en: string;
}

export const sectionCodes = [
  // denied: nothing was called
  'not_in_scope',
  'consent_unusable',
  // unavailable before any call
  'not_pull_kind',
  'no_interface',
  'breaker_open',
  'busy',
  // unavailable after calling
  'timeout',
  'connection',
  'http_5xx',
  'http_4xx',
  'http_other',
  'malformed',
  'too_large',
  'schema',
  'internal',
] as const;
export type SectionCode = (typeof sectionCodes)[number];

export function sectionReason(code: SectionCode, p: Record<string, string | number> = {}): Bilingual {
  switch (code) {
    case 'not_in_scope':
      return { zh: '授权范围不包含该信息项', en: 'the consent does not cover this kind' };
    case 'consent_unusable':
      return { zh: `授权不可用：${p.zh ?? ''}`, en: `consent cannot be used: ${p.en ?? ''}` };
    case 'not_pull_kind':
      return {
        zh: '该信息项按目录不通过接口调用共享',
        en: 'per the catalog this kind is not shared by interface call',
      };
    case 'no_interface':
      return {
        zh: '数据提供单位尚未登记（或已停用）该信息项的接口',
        en: 'no enabled provider interface is registered for this kind',
      };
    case 'breaker_open':
      return {
        zh: `数据提供单位接口连续出错，已暂停调用（熔断），约 ${p.seconds} 秒后重试`,
        en: `the provider interface kept failing and calls are paused (circuit open); retry in about ${p.seconds} s`,
      };
    case 'busy':
      return {
        zh: `数据提供单位接口繁忙（${p.limit === 'rate' ? '调用频率' : '并发'}已达上限）`,
        en: `the provider interface is busy (${p.limit === 'rate' ? 'rate' : 'concurrency'} limit reached)`,
      };
    case 'timeout':
      return {
        zh: `数据提供单位接口超时（${p.ms} 毫秒内未应答，已尝试 ${p.attempts} 次）`,
        en: `the provider interface did not answer within ${p.ms} ms (${p.attempts} attempts)`,
      };
    case 'connection':
      return {
        zh: `无法连接数据提供单位接口（${p.detail}，已尝试 ${p.attempts} 次）`,
        en: `cannot connect to the provider interface (${p.detail}, ${p.attempts} attempts)`,
      };
    case 'http_5xx':
      return {
        zh: `数据提供单位接口出错：HTTP ${p.status}（已尝试 ${p.attempts} 次）`,
        en: `the provider interface failed: HTTP ${p.status} (${p.attempts} attempts)`,
      };
    case 'http_4xx':
    case 'http_other':
      return {
        zh: `数据提供单位接口拒绝了请求：HTTP ${p.status}`,
        en: `the provider interface refused the request: HTTP ${p.status}`,
      };
    case 'malformed':
      return {
        zh: `数据提供单位接口返回的内容不是有效的 JSON（${p.detail}）`,
        en: `the provider interface answered with something that is not valid JSON (${p.detail})`,
      };
    case 'too_large':
      return {
        zh: '数据提供单位接口返回的内容超过大小上限',
        en: 'the provider interface answered with a body over the size limit',
      };
    case 'schema':
      return {
        zh: `数据提供单位接口返回的数据不符合信用信息目录：${p.zh}`,
        en: `the provider interface answered with data that does not match the catalog: ${p.en}`,
      };
    case 'internal':
      return {
        zh: '平台处理该部分时出错，已记录',
        en: 'the platform failed on this section; it has been logged',
      };
  }
}
