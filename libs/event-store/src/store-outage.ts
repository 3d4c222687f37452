/**
 * Whether an error means the store (or the database behind it) cannot be reached right now, as
 * opposed to a refusal or a bug: a connection refused, reset or timed out; PostgreSQL shutting
 * down, refusing connections or out of them; a KurrentDB node unavailable. The service answers
 * those 503 `STORE.UNAVAILABLE` and recovers by itself when the store returns
 * (docs/architecture.md, "When the store goes away"). Walks `cause` chains: drivers and the
 * port's adapters wrap what the socket said.
 */
export function isStoreOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { code, name } = current as Error & { code?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) return true;
    if (name === 'UnavailableError' || name === 'DeadlineExceededError' || name === 'NotLeaderError') return true;
    if (UNREACHABLE_MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) return true;
  }
  return false;
}

/** What Node's sockets and DNS say when a server cannot be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for "not now": class 08 (connection exception), 57P01–57P03 (the server
 * is shutting down, crashed or not yet accepting connections) and 53300 (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** node-postgres reports a lost or never-made connection by message only. */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
];
