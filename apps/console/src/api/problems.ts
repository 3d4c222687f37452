/** One bad field of a 400 answer, named by its dotted path (`petitioner.phone`, `parties.0.name`). */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem-details answer of the service, or a request that never reached it (status 0). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }
}

function asProblem(status: number, error: unknown): ApiProblem {
  if (typeof error === 'object' && error !== null) {
    const body = error as Record<string, unknown>;
    const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    return new ApiProblem(status, String(body.code ?? `HTTP.${status}`), String(body.title ?? ''), String(body.detail ?? ''), errors, body);
  }
  return new ApiProblem(status, `HTTP.${status}`, '', typeof error === 'string' ? error : '');
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits a call of the typed client and returns its answer, or throws the service's problem
 * details as an ApiProblem (a network failure as status 0), so screens handle one error type.
 */
export async function call<T>(request: Promise<Answer<T>>): Promise<{ data: T; response: Response }> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (error) {
    throw new ApiProblem(0, 'NETWORK', '', error instanceof Error ? error.message : String(error));
  }
  if (answer.error !== undefined || !answer.response.ok) throw asProblem(answer.response.status, answer.error);
  return { data: answer.data as T, response: answer.response };
}

/** Chinese for the service's field messages (apps/case-service/src/cases/http/dto/field-decorators.ts). */
const FIELD_MESSAGES: [RegExp, (match: RegExpMatchArray) => string][] = [
  [/is required$/, () => '必填'],
  [/must not be empty$|should not be empty$/, () => '不能为空'],
  [/must be at most (\d+) characters long$/, (m) => `不能超过 ${m[1]} 个字`],
  [/must be a mainland phone number/, () => '请填写有效的手机号（11 位）或带区号的固定电话'],
  [/must be an 18-character resident ID number/, () => '请填写 18 位居民身份证号码（最后一位可为 X）'],
  [/must be one of/, () => '请从列表中选择'],
  [/must be an ISO-8601 date-time/, () => '请选择有效的日期和时间'],
  [/must be a boolean/, () => '请选择是或否'],
  [/must be an integer$/, () => '请填写整数'],
  [/must be between (\d+) and (\d+)$/, (m) => `请填写 ${m[1]} 到 ${m[2]} 之间的整数`],
  [/must be a whole number from (\d+) to (\d+)$/, (m) => `请填写 ${m[1]} 到 ${m[2]} 之间的整数`],
  [/must be at least (\d+) characters$/, (m) => `至少 ${m[1]} 个字符`],
  [/must be 1–64 letters, digits, dots, underscores or dashes$/, () => '只能包含字母、数字、点、下划线或短横线，最多 64 个'],
  [/must lie /, () => '时间超出允许范围'],
  [/must be a UUID$/, () => '请填写有效的案件编号（UUID）'],
  [/must contain at least (\d+) item/, (m) => `至少填写 ${m[1]} 项`],
  [/must be a string$/, () => '请填写文字'],
  [/should not exist$/, () => '系统不接受此项'],
];

/** The Chinese message for one field error of the API; the original English is kept after it when no rule matches. */
export function chineseFieldMessage(message: string): string {
  for (const [pattern, translate] of FIELD_MESSAGES) {
    const match = message.match(pattern);
    if (match) return translate(match);
  }
  return `填写有误（${message}）`;
}

/** A dotted API field path as an antd form name path: `parties.0.name` → ['parties', 0, 'name']. */
export function fieldPath(field: string): (string | number)[] {
  return field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** What to tell a person about a refused request, in Chinese. */
export function problemMessage(problem: unknown): string {
  if (!(problem instanceof ApiProblem)) return problem instanceof Error ? problem.message : String(problem);
  switch (problem.status) {
    case 0:
      return '无法连接服务，请检查网络后重试';
    case 400:
      return problem.errors.length > 0 ? '提交的内容有误，请按提示修改' : `请求有误：${problem.detail}`;
    case 401:
      return '登录已失效，请重新登录';
    case 403:
      return '您的角色无权执行此操作';
    case 404:
      return '未找到该案件或资源';
    case 409:
      return `案件当前状态不允许此操作（${problem.detail}）`;
    case 412:
      return '案件已被他人更新，请刷新后再操作';
    case 422:
      return `业务规则不允许：${problem.detail}`;
    case 429:
      return '尝试次数过多，请稍后再试';
    case 503:
      return '服务繁忙，请稍后重试';
    default:
      return `服务出错（${problem.status}）：${problem.detail || problem.title}`;
  }
}
