import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type SignedInUser = components['schemas']['UserDto'];
export type Role = SignedInUser['role'];
type TokenPair = components['schemas']['TokenPairDto'];

/**
 * The session's tokens live in sessionStorage: they survive a reload but not the closing of the
 * tab. The middleware below is the one place requests get credentials: it renews the access
 * token shortly before it expires and sends it as `Authorization: Bearer`.
 */
const STORAGE_KEY = 'cases.session';
/** Renew this long before the access token expires, so a request never leaves with a token about to lapse. */
const RENEW_MARGIN_MS = 60_000;

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** ms since the epoch */
  expiresAt: number;
}

function readStored(): StoredTokens | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw === null ? null : (JSON.parse(raw) as StoredTokens);
  } catch {
    return null;
  }
}

let tokens: StoredTokens | null = readStored();
let renewal: Promise<void> | null = null;
const endedListeners = new Set<() => void>();

export function storeTokens(pair: TokenPair | null): void {
  tokens =
    pair === null
      ? null
      : { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
  if (tokens === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
}

export function hasSession(): boolean {
  return tokens !== null;
}

/** Called when the service refuses the session (expired, revoked): the person must sign in again. */
export function onSessionEnded(listener: () => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

function endSession(): void {
  storeTokens(null);
  for (const listener of endedListeners) listener();
}

/** Sign-in and renewal go without the credentials middleware: they are how credentials are obtained. */
export const authApi = createClient<paths>({ baseUrl: '' });

async function renew(refreshToken: string): Promise<void> {
  const { data, response } = await authApi.POST('/api/auth/refresh', { body: { refreshToken } });
  if (data !== undefined) storeTokens(data);
  else if (response.status === 401 || response.status === 400) endSession();
}

const credentials: Middleware = {
  async onRequest({ request }) {
    if (tokens !== null && tokens.expiresAt - Date.now() < RENEW_MARGIN_MS) {
      renewal ??= renew(tokens.refreshToken).finally(() => (renewal = null));
      await renewal.catch(() => undefined);
    }
    if (tokens !== null) request.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) endSession();
    return response;
  },
};

/** The typed client of the case service: paths, parameters and bodies are checked against the generated schema. */
export const api = createClient<paths>({ baseUrl: '' });
api.use(credentials);
