/** The setting that points the service at KurrentDB, named in every start-up failure so an operator knows what to fix. */
export const KURRENTDB_URL_SETTING = 'KURRENTDB_URL';

/**
 * KurrentDB could not be used at start: a malformed `KURRENTDB_URL`, a server that does not answer,
 * or one too old for the atomic multi-stream append. The message names the setting and never
 * repeats the password a connection string may hold.
 */
export class KurrentDbStartupError extends Error {
  readonly setting = KURRENTDB_URL_SETTING;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KurrentDbStartupError';
  }
}

/** The connection string without its user name and password, for messages and logs. */
export function redactConnectionString(url: string): string {
  return url.trim().replace(/^([a-z0-9+.-]+:\/\/)[^@/?]*@/i, '$1***@');
}
