import type { ChildService } from './child-service';

/** An HTTP answer of a child service, its body parsed (empty when there is none). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Calls a child service as the bearer of `token`, with a JSON body when given one. */
export async function call(service: ChildService, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Signs in at a child service and answers the access token; fails unless the sign-in answered 200. */
export async function signIn(service: ChildService, username: string, password: string): Promise<string> {
  const response = await fetch(`${service.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`Sign-in as ${username} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
