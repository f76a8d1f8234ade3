/**
 * The one error type. Services throw `AppError(code, …)`; the HTTP layer turns it into an
 * RFC 9457 `application/problem+json` body, the CLI prints its Chinese and English messages.
 * Codes are stable identifiers that clients may switch on; add new ones here, never reuse one.
 */

export interface ErrorDefinition {
  status: number;
  zh: string;
  en: string;
}

/** Messages may contain {placeholders} filled from `params`. */
export const errorCatalog = {
  internal: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
  validation_failed: { status: 400, zh: '请求参数不正确：{detail}', en: 'Invalid request: {detail}' },
  not_found: { status: 404, zh: '未找到：{what}', en: 'Not found: {what}' },
  route_not_found: { status: 404, zh: '接口不存在：{method} {url}', en: 'No such endpoint: {method} {url}' },
  unauthenticated: { status: 401, zh: '请先登录或提供有效凭证', en: 'Authentication required' },
  forbidden: { status: 403, zh: '无权执行此操作', en: 'You are not allowed to do this' },
  conflict: { status: 409, zh: '冲突：{detail}', en: 'Conflict: {detail}' },
  payload_too_large: {
    status: 413,
    zh: '上传内容超过大小上限 {limit}',
    en: 'Upload exceeds the size limit of {limit}',
  },
  unsupported_media_type: {
    status: 415,
    zh: '不支持的内容类型：{type}',
    en: 'Unsupported content type: {type}',
  },
  rate_limited: { status: 429, zh: '请求过于频繁，请稍后再试', en: 'Too many requests, try again later' },
  // catalog
  catalog_invalid: {
    status: 400,
    zh: '目录文件不正确：{path}：{problem_zh}{more_zh}',
    en: 'Invalid catalog: {path}: {problem_en}{more_en}',
  },
  kind_unknown: { status: 400, zh: '目录中没有信息项“{kind}”', en: 'Unknown kind "{kind}" in the catalog' },
  catalog_version_unknown: {
    status: 404,
    zh: '目录版本 {version} 不存在',
    en: 'Catalog version {version} does not exist',
  },
  // subjects
  uscc_invalid: {
    status: 400,
    zh: '统一社会信用代码“{value}”不正确（{rule}）：{reason_zh}',
    en: 'Invalid unified social credit code "{value}" ({rule}): {reason_en}',
  },
  // ingestion
  file_empty: { status: 400, zh: '文件为空', en: 'The file is empty' },
  file_unreadable: {
    status: 400,
    zh: '无法读取文件：{detail}',
    en: 'The file cannot be read: {detail}',
  },
  header_missing: {
    status: 400,
    zh: '未找到表头：文件中没有与信息项“{kind}”的字段匹配的表头行',
    en: 'No header row matching the fields of kind "{kind}" was found',
  },
  batch_rejected: {
    status: 422,
    zh: '批次被整体拒绝：{count} 行未通过校验（全部成功或全部拒绝模式）',
    en: 'Batch rejected as a whole: {count} rows failed validation (all-or-nothing mode)',
  },
  columns_missing: {
    status: 400,
    zh: '表头（第 {row} 行）缺少必填列：{columns}',
    en: 'The header (row {row}) lacks required columns: {columns_en}',
  },
  kind_not_pushable: {
    status: 400,
    zh: '信息项“{kind}”仅以接口调用方式共享，不接受物理归集',
    en: 'Kind "{kind}" is shared by on-demand calls only and cannot be pushed',
  },
  kind_not_assigned: {
    status: 403,
    zh: '数据提供单位“{provider}”不负责报送信息项“{kind}”',
    en: 'Provider "{provider}" is not responsible for kind "{kind}"',
  },
  batch_not_found: { status: 404, zh: '批次 {id} 不存在', en: 'Batch {id} not found' },
  // accounts, consent and the read path (issue 4)
  catalog_missing: { status: 503, zh: '尚未导入信用信息目录', en: 'No credit catalog has been imported yet' },
  login_failed: { status: 401, zh: '用户名或密码错误', en: 'Wrong user name or password' },
  account_locked: {
    status: 423,
    zh: '登录失败次数过多，账户已锁定至 {until}',
    en: 'Too many failed logins: the account is locked until {until}',
  },
  account_disabled: { status: 403, zh: '账户已停用', en: 'This account is disabled' },
  session_expired: {
    status: 401,
    zh: '会话已过期，请重新登录',
    en: 'Your session has expired, please log in again',
  },
  totp_required: {
    status: 401,
    zh: '须输入动态口令（TOTP）完成第二因素认证（运营人员、数据提供单位用户）',
    en: 'Complete the second factor (TOTP code) first (operators, provider users)',
  },
  totp_invalid: {
    status: 401,
    zh: '动态口令不正确或已使用',
    en: 'The TOTP code is wrong or was already used',
  },
  password_weak: {
    status: 400,
    zh: '密码不符合要求：至少 {min} 位，且包含字母和数字',
    en: 'Password too weak: at least {min} characters with letters and digits',
  },
  real_name_mismatch: {
    status: 422,
    zh: '法定代表人姓名或证件号码与市场主体登记信息不一致',
    en: "The legal representative's name or ID number does not match the market registration",
  },
  signature_missing: {
    status: 401,
    zh: '签名请求缺少请求头：{headers}',
    en: 'Signed request is missing headers: {headers}',
  },
  signature_key_unknown: {
    status: 401,
    zh: '密钥标识“{keyId}”不存在或已吊销',
    en: 'Key id "{keyId}" is unknown or revoked',
  },
  signature_stale: {
    status: 401,
    zh: '请求时间戳超出允许范围（±{window} 秒），请校准时钟',
    en: 'Request timestamp outside the allowed window (±{window} s); check the client clock',
  },
  signature_replayed: {
    status: 401,
    zh: '重复的请求（随机数 nonce 已使用）',
    en: 'Replayed request: the nonce was already used',
  },
  signature_invalid: {
    status: 401,
    zh: '请求签名不正确：{detail}',
    en: 'Invalid request signature: {detail}',
  },
  body_digest_mismatch: {
    status: 401,
    zh: '请求体摘要与签名时声明的摘要不一致',
    en: 'The request body does not match the signed body digest',
  },
  agreement_missing: {
    status: 403,
    zh: '机构“{org}”没有有效期内的数据共享协议',
    en: 'Organisation "{org}" has no data-sharing agreement in force',
  },
  consent_required: {
    status: 403,
    zh: '查询该主体的非公开信息须经其授权：{detail}',
    en: "Non-public information of this subject requires the subject's consent: {detail}",
  },
  consent_revoked: { status: 403, zh: '授权 {id} 已被撤销', en: 'Consent {id} has been revoked' },
  consent_expired: { status: 403, zh: '授权 {id} 已过期', en: 'Consent {id} has expired' },
  consent_exhausted: {
    status: 403,
    zh: '授权 {id} 的使用次数已用完',
    en: 'Consent {id} has no uses left',
  },
  consent_out_of_scope: {
    status: 403,
    zh: '超出授权范围：{detail}',
    en: 'Outside the scope of the consent: {detail}',
  },
  verify_question_unknown: {
    status: 400,
    zh: '未知的核验问题“{code}”',
    en: 'Unknown verification question "{code}"',
  },
  // connectors: on-demand data (issue 5)
  connector_kind_not_pull: {
    status: 400,
    zh: '信息项“{kind}”按目录不通过接口调用共享，不能登记接口',
    en: 'Kind "{kind}" is not shared by interface call per the catalog; no interface can be registered',
  },
  connector_interface_exists: {
    status: 409,
    zh: '数据提供单位“{provider}”已为信息项“{kind}”登记了接口（请修改原接口）',
    en: 'Provider "{provider}" already has an interface for kind "{kind}" (update that one)',
  },
  connector_kind_taken: {
    status: 409,
    zh: '信息项“{kind}”已有启用的接口（数据提供单位“{provider}”），须先停用',
    en: 'Kind "{kind}" already has an enabled interface (provider "{provider}"); disable it first',
  },
  connector_provider_not_responsible: {
    status: 403,
    zh: '按目录，“{provider}”不是信息项“{kind}”的责任单位',
    en: 'Per the catalog, "{provider}" is not a responsible provider of kind "{kind}"',
  },
  connector_base_url_invalid: {
    status: 400,
    zh: '接口地址“{url}”不正确：{zh}',
    en: 'Interface URL "{url}" is not acceptable: {en}',
  },
  // evaluation, profiles and the data safe room (issue 7)
  evaluation_model_invalid: {
    status: 400,
    zh: '评价模型不正确：{detail}',
    en: 'Invalid evaluation model: {detail}',
  },
  evaluation_model_not_found: {
    status: 404,
    zh: '评价模型版本 {version} 不存在',
    en: 'Evaluation model version {version} does not exist',
  },
  evaluation_run_in_progress: {
    status: 409,
    zh: '已有信用评价任务在运行，请稍后再试',
    en: 'An evaluation run is already in progress; try again later',
  },
  evaluation_run_not_found: { status: 404, zh: '评价任务 {id} 不存在', en: 'Evaluation run {id} not found' },
  evaluation_not_found: {
    status: 404,
    zh: '主体 {uscc} 尚无信用评价结果',
    en: 'Subject {uscc} has not been evaluated yet',
  },
  safe_room_input_invalid: {
    status: 400,
    zh: '上传的贷款数据不正确：{detail}',
    en: 'The uploaded loan data is invalid: {detail}',
  },
  safe_room_k_invalid: {
    status: 400,
    zh: '最小分组主体数 k 不得小于 {min}',
    en: 'The minimum group size k must be at least {min}',
  },
  safe_room_too_few_subjects: {
    status: 422,
    zh: '数据不足：违约与未违约的不同主体各至少需要 {need} 个（k = {k}），实际为 {bad} 和 {good}',
    en: 'Not enough data: at least {need} distinct defaulted and non-defaulted subjects are needed (k = {k}); got {bad} and {good}',
  },
  safe_room_differencing: {
    status: 422,
    zh: '与本机构任务 {job} 的主体集合仅相差 {diff} 个（少于 k = {k}），为防止差分推断，拒绝该任务',
    en: 'The subjects differ from job {job} of this institution by only {diff} (fewer than k = {k}); refused to prevent differencing',
  },
  safe_room_job_not_found: { status: 404, zh: '安全屋任务 {id} 不存在', en: 'Safe-room job {id} not found' },
  safe_room_job_not_ready: {
    status: 409,
    zh: '安全屋任务 {id} 状态为 {status}，尚无可用模型',
    en: 'Safe-room job {id} is {status}: no model to use yet',
  },
  // ledger (issue 3)
  ledger_empty: { status: 404, zh: '账本尚无签名检查点', en: 'The ledger has no signed checkpoint yet' },
  ledger_index_out_of_range: {
    status: 404,
    zh: '账本中没有第 {index} 号叶子（树大小 {size}）',
    en: 'No leaf {index} in a tree of size {size}',
  },
  ledger_size_invalid: {
    status: 400,
    zh: '树大小 {size} 无效：须在 0 与当前大小 {treeSize} 之间',
    en: 'Invalid tree size {size}: it must lie between 0 and the current size {treeSize}',
  },
  ledger_not_signed_yet: {
    status: 409,
    zh: '第 {index} 号叶子尚未被签名检查点覆盖，请几秒后重试',
    en: 'Leaf {index} is not yet covered by a signed checkpoint; retry in a few seconds',
  },
  ledger_entry_not_found: {
    status: 404,
    zh: '{refTable} {refId} 没有账本条目',
    en: 'No ledger entry for {refTable} {refId}',
  },
  ledger_bundle_invalid: {
    status: 400,
    zh: '无法读取账本证明包：{reason}',
    en: 'Cannot read the ledger proof bundle: {reason}',
  },
  // reports
  report_not_found: { status: 404, zh: '报告 {number} 不存在', en: 'Report {number} not found' },
  report_number_invalid: {
    status: 400,
    zh: '报告编号“{number}”格式或校验位不正确（应为 XR-年月日-序号-校验位）',
    en: 'Report number "{number}" is malformed or its check character is wrong (XR-YYYYMMDD-serial-check)',
  },
  report_type_forbidden: {
    status: 403,
    zh: '无权生成或查看该类型的报告：{detail}',
    en: 'Not allowed to issue or read this type of report: {detail}',
  },
  report_window_invalid: {
    status: 400,
    zh: '专项信用报告的期间应为 1 至 5 年：{value}',
    en: 'The window of a special report must be 1 to 5 years: {value}',
  },
  report_integrity_failed: {
    status: 500,
    zh: '报告 {number} 的存储文件与登记的摘要不符（可能被改动）',
    en: 'The stored file of report {number} does not match its recorded digest (altered?)',
  },
  report_file_unrecognized: {
    status: 400,
    zh: '无法识别的报告文件：应为本平台出具的 PDF 或 JSON 报告',
    en: 'Unrecognized report file: expected a PDF or JSON report issued by this platform',
  },
  // subject rights: objections, repair, commitments (issue 9)
  calendar_invalid: {
    status: 400,
    zh: '工作日历文件不正确：{detail}',
    en: 'Invalid working-day calendar: {detail}',
  },
  rights_case_not_found: { status: 404, zh: '{what} {id} 不存在', en: '{what} {id} not found' },
  rights_step_invalid: {
    status: 409,
    zh: '当前状态“{status}”下不能执行此操作（{action}）',
    en: 'Action "{action}" is not allowed in status "{status}"',
  },
  rights_record_invalid: {
    status: 400,
    zh: '记录 {recordId} 不属于该主体或不可见',
    en: 'Record {recordId} does not belong to this subject or is not visible',
  },
  objection_open: {
    status: 409,
    zh: '该记录已有处理中的异议（编号 {id}）',
    en: 'This record already has an open objection (no. {id})',
  },
  repair_not_eligible: {
    status: 422,
    zh: '不符合信用修复条件：{reasons_zh}',
    en: 'Not eligible for credit repair: {reasons_en}',
  },
  commitment_required: {
    status: 422,
    zh: '须先签署公开信用承诺（版本 {version}）',
    en: 'A public credit commitment (version {version}) must be signed first',
  },
  declaration_type_unknown: {
    status: 400,
    zh: '不接受自愿申报的信息类型“{type}”',
    en: 'Voluntary declarations of type "{type}" are not accepted',
  },
  // financing whitelist (白名单): recommenders propose, operators review
  whitelist_out_of_area: {
    status: 403,
    zh: '该企业（登记地区 {region}）不在本单位“{org}”的推荐范围（{area}）内',
    en: 'The subject (registered in {region}) is outside the area of "{org}" ({area})',
  },
  whitelist_duplicate: {
    status: 409,
    zh: '本单位已推荐该企业（白名单条目 {id}，状态：{status}）',
    en: 'Your organisation has already recommended this subject (whitelist entry {id}, status {status})',
  },
  whitelist_step_invalid: {
    status: 409,
    zh: '白名单条目 {id} 当前状态为“{status}”，不能{action_zh}',
    en: 'Whitelist entry {id} is "{status}": cannot {action_en}',
  },
  whitelist_subject_inactive: {
    status: 422,
    zh: '该企业登记状态为“{status}”，不能推荐进入白名单',
    en: 'The subject is registered as "{status}" and cannot be recommended',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalog;

export type ErrorParams = Record<string, string | number>;

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) =>
    key in params ? String(params[key]) : `{${key}}`,
  );
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly messageZh: string;
  readonly messageEn: string;
  /** Machine-readable extra members for the problem body (e.g. per-field errors). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, params: ErrorParams = {}, details?: Record<string, unknown>) {
    const def: ErrorDefinition = errorCatalog[code];
    const en = fill(def.en, params);
    super(en);
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.messageZh = fill(def.zh, params);
    this.messageEn = en;
    this.details = details;
  }

  /** "中文 / English", for logs and the CLI. */
  get bilingual(): string {
    return `${this.messageZh} / ${this.messageEn}`;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
